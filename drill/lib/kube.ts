import { generateKeyPairSync, randomBytes } from "crypto";
import { mkdirSync, writeFileSync } from "fs";
import { request } from "https";
import * as path from "path";
import { stringify as stringifyYaml } from "yaml";
import { Processes, run, waitFor } from "./procs";

/**
 * A real Kubernetes control plane on loopback: etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler and KWOK for fake nodes (so Deployments get Running pods), each with its own
 * data and ports, every listener on 127.0.0.1. KWOK's server is also the nodes' kubelet endpoint:
 * `kubectl exec` into a fake pod with an Exec (setExec / setClusterExec) runs the command here.
 */
export interface ClusterPorts {
  api: number;
  etcdClient: number;
  etcdPeer: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
}

export const SOURCE_PORTS: ClusterPorts = {
  api: 6443,
  etcdClient: 2379,
  etcdPeer: 2380,
  controllerManager: 10257,
  scheduler: 10259,
  kwok: 10247,
};
export const DESTINATION_PORTS: ClusterPorts = {
  api: 7443,
  etcdClient: 2381,
  etcdPeer: 2382,
  controllerManager: 10267,
  scheduler: 10269,
  kwok: 10248,
};

export class LocalCluster {
  readonly dir: string;
  readonly server: string;
  readonly kubeconfigPath: string;
  private readonly token = randomBytes(24).toString("hex");
  kubeconfig = "";

  constructor(
    readonly name: string,
    private readonly ports: ClusterPorts,
    root: string,
    private readonly bin: string,
    private readonly procs: Processes,
  ) {
    this.dir = path.join(root, name);
    this.server = `https://127.0.0.1:${ports.api}`;
    this.kubeconfigPath = path.join(this.dir, "kubeconfig");
  }

  /** The kubectl binary the cluster's helpers run (with `--kubeconfig kubeconfigPath`). */
  get kubectlBin(): string {
    return this.b("kubectl");
  }

  private b(tool: string): string {
    return path.join(this.bin, tool);
  }

