import { generateKeyPairSync, randomBytes } from "crypto";
import { mkdirSync, writeFileSync } from "fs";
import { request } from "https";
import * as path from "path";
import { Processes, run, waitFor } from "./procs";

/**
 * A real Kubernetes control plane on loopback: etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler and KWOK for fake nodes (so Deployments get Running pods), each with its own
 * data and ports, every listener on 127.0.0.1.
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
    await waitFor(`${this.name} etcd`, () => httpOk(`http://127.0.0.1:${p.etcdClient}/health`), 60000);

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
      `${this.name} kube-apiserver`,
      () => this.kubectlOk(["get", "--raw", "/readyz"]),
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
    ]);
    this.procs.start(`${this.name}-kube-scheduler`, this.b("kube-scheduler"), [
      `--kubeconfig=${this.kubeconfigPath}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${p.scheduler}`,
      "--leader-elect=false",
    ]);
    this.procs.start(`${this.name}-kwok`, this.b("kwok"), [
      `--kubeconfig=${this.kubeconfigPath}`,
      "--manage-all-nodes=false",
      "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
      `--server-address=127.0.0.1:${p.kwok}`,
    ]);
    await waitFor(
      `${this.name} default service account`,
      () => this.kubectlOk(["-n", "default", "get", "serviceaccount", "default"]),
      60000,
    );
    this.apply({
      apiVersion: "v1",
      kind: "List",
      items: Array.from({ length: nodes }, (_, i) => fakeNode(`${this.name}-node-${i}`)),
    });
    await waitFor(
      `${this.name} nodes Ready`,
      () =>
        this.kubectl([
          "get",
          "nodes",
          "-o",
          'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}',
        ])
          .stdout.split(" ")
          .filter((s) => s === "True").length === nodes,
      60000,
    );
  }

  kubectl(args: string[], input?: string, allowFail = false) {
    return run(this.b("kubectl"), ["--kubeconfig", this.kubeconfigPath, ...args], { input, allowFail });
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

export function insecureGet(url: string, token: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { rejectUnauthorized: false, headers: { Authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", () => resolve(0));
    req.end();
  });
}