  async start(nodes = 3): Promise<void> {
    const d = this.dir;
    mkdirSync(path.join(d, "certs"), { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(path.join(d, "sa.key"), privateKey.export({ type: "pkcs1", format: "pem" }), {
      mode: 0o600,
    });
    writeFileSync(path.join(d, "sa.pub"), publicKey.export({ type: "spki", format: "pem" }));
    writeFileSync(path.join(d, "tokens.csv"), `${this.token},admin,admin,"system:masters"\n`, {
      mode: 0o600,
    });

    const p = this.ports;
    this.procs.start(`${this.name}-etcd`, this.b("etcd"), [
      `--name=${this.name}`,
      `--data-dir=${path.join(d, "etcd")}`,
      `--listen-client-urls=http://127.0.0.1:${p.etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${p.etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${p.etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${p.etcdPeer}`,
      `--initial-cluster=${this.name}=http://127.0.0.1:${p.etcdPeer}`,
      "--listen-metrics-urls=",
      "--unsafe-no-fsync",
      "--quota-backend-bytes=2147483648",
    ]);
    await waitFor(
      `${this.name} etcd healthy on 127.0.0.1:${p.etcdClient}`,
      async () => {
        this.procs.assertRunning(`${this.name}-etcd`);
        return httpOk(`http://127.0.0.1:${p.etcdClient}/health`);
      },
      60000,
    );

    this.procs.start(`${this.name}-kube-apiserver`, this.b("kube-apiserver"), [
      `--etcd-servers=http://127.0.0.1:${p.etcdClient}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${p.api}`,
      `--cert-dir=${path.join(d, "certs")}`,
      `--token-auth-file=${path.join(d, "tokens.csv")}`,
      "--authorization-mode=RBAC",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${path.join(d, "sa.pub")}`,
      `--service-account-signing-key-file=${path.join(d, "sa.key")}`,
      "--service-cluster-ip-range=10.96.0.0/16",
      "--allow-privileged=true",
      "--enable-priority-and-fairness=false",
      "--profiling=false",
      "--endpoint-reconciler-type=none",
      // pods/exec (and logs, port-forward) go to KWOK's kubelet-like server: the fake nodes report
      // 127.0.0.1 as InternalIP and KWOK's port as their kubelet port (see the kwok flags below).
      // Without --kubelet-certificate-authority the apiserver does not verify that server's cert.
      "--kubelet-preferred-address-types=InternalIP",
    ]);
    this.kubeconfig = [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      `- name: ${this.name}`,
      "  cluster:",
      `    server: ${this.server}`,
      "    insecure-skip-tls-verify: true",
      "contexts:",
      `- name: ${this.name}`,
      `  context: {cluster: ${this.name}, user: admin}`,
      `current-context: ${this.name}`,
      "users:",
      "- name: admin",
      `  user: {token: ${this.token}}`,
      "",
    ].join("\n");
    writeFileSync(this.kubeconfigPath, this.kubeconfig, { mode: 0o600 });
    await waitFor(
      `${this.name} kube-apiserver ready (/readyz)`,
      () => {
        this.procs.assertRunning(`${this.name}-etcd`);
        this.procs.assertRunning(`${this.name}-kube-apiserver`);
        return this.kubectlOk(["get", "--raw", "/readyz"]);
      },
      120000,
      1000,
    );

    this.procs.start(`${this.name}-kube-controller-manager`, this.b("kube-controller-manager"), [
      `--kubeconfig=${this.kubeconfigPath}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${p.controllerManager}`,
      "--leader-elect=false",
      `--service-account-private-key-file=${path.join(d, "sa.key")}`,
      `--root-ca-file=${path.join(d, "certs", "apiserver.crt")}`,
      "--use-service-account-credentials=false",
      "--controllers=*,-nodeipam,-cloud-node-lifecycle,-service,-route",
      // KWOK's heartbeats can slip on a busy 2-core machine; a node marked NotReady takes its pods'
      // readiness with it and KWOK never gives it back. Fake nodes do not fail: wait long.
      "--node-monitor-grace-period=10m",
    ]);
    this.procs.start(`${this.name}-kube-scheduler`, this.b("kube-scheduler"), [
      `--kubeconfig=${this.kubeconfigPath}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${p.scheduler}`,
      "--leader-elect=false",
    ]);
    // KWOK reads Exec / ClusterExec objects from the cluster (--enable-crds): the drill creates
    // them at run time, per pod, and KWOK's server runs `kubectl exec` commands locally.
    this.apply({ apiVersion: "v1", kind: "List", items: [...KWOK_EXEC_CRDS, KWOK_LOGS_CRD] });
    this.kubectl([
      "wait",
      "--for=condition=Established",
      "crd/execs.kwok.x-k8s.io",
      "crd/clusterexecs.kwok.x-k8s.io",
      "crd/clusterlogs.kwok.x-k8s.io",
      "--timeout=60s",
    ]);
    const kwokHome = path.join(d, "kwok");
    mkdirSync(kwokHome, { recursive: true });
    this.procs.start(
      `${this.name}-kwok`,
      this.b("kwok"),
      [
        `--kubeconfig=${this.kubeconfigPath}`,
        "--manage-all-nodes=false",
        "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
        // One server per cluster, on loopback; the nodes advertise it as their kubelet endpoint.
        `--server-address=127.0.0.1:${p.kwok}`,
        "--node-ip=127.0.0.1",
        `--node-port=${p.kwok}`,
        // The apiserver's own self-signed serving pair (written to --cert-dir at its start).
        `--tls-cert-file=${path.join(d, "certs", "apiserver.crt")}`,
        `--tls-private-key-file=${path.join(d, "certs", "apiserver.key")}`,
        "--enable-crds=Exec,ClusterExec,ClusterLogs",
        `--config=${writePodStages(kwokHome)}`,
      ],
      // HOME: KWOK would also load ~/.kwok/kwok.yaml; keep it to the cluster's own directory.
      { env: { ...process.env, HOME: kwokHome } },
    );
    // The controller manager's service-account controller makes the default service account; the
    // scheduler answers its health check once it runs (every pod the drill creates needs both).
    await waitFor(
      `${this.name} kube-controller-manager (the default service account) and kube-scheduler (/healthz)`,
      async () => {
        for (const c of ["kube-controller-manager", "kube-scheduler", "kwok"]) {
          this.procs.assertRunning(`${this.name}-${c}`);
        }
        return (
          this.kubectlOk(["-n", "default", "get", "serviceaccount", "default"]) &&
          (await insecureGet(`https://127.0.0.1:${p.scheduler}/healthz`, "")) === 200
        );
      },
      60000,
    );
    this.apply({
      apiVersion: "v1",
      kind: "List",
      items: Array.from({ length: nodes }, (_, i) => fakeNode(`${this.name}-node-${i}`)),
    });
    await waitFor(
      `${this.name} nodes Ready (KWOK)`,
      () => {
        this.procs.assertRunning(`${this.name}-kwok`);
        return (
          this.kubectl([
            "get",
            "nodes",
            "-o",
            'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}',
          ])
            .stdout.split(" ")
            .filter((s) => s === "True").length === nodes
        );
      },
      60000,
    );
  }

  /**
   * Lets `kubectl exec` (and Velero exec hooks) into the pod `namespace/podName` run locally: the
   * command runs on this machine in `workDir` with `env` added to KWOK's environment. Applies a
   * namespaced KWOK Exec named like the pod (labelled so Velero never backs it up); KWOK picks it
   * up within a moment (use waitForExec in ./exec to know when).
   */
  setExec(namespace: string, podName: string, ...targets: ExecTarget[]): void {
    this.apply({
      apiVersion: "kwok.x-k8s.io/v1alpha1",
      kind: "Exec",
      metadata: { name: podName, namespace, labels: { ...EXEC_LABELS } },
      spec: { execs: targets.map((t) => this.execTarget(t)) },
    });
  }

  deleteExec(namespace: string, podName: string): void {
    this.kubectl(["-n", namespace, "delete", "execs.kwok.x-k8s.io", podName, "--ignore-not-found"]);
  }

  /**
   * The same for every pod matching `selector` (pod namespaces and/or names; empty matches all),
   * for pods whose names are not known in advance. A per-pod Exec wins over any ClusterExec.
   */
  setClusterExec(
    name: string,
    selector: { namespaces?: string[]; names?: string[] },
    ...targets: ExecTarget[]
  ): void {
    this.apply({
      apiVersion: "kwok.x-k8s.io/v1alpha1",
      kind: "ClusterExec",
      metadata: { name, labels: { ...EXEC_LABELS } },
      spec: {
        selector: { matchNamespaces: selector.namespaces, matchNames: selector.names },
        execs: targets.map((t) => this.execTarget(t)),
      },
    });
  }

  /** KWOK's local exec target; a target with mounts gets the pod filesystem of pod-root.sh. */
  private execTarget(t: ExecTarget) {
    if (!t.mounts || Object.keys(t.mounts).length === 0) return execTarget(t);
    return execTarget({ ...t, env: { ...t.env, ...this.podRootEnv(t.mounts) } });
  }

  /**
   * The environment that gives a bash command of this cluster's pods the pod's filesystem
   * (pod-root.sh): `mounts` maps container paths to directories of this machine.
   */
  podRootEnv(mounts: Record<string, string>): Record<string, string> {
    const mountpoint = path.join(this.dir, "pod-root");
    mkdirSync(mountpoint, { recursive: true });
    for (const [target, source] of Object.entries(mounts)) {
      if (!/^(\/[A-Za-z0-9._-]+)+$/.test(target) || /[\n=]/.test(source)) {
        throw new Error(
          `exec mount ${target}=${source}: expected an absolute container path and a directory`,
        );
      }
      mkdirSync(source, { recursive: true });
    }
    return {
      BASH_ENV: POD_ROOT_SCRIPT,
      VELERO_DR_POD_MOUNTS: Object.entries(mounts)
        .map(([target, source]) => `${target}=${source}`)
        .join("\n"),
      VELERO_DR_POD_ROOT_MOUNTPOINT: mountpoint,
    };
  }

  /**
   * `kubectl logs` of the containers named `containers` in pods of `namespace` reads `logsFile`
   * (a KWOK ClusterLogs): the log of the process that plays those pods.
   */
  setClusterLogs(name: string, namespace: string, containers: string[], logsFile: string): void {
    this.apply({
      apiVersion: "kwok.x-k8s.io/v1alpha1",
      kind: "ClusterLogs",
      metadata: { name, labels: EXEC_LABELS },
      spec: { selector: { matchNamespaces: [namespace] }, logs: [{ containers, logsFile, follow: false }] },
    });
  }

  deleteClusterExec(name: string): void {
    this.kubectl(["delete", "clusterexecs.kwok.x-k8s.io", name, "--ignore-not-found"]);
  }

  kubectl(args: string[], input?: string, allowFail = false) {
    return run(this.kubectlBin, ["--kubeconfig", this.kubeconfigPath, ...args], { input, allowFail });
  }

  kubectlOk(args: string[]): boolean {
    return this.kubectl(args, undefined, true).code === 0;
  }

  apply(doc: unknown): void {
    this.kubectl(["apply", "--server-side", "--force-conflicts", "-f", "-"], JSON.stringify(doc));
  }

  getJson(args: string[]): any {
    return JSON.parse(this.kubectl([...args, "-o", "json"]).stdout);
  }

  async stop(): Promise<void> {
    await this.procs.stopAll(`${this.name}-`);
  }
}

/** Where and how KWOK runs a container's exec commands on this machine. */
export interface ExecTarget {
  /** Containers this applies to; all of the pod's containers when omitted. */
  containers?: string[];
  /** The working directory of the command (must exist). */
  workDir?: string;
  /**
   * Added to KWOK's own environment: the drill's, with HOME set to <cluster dir>/kwok (so a
   * command reads no ~/.my.cnf, ~/.pgpass ... of this machine unless env sets HOME).
   */
  env?: Record<string, string>;
  runAsUser?: number;
  runAsGroup?: number;
  /**
   * Container paths backed by directories of this machine (a pod's volumes): commands run by bash
   * see them at those paths (pod-root.sh), so hooks and steps run as written for the container.
   */
  mounts?: Record<string, string>;
}

const POD_ROOT_SCRIPT = path.join(__dirname, "pod-root.sh");

const EXEC_LABELS = {
  "app.kubernetes.io/managed-by": "velero-dr-drill",
  "velero.io/exclude-from-backup": "true",
};

function execTarget(t: ExecTarget) {
  const securityContext =
    t.runAsUser === undefined && t.runAsGroup === undefined
      ? undefined
      : { runAsUser: t.runAsUser, runAsGroup: t.runAsGroup };
  return {
    containers: t.containers,
    local: {
      workDir: t.workDir,
      envs: Object.entries(t.env ?? {}).map(([name, value]) => ({ name, value })),
      securityContext,
    },
  };
}

const execTargetsSchema = {
  type: "array",
  items: {
    type: "object",
    properties: {
      containers: { type: "array", items: { type: "string" } },
      local: {
        type: "object",
        properties: {
          envs: {
            type: "array",
            items: {
              type: "object",
              required: ["name"],
              properties: { name: { type: "string", minLength: 1 }, value: { type: "string" } },
            },
          },
          securityContext: {
            type: "object",
            properties: {
              runAsGroup: { type: "integer", format: "int64" },
              runAsUser: { type: "integer", format: "int64" },
            },
          },
          workDir: { type: "string" },
        },
      },
    },
  },
};

/** KWOK v0.7.0's Exec and ClusterExec CRDs (kustomize/crd/bases, descriptions and status dropped). */
const KWOK_EXEC_CRDS = [
  kwokCrd("Exec", "execs", "Namespaced", { execs: execTargetsSchema }),
  kwokCrd("ClusterExec", "clusterexecs", "Cluster", {
    execs: execTargetsSchema,
    selector: {
      type: "object",
      properties: {
        matchNames: { type: "array", items: { type: "string" } },
        matchNamespaces: { type: "array", items: { type: "string" } },
      },
    },
  }),
];

/**
 * KWOK v0.7.0's ClusterLogs CRD: `kubectl logs` of a matching pod's container reads `logsFile` (in
 * the CRI logging format). The drill points it at the log of the process that plays the pod.
 */
const KWOK_LOGS_CRD = kwokCrd(
  "ClusterLogs",
  "clusterlogs",
  "Cluster",
  {
    logs: {
      type: "array",
      items: {
        type: "object",
        properties: {
          containers: { type: "array", items: { type: "string" } },
          follow: { type: "boolean" },
          logsFile: { type: "string" },
          previousLogsFile: { type: "string" },
        },
      },
    },
    selector: {
      type: "object",
      properties: {
        matchNames: { type: "array", items: { type: "string" } },
        matchNamespaces: { type: "array", items: { type: "string" } },
      },
    },
  },
  "logs",
);

function kwokCrd(
  kind: string,
  plural: string,
  scope: string,
  spec: Record<string, unknown>,
  required = "execs",
) {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.kwok.x-k8s.io` },
    spec: {
      group: "kwok.x-k8s.io",
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      scope,
      versions: [
        {
          name: "v1alpha1",
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: "object",
              required: ["metadata", "spec"],
              properties: {
                apiVersion: { type: "string" },
                kind: { type: "string" },
                metadata: { type: "object" },
                spec: { type: "object", required: [required], properties: spec },
                status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
              },
            },
          },
        },
      ],
    },
  };
}

/**
 * KWOK's pod stages (its fast defaults, kustomize/stage/pod/fast, with two changes for the drill):
 * - a pod with readiness gates starts not Ready: whoever stands in for its process (a database the
 *   drill starts for it) sets the gate and Ready once the process serves;
 * - a Job's pod completes when the drill ran its command (JobRunner annotates the exit code), not
 *   at once, so a Job's work really happens before the Job is Complete.
 */
export const EXIT_CODE_ANNOTATION = "drill.velero-dr/exit-code";

interface Match {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}

/** A KWOK Stage for pods: when a pod matches every expression, `next` is applied to it. */
function podStage(name: string, matchExpressions: Match[], next: Record<string, unknown>) {
  return {
    apiVersion: "kwok.x-k8s.io/v1alpha1",
    kind: "Stage",
    metadata: { name },
    spec: { resourceRef: { apiGroup: "v1", kind: "Pod" }, selector: { matchExpressions }, next },
  };
}

/**
 * A restored pod whose volumes Velero's node agent fills first: Velero adds the init container
 * `restore-wait` (velero-restore-helper), which ends once every volume has its done file. Until
 * the drill ran that helper for the pod (NodeAgents in ./node-agent, the kubelet's part) and set
 * this annotation, KWOK keeps the pod Pending with the init container running, as a kubelet would.
 */
export const RESTORE_WAIT_CONTAINER = "restore-wait";
export const RESTORE_WAIT_DONE_ANNOTATION = "drill.velero-dr/restore-wait-done";
/**
 * Set once the pod's volumes are laid out where the node agent looks for them (a kubelet mounts a
 * pod's volumes before it starts its init containers): only then does restore-wait run.
 */
export const VOLUMES_MOUNTED_ANNOTATION = "drill.velero-dr/volumes-mounted";

/** Status templates (Go templates KWOK renders into the pod's status). */
const INIT_WAITING_STATUS = `{{ $now := Now }}
conditions:
- lastTransitionTime: {{ $now | Quote }}
  status: "False"
  reason: ContainersNotInitialized
  type: Initialized
- lastTransitionTime: {{ $now | Quote }}
  status: "False"
  type: Ready
- lastTransitionTime: {{ $now | Quote }}
  status: "False"
  type: ContainersReady
initContainerStatuses:
{{ range .spec.initContainers }}
- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
  ready: false
  restartCount: 0
  started: {{ if eq .name "${RESTORE_WAIT_CONTAINER}" }}true{{ else }}false{{ end }}
  state:
{{ if eq .name "${RESTORE_WAIT_CONTAINER}" }}
    running:
      startedAt: {{ $now | Quote }}
{{ else }}
    waiting:
      reason: PodInitializing
{{ end }}
{{ end }}
containerStatuses:
{{ range .spec.containers }}
- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
  ready: false
  restartCount: 0
  started: false
  state:
    waiting:
      reason: PodInitializing
{{ end }}
hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}
phase: Pending
startTime: {{ $now | Quote }}
`;

const READY_STATUS = `{{ $now := Now }}
conditions:
- lastTransitionTime: {{ $now | Quote }}
  status: "True"
  type: Initialized
- lastTransitionTime: {{ $now | Quote }}
  status: {{ if .spec.readinessGates }}"False"{{ else }}"True"{{ end }}
  type: Ready
- lastTransitionTime: {{ $now | Quote }}
  status: "True"
  type: ContainersReady
{{ if .spec.initContainers }}
initContainerStatuses:
{{ range .spec.initContainers }}
- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
  ready: true
  restartCount: 0
  started: false
  state:
    terminated:
      exitCode: 0
      finishedAt: {{ $now | Quote }}
      reason: Completed
      startedAt: {{ $now | Quote }}
{{ end }}
{{ end }}
containerStatuses:
{{ range .spec.containers }}
- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
  ready: true
  restartCount: 0
  state:
    running:
      startedAt: {{ $now | Quote }}
{{ end }}
hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}
phase: Running
startTime: {{ $now | Quote }}
`;

const terminatedStatus = (phase: string, exitCode: string, reason: string) => `{{ $now := Now }}
{{ $root := . }}
containerStatuses:
{{ range $index, $item := .spec.containers }}
- image: {{ $item.image | Quote }}
  name: {{ $item.name | Quote }}
  ready: false
  restartCount: 0
  started: false
  state:
    terminated:
      exitCode: ${exitCode}
      finishedAt: {{ $now | Quote }}
      reason: ${reason}
      startedAt: {{ $now | Quote }}
{{ end }}
phase: ${phase}
`;

function writePodStages(kwokHome: string): string {
  const alive: Match = { key: ".metadata.deletionTimestamp", operator: "DoesNotExist" };
  const runningJobPod: Match[] = [
    alive,
    { key: ".status.phase", operator: "In", values: ["Running"] },
    { key: ".metadata.ownerReferences.[].kind", operator: "In", values: ["Job"] },
  ];
  const exitCode = `.metadata.annotations["${EXIT_CODE_ANNOTATION}"]`;
  const restoreWaitDone = `.metadata.annotations["${RESTORE_WAIT_DONE_ANNOTATION}"]`;
  const waitsForRestore: Match = {
    key: ".spec.initContainers.[].name",
    operator: "In",
    values: [RESTORE_WAIT_CONTAINER],
  };
  const stages = [
    podStage(
      "pod-ready",
      [
        alive,
        { key: ".status.podIP", operator: "DoesNotExist" },
        { key: ".spec.initContainers.[].name", operator: "NotIn", values: [RESTORE_WAIT_CONTAINER] },
      ],
      { statusTemplate: READY_STATUS },
    ),
    // A pod Velero restores with volumes to fill: its restore-wait init container runs until the
    // drill says the helper ended (the annotation); then the pod starts as any other.
    podStage(
      "pod-restore-wait",
      [
        alive,
        { key: ".status.podIP", operator: "DoesNotExist" },
        waitsForRestore,
        { key: `.metadata.annotations["${VOLUMES_MOUNTED_ANNOTATION}"]`, operator: "Exists" },
        { key: restoreWaitDone, operator: "DoesNotExist" },
      ],
      { statusTemplate: INIT_WAITING_STATUS },
    ),
    podStage(
      "pod-restore-wait-done",
      [
        alive,
        waitsForRestore,
        { key: ".status.phase", operator: "In", values: ["Pending"] },
        { key: restoreWaitDone, operator: "In", values: ["0"] },
      ],
      { statusTemplate: READY_STATUS },
    ),
    podStage("pod-complete", [...runningJobPod, { key: exitCode, operator: "In", values: ["0"] }], {
      statusTemplate: terminatedStatus("Succeeded", "0", "Completed"),
    }),
    podStage(
      "pod-failed",
      [
        ...runningJobPod,
        { key: exitCode, operator: "NotIn", values: ["0"] },
        { key: exitCode, operator: "Exists" },
      ],
      {
        statusTemplate: terminatedStatus(
          "Failed",
          `{{ index $root.metadata.annotations "${EXIT_CODE_ANNOTATION}" }}`,
          "Error",
        ),
      },
    ),
    podStage("pod-delete", [{ key: ".metadata.deletionTimestamp", operator: "Exists" }], {
      finalizers: { empty: true },
      delete: true,
    }),
  ];
  const file = path.join(kwokHome, "pod-stages.yaml");
  writeFileSync(
    file,
    stages.map((st) => stringifyYaml(st, { blockQuote: "literal", lineWidth: 0 })).join("---\n"),
  );
  return file;
}

function fakeNode(name: string) {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: { "node.alpha.kubernetes.io/ttl": "0", "kwok.x-k8s.io/node": "fake" },
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        type: "kwok",
      },
    },
    spec: {},
    status: {
      allocatable: { cpu: "8", memory: "32Gi", pods: "110" },
      capacity: { cpu: "8", memory: "32Gi", pods: "110" },
    },
  };
}

function httpOk(url: string): Promise<boolean> {
  return fetch(url)
    .then((r) => r.ok)
    .catch(() => false);
}

/** The status of an HTTPS GET to a loopback server's self-signed endpoint (no token: anonymous); 0 if none. */
export function insecureGet(url: string, token: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { rejectUnauthorized: false, headers: token ? { Authorization: `Bearer ${token}` } : {} },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", () => resolve(0));
    req.end();
  });
}
