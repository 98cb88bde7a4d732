"use strict";
/**
 * Fake `kubectl`, `velero`, `nsupdate`, `dig`, `az` and `aws` for script tests: they answer like
 * the real CLIs from a JSON state file and record every call, so bash scripts run for real against
 * a predictable world. They are test stand-ins, never the real tools: `aws` (see `aws` below)
 * answers only the Route 53 and STS calls velero-dr makes, with the AWS CLI v2's documented output
 * and error messages.
 *
 * State ($FAKE_KUBE_STATE):
 *   objects:  { "<resource>/<namespace>/<name>": object }   (cluster-scoped: namespace "")
 *             An object may carry `sequences: { "<jsonpath>": [v1, v2, ...] }`: each read of that
 *             jsonpath consumes one value (the last one sticks), e.g. phases over time.
 *   onCreate: { "<resource>": { ...fields merged into created objects (incl. sequences) } }
 *   plugins:  { kots: true }   (kubectl plugins that exist)
 *   serverVersion: "v1.29.7"   (the API server's gitVersion, `kubectl get --raw /version`; default v1.30.4)
 *   dns:      { "<name>": { type, value } }   (the zone as nsupdate left it; dig answers from it)
 *   awsIdentity: { UserId, Account, Arn }   (the AWS CLI's credentials; absent: none configured)
 *   route53:  the Route 53 world of the fake `aws` (see `aws` below); `dig @<name server>` of one
 *             of its zones answers from that zone as Route 53 serves it
 *   failures: { "<argv joined by space, prefix>": "message" }   (make a call fail)
 *   recreate: { "<key>": object }   (what an operator re-creates after the object is deleted)
 *   simulateWorkloads: true   (scaling a Deployment/StatefulSet sets its status replica counts, and a
 *             StatefulSet's pods <name>-<i> appear Running and Ready from its template or go away;
 *             `fakeNeverReady: true` on a workload keeps its ready count at 0; scaling a workload
 *             that does not exist fails as kubectl does)
 *   exec:     { "<namespace>/<pod>" | "<namespace>/*" | "*": [handler, ...] }   what `kubectl exec`
 *             does in a container. The first handler whose `match` substrings all occur in the
 *             command text (the argv after `--`, joined by spaces) answers, the pod's own handlers
 *             first: { match, stdout, stderr, code, when, unless, set }. `stdout` and `code` may
 *             be arrays: one value per use, the last one sticks. `when`/`unless` name flags that
 *             must be set/unset (state.execFlags), and `set` sets one when the command succeeds,
 *             so a handler can stand for a file an earlier command wrote. No handler: exit 126.
 *             The call log records each exec as `exec: { namespace, pod, container, command }` and
 *             `stdinBytes` (what `exec -i` read), also for the two ends of a pipe that run at once.
 * Objects may carry `rolloutError` (rollout status fails with it) and `fakeLogs` (kubectl logs).
 * Calls go to $FAKE_KUBE_LOG as JSON lines: tool, argv, stdin, and the kubeconfig file as the
 * process saw it (path, mode, content), so tests can check how secrets were handed over.
 *
 * bin/ holds a node script per tool; test/support/bash.ts puts bash clients of server.js (the same
 * code, served from one process) first on a script's PATH instead, and bin/sleep and bin/date
 * keep a fake clock per world ($FAKE_KUBE_STATE.clock): sleeping returns at once and moves it on.
 */
const { Buffer } = require("buffer");
const fs = require("fs");

/**
 * The process a call talks to: this one (a fake CLI run by node), or a call served by
 * test/fakes/server.js for a thin bash client, which swaps in the caller's environment, stdin,
 * output and exit (`serve` below).
 */
const processIO = () => ({
  env: process.env,
  stdin: () => fs.readFileSync(0),
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  exit: (code) => process.exit(code),
  setExitCode: (code) => {
    process.exitCode = code;
  },
});
let io = processIO();

const ALIASES = {
  backupstoragelocation: "backupstoragelocations.velero.io",
  backupstoragelocations: "backupstoragelocations.velero.io",
  bsl: "backupstoragelocations.velero.io",
  backup: "backups.velero.io",
  backups: "backups.velero.io",
  restore: "restores.velero.io",
  restores: "restores.velero.io",
  schedule: "schedules.velero.io",
  schedules: "schedules.velero.io",
  deploy: "deployments.apps",
  deployment: "deployments.apps",
  deployments: "deployments.apps",
  statefulset: "statefulsets.apps",
  statefulsets: "statefulsets.apps",
  pod: "pods",
  ns: "namespaces",
  namespace: "namespaces",
  svc: "services",
  service: "services",
  dashenterprise: "dashenterprises.dash.plotly.com",
  appstack: "appstacks.dash.plotly.com",
  buildstack: "buildstacks.dash.plotly.com",
  builder: "builders.dash.plotly.com",
  gitea: "giteas.dash.plotly.com",
  harborcluster: "harborclusters.goharbor.io",
  harbor: "harbors.goharbor.io",
  "clusters.redpanda.vectorized.io": "clusters.redpanda.vectorized.io",
  pods: "pods",
  po: "pods",
  pvc: "persistentvolumeclaims",
  persistentvolumeclaim: "persistentvolumeclaims",
  job: "jobs",
  "jobs.batch": "jobs",
  crd: "customresourcedefinitions.apiextensions.k8s.io",
  crds: "customresourcedefinitions.apiextensions.k8s.io",
  customresourcedefinitions: "customresourcedefinitions.apiextensions.k8s.io",
};
const CLUSTER_SCOPED = new Set(["namespaces", "customresourcedefinitions.apiextensions.k8s.io"]);
const KIND_TO_RESOURCE = {
  Backup: "backups.velero.io",
  Restore: "restores.velero.io",
  Schedule: "schedules.velero.io",
};

const canonical = (r) => ALIASES[r] || r;

function load(file) {
  const s = file && fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
  for (const k of ["objects", "onCreate", "plugins", "dns", "failures", "recreate", "exec", "execFlags"])
    s[k] = s[k] || {};
  return s;
}

function parseArgs(argv) {
  const out = { positional: [], flags: {} };
  const withValue = new Set([
    "-n",
    "--namespace",
    "-o",
    "--output",
    "-f",
    "-p",
    "--patch",
    "--type",
    "--kubeconfig",
    "-l",
    "--selector",
    "--replicas",
    "--timeout",
    "-k",
    "-p",
    "--raw",
  ]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--") && a.includes("="))
      out.flags[a.slice(0, a.indexOf("="))] = a.slice(a.indexOf("=") + 1);
    else if (withValue.has(a)) out.flags[a] = argv[++i];
    else if (/^-[nol]./.test(a)) out.flags[a.slice(0, 2)] = a.slice(2).replace(/^=/, "");
    else if (a.startsWith("-") && a !== "-") out.flags[a] = true;
    else out.positional.push(a);
  }
  out.ns = out.flags["-n"] || out.flags["--namespace"];
  out.output = out.flags["-o"] || out.flags["--output"];
  out.selector = out.flags["-l"] || out.flags["--selector"];
  return out;
}

/** A small JSONPath: {.a.b}, [0], [*], [?(@.k=="v")], {range ...}{end}, "literals". */
function evalPath(obj, path) {
  let cur = [obj];
  const re = /\.([A-Za-z0-9_/-]+)|\[(\d+)\]|\[\*\]|\[\?\(@\.([A-Za-z0-9_.]+)=="([^"]*)"\)\]/g;
  let m;
  while ((m = re.exec(path))) {
    const next = [];
    for (const c of cur) {
      if (c === undefined || c === null) continue;
      if (m[1] !== undefined) next.push(c[m[1]]);
      else if (m[2] !== undefined) next.push(Array.isArray(c) ? c[Number(m[2])] : undefined);
      else if (m[3] !== undefined) {
        for (const x of Array.isArray(c) ? c : []) if (String(getField(x, m[3])) === m[4]) next.push(x);
      } else for (const x of Array.isArray(c) ? c : []) next.push(x);
    }
    cur = next;
  }
  return cur.filter((x) => x !== undefined && x !== null);
}
const getField = (o, dotted) => dotted.split(".").reduce((a, k) => (a == null ? a : a[k]), o);
const fmt = (v) => (typeof v === "object" ? JSON.stringify(v) : String(v));

function jsonpath(obj, template) {
  const t = template.replace(/^jsonpath=/, "");
  const tokens = [...t.matchAll(/\{([^{}]*)\}|([^{}]+)/g)].map((m) =>
    m[1] !== undefined ? { expr: m[1] } : { lit: m[2] },
  );
  let out = "";
  let i = 0;
  const run = (ctx, until) => {
    let s = "";
    while (i < tokens.length) {
      const tok = tokens[i++];
      if (tok.lit !== undefined) s += tok.lit;
      else if (tok.expr === "end") {
        if (until) return s;
      } else if (tok.expr.startsWith("range ")) {
        const items = evalPath(ctx, tok.expr.slice(6).trim());
        const start = i;
        if (items.length === 0) {
          let depth = 1;
          while (i < tokens.length && depth > 0) {
            const x = tokens[i++];
            if (x.expr && x.expr.startsWith("range ")) depth++;
            if (x.expr === "end") depth--;
          }
        }
        for (const item of items) {
          i = start;
          s += run(item, true);
        }
      } else if (/^"(.*)"$/.test(tok.expr)) s += JSON.parse(tok.expr);
      else s += evalPath(ctx, tok.expr).map(fmt).join(" ");
    }
    return s;
  };
  out = run(obj, false);
  return out;
}

function applySequences(obj, template) {
  if (!obj.sequences) return;
  for (const [path, values] of Object.entries(obj.sequences)) {
    if (!template.includes(path) || !Array.isArray(values) || values.length === 0) continue;
    const v = values.length > 1 ? values.shift() : values[0];
    setPath(obj, path, v);
  }
}

function setPath(obj, path, value) {
  const parts = path.replace(/^\./, "").split(".");
  let cur = obj;
  for (const p of parts.slice(0, -1)) cur = cur[p] = cur[p] && typeof cur[p] === "object" ? cur[p] : {};
  if (value === null) delete cur[parts[parts.length - 1]];
  else cur[parts[parts.length - 1]] = value;
}

function deepMerge(a, b) {
  if (b === null) return undefined;
  if (typeof a !== "object" || typeof b !== "object" || Array.isArray(b) || a === null) return b;
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const merged = deepMerge(a[k], v);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  return out;
}

function matchesSelector(obj, selector) {
  if (!selector) return true;
  return selector.split(",").every((term) => {
    const [k, v] = term.split("=");
    return ((obj.metadata && obj.metadata.labels) || {})[k] === v;
  });
}

function kubeconfigSeen() {
  const p = io.env.KUBECONFIG;
  if (!p) return null;
  try {
    const st = fs.statSync(p);
    return { path: p, mode: (st.mode & 0o777).toString(8), content: fs.readFileSync(p, "utf8") };
  } catch {
    return { path: p, missing: true };
  }
}

/** A call's own arguments, its container command (kubectl exec) and whether it reads stdin. */
function parseCall(tool, argv) {
  // What follows `--` is a command for a container (kubectl exec), not kubectl's own arguments.
  const dashes = argv.indexOf("--");
  const own = dashes >= 0 ? argv.slice(0, dashes) : argv;
  const a = parseArgs(own);
  const exec =
    tool === "kubectl" && a.positional[0] === "exec" ? parseExec(own, argv.slice(own.length + 1)) : undefined;
  const readsText = a.flags["-f"] === "-" || tool === "nsupdate";
  return { a, exec, readsText, readsStdin: readsText || Boolean(exec && exec.stdin) };
}

function main(tool, argv) {
  const stateFile = io.env.FAKE_KUBE_STATE;
  const { a, exec, readsText } = parseCall(tool, argv);
  let stdin = "";
  let stdinBytes;
  if (readsText) {
    try {
      stdin = io.stdin().toString("utf8");
    } catch {
      stdin = "";
    }
  }
  if (exec && exec.stdin) {
    // Streamed data (a tar archive) is only counted.
    try {
      stdinBytes = io.stdin().length;
    } catch {
      stdinBytes = 0;
    }
  }
  // Loaded once stdin is read: the other end of a pipe may have changed it meanwhile.
  const state = load(stateFile);
  if (io.env.FAKE_KUBE_LOG) {
    fs.appendFileSync(
      io.env.FAKE_KUBE_LOG,
      JSON.stringify({
        tool,
        argv,
        stdin: stdin || undefined,
        stdinBytes,
        exec: exec && {
          namespace: exec.namespace,
          pod: exec.pod,
          container: exec.container,
          command: exec.command,
        },
        kubeconfig: kubeconfigSeen(),
      }) + "\n",
    );
  }
  // Written whole and renamed: the two ends of a pipe (kubectl exec ... | kubectl exec -i ...) run
  // at the same time and must never read a half-written state.
  const save = () => {
    if (!stateFile) return;
    const tmp = `${stateFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state, null, 2));
    fs.renameSync(tmp, stateFile);
  };
  const out = (s) => io.out(s);
  const fail = (msg, code = 1) => {
    save();
    io.err(msg + "\n");
    io.exit(code);
  };
  const joined = [tool, ...argv].join(" ");
  for (const [prefix, msg] of Object.entries(state.failures)) if (joined.startsWith(prefix)) return fail(msg);

  if (tool === "nsupdate") return nsupdate(state, argv, save, fail);
  if (tool === "dig") return dig(state, argv, out);
  if (tool === "az") return az(state, a, out, save, fail);
  if (tool === "aws") return aws(state, argv, out, save, fail);
  if (tool === "velero") {
    out(`fake velero: ${argv.join(" ")}\n`);
    return save();
  }

  const [verb] = a.positional;
  if (exec) return execInPod(state, exec, out, save, fail);
  // `kubectl get deployments.apps/x` means `kubectl get deployments.apps x`.
  if (
    ["get", "scale", "patch", "delete", "logs"].includes(verb) &&
    a.positional.length === 2 &&
    a.positional[1].includes("/")
  ) {
    const slash = a.positional[1].indexOf("/");
    a.positional.splice(1, 1, a.positional[1].slice(0, slash), a.positional[1].slice(slash + 1));
  }
  if (verb === "kots") {
    if (!state.plugins.kots) return fail('error: unknown command "kots" for "kubectl"');
    out("fake kots\n");
    return save();
  }
  // The API server's /version (kubectl get --raw /version): the world's `serverVersion`.
  if (verb === "get" && a.flags["--raw"] !== undefined) {
    if (a.flags["--raw"] !== "/version")
      return fail(`fake kubectl: unsupported raw path ${a.flags["--raw"]}`, 3);
    const gitVersion = state.serverVersion || "v1.30.4";
    const [major, minor] = gitVersion.replace(/^v/, "").split(".");
    out(JSON.stringify({ major, minor, gitVersion, platform: "linux/amd64" }, null, 2) + "\n");
    return save();
  }
  if (verb === "config" && a.positional[1] === "view") {
    const content = (kubeconfigSeen() || {}).content || "";
    const m = /server:\s*(\S+)/.exec(content);
    out(m ? m[1] : "");
    return save();
  }
  const resource = canonical(a.positional[1] || "");
  const name = a.positional[2];
  const ns = CLUSTER_SCOPED.has(resource) ? "" : a.ns || "default";
  const key = `${resource}/${ns}/${name}`;
  switch (verb) {
    case "get": {
      if (!name) {
        const items = Object.entries(state.objects)
          .filter(([k, o]) => k.startsWith(`${resource}/${ns}/`) && matchesSelector(o, a.selector))
          .map(([, o]) => o);
        items.forEach((o) => a.output && applySequences(o, a.output));
        if (a.output && a.output.startsWith("jsonpath=")) out(jsonpath({ items }, a.output));
        else if (a.output === "name")
          out(items.map((o) => `${resource.split(".")[0]}/${o.metadata.name}\n`).join(""));
        else if (a.output === "json") out(JSON.stringify({ items }));
        else out(items.map((o) => `${o.metadata.name}\n`).join(""));
        return save();
      }
      const obj = state.objects[key];
      if (!obj && a.flags["--ignore-not-found"]) return save();
      if (!obj) return fail(`Error from server (NotFound): ${resource} "${name}" not found`);
      if (a.output && a.output.startsWith("jsonpath=")) {
        applySequences(obj, a.output);
        out(jsonpath(obj, a.output));
      } else if (a.output === "json") out(JSON.stringify(obj));
      else out(`${name}\n`);
      return save();
    }
    case "create": {
      const doc = JSON.parse(stdin);
      const res = KIND_TO_RESOURCE[doc.kind] || `${doc.kind.toLowerCase()}s`;
      const k = `${res}/${doc.metadata.namespace || a.ns || "default"}/${doc.metadata.name}`;
      if (state.objects[k])
        return fail(`Error from server (AlreadyExists): ${res} "${doc.metadata.name}" already exists`);
      state.objects[k] = deepMerge(doc, JSON.parse(JSON.stringify(state.onCreate[res] || {})));
      out(`${res}/${doc.metadata.name} created\n`);
      return save();
    }
    case "patch": {
      const obj = state.objects[key];
      if (!obj) return fail(`Error from server (NotFound): ${resource} "${name}" not found`);
      const patch = JSON.parse(a.flags["-p"] || a.flags["--patch"]);
      if (a.flags["--type"] === "json") {
        try {
          state.objects[key] = jsonPatch(obj, patch);
        } catch (e) {
          return fail(`The request is invalid: ${e.message}`);
        }
      } else state.objects[key] = deepMerge(obj, patch);
      out(`${resource}/${name} patched\n`);
      return save();
    }
    case "delete": {
      if (a.selector) {
        const keys = Object.keys(state.objects).filter(
          (k) => k.startsWith(`${resource}/${ns}/`) && matchesSelector(state.objects[k], a.selector),
        );
        keys.forEach((k) => delete state.objects[k]);
        out(keys.map((k) => `${resource} "${k.split("/").pop()}" deleted\n`).join(""));
        return save();
      }
      if (!state.objects[key]) {
        if (a.flags["--ignore-not-found"]) return save();
        return fail(`Error from server (NotFound): ${resource} "${name}" not found`);
      }
      delete state.objects[key];
      if (state.recreate[key]) state.objects[key] = JSON.parse(JSON.stringify(state.recreate[key]));
      out(`${resource} "${name}" deleted\n`);
      return save();
    }
    case "scale": {
      const targets = a.flags["--all"]
        ? Object.keys(state.objects).filter((k) => k.startsWith(`${resource}/${ns}/`))
        : [key];
      if (state.simulateWorkloads && !state.objects[key] && !a.flags["--all"])
        return fail(`Error from server (NotFound): ${resource} "${name}" not found`);
      for (const k of targets) {
        state.objects[k] = deepMerge(state.objects[k], { spec: { replicas: Number(a.flags["--replicas"]) } });
        simulateWorkload(state, k);
      }
      out(targets.map((k) => `${resource}/${k.split("/").pop()} scaled\n`).join(""));
      return save();
    }
    case "rollout": {
      let [, , kind, target] = a.positional;
      if (target === undefined && kind.includes("/"))
        [kind, target] = [kind.split("/")[0], kind.slice(kind.indexOf("/") + 1)];
      const k = `${canonical(kind)}/${ns}/${target}`;
      const obj = state.objects[k];
      if (!obj) return fail(`Error from server (NotFound): ${target} not found`);
      if (obj.rolloutError) return fail(obj.rolloutError);
      if (canonical(kind) === "statefulsets.apps") {
        const n = obj.spec && obj.spec.replicas !== undefined ? obj.spec.replicas : 1;
        out(`statefulset rolling update complete ${n} pods at revision ${target}-1...\n`);
      } else out(`deployment "${target}" successfully rolled out\n`);
      return save();
    }
    case "logs": {
      const obj = state.objects[key];
      if (!obj) return fail(`Error from server (NotFound): ${resource} "${name}" not found`);
      out(obj.fakeLogs || "");
      return save();
    }
  }
  return fail(`fake ${tool}: unsupported command: ${argv.join(" ")}`, 3);
}

/** RFC 6902 add, replace, remove and test, as `kubectl patch --type=json` applies them. */
function jsonPatch(doc, ops) {
  const outDoc = JSON.parse(JSON.stringify(doc));
  if (!Array.isArray(ops)) throw new Error("a JSON patch is a list of operations");
  for (const op of ops) {
    const parts = String(op.path)
      .split("/")
      .slice(1)
      .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
    const last = parts.pop();
    let parent = outDoc;
    for (const p of parts) {
      if (parent === null || typeof parent !== "object" || !(p in parent))
        throw new Error(`doc is missing path: ${op.path}`);
      parent = parent[p];
    }
    if (parent === null || typeof parent !== "object") throw new Error(`doc is missing path: ${op.path}`);
    const has = Array.isArray(parent) ? Number(last) < parent.length : last in parent;
    switch (op.op) {
      case "test":
        if (!has || JSON.stringify(parent[last]) !== JSON.stringify(op.value))
          throw new Error(`testing value ${op.path} failed`);
        break;
      case "add":
        if (Array.isArray(parent)) {
          if (last === "-") parent.push(op.value);
          else if (/^\d+$/.test(last) && Number(last) <= parent.length)
            parent.splice(Number(last), 0, op.value);
          else throw new Error(`invalid array index: ${op.path}`);
        } else parent[last] = op.value;
        break;
      case "replace":
        if (!has) throw new Error(`doc is missing key: ${op.path}`);
        parent[last] = op.value;
        break;
      case "remove":
        if (!has) throw new Error(`doc is missing key: ${op.path}`);
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else delete parent[last];
        break;
      default:
        throw new Error(`unsupported operation ${op.op}`);
    }
  }
  return outDoc;
}

/** With state.simulateWorkloads, a scaled workload reports its replicas (and a StatefulSet's pods follow). */
function simulateWorkload(state, key) {
  const obj = state.objects[key];
  if (!state.simulateWorkloads || !obj) return;
  const [resource, ns, name] = key.split("/");
  if (resource !== "statefulsets.apps" && resource !== "deployments.apps") return;
  const n = obj.spec && obj.spec.replicas !== undefined ? obj.spec.replicas : 1;
  const ready = obj.fakeNeverReady ? 0 : n;
  obj.status = { ...(obj.status || {}), replicas: n, readyReplicas: ready, availableReplicas: ready };
  if (resource !== "statefulsets.apps") return;
  const template = (obj.spec && obj.spec.template) || {};
  const prefix = `pods/${ns}/${name}-`;
  for (const k of Object.keys(state.objects)) {
    const ordinal = k.slice(prefix.length);
    if (k.startsWith(prefix) && /^\d+$/.test(ordinal) && Number(ordinal) >= n) delete state.objects[k];
  }
  for (let i = 0; i < n; i++) {
    if (state.objects[`${prefix}${i}`]) continue;
    state.objects[`${prefix}${i}`] = {
      metadata: {
        name: `${name}-${i}`,
        namespace: ns,
        labels: { ...((template.metadata || {}).labels || {}) },
      },
      spec: JSON.parse(JSON.stringify(template.spec || {})),
      status: { phase: "Running", conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
    };
  }
}

/** kubectl exec's own arguments: namespace, pod, container, -i; the command follows `--`. */
function parseExec(own, command) {
  let namespace = "default";
  let container;
  let stdin = false;
  const positional = [];
  for (let i = 0; i < own.length; i++) {
    const x = own[i];
    if (x === "-n" || x === "--namespace") namespace = own[++i];
    else if (x === "-c" || x === "--container") container = own[++i];
    else if (x === "--kubeconfig") i++;
    else if (x.startsWith("--namespace=")) namespace = x.slice(12);
    else if (x.startsWith("--container=")) container = x.slice(12);
    else if (x === "--stdin" || x === "--stdin=true" || /^-[a-z]*i[a-z]*$/.test(x)) stdin = true;
    else if (/^-n./.test(x)) namespace = x.slice(2).replace(/^=/, "");
    else if (/^-c./.test(x)) container = x.slice(2).replace(/^=/, "");
    else if (!x.startsWith("-")) positional.push(x);
  }
  return { namespace, pod: (positional[1] || "").replace(/^pods?\//, ""), container, stdin, command };
}

/** kubectl exec: answers from state.exec handlers (see the header). */
function execInPod(state, exec, out, save, fail) {
  const { namespace: ns, pod, container, command } = exec;
  const obj = state.objects[`pods/${ns}/${pod}`];
  if (!obj) return fail(`Error from server (NotFound): pods "${pod}" not found`);
  const phase = obj.status && obj.status.phase;
  if (phase && phase !== "Running")
    return fail(`error: cannot exec into a container in a completed pod; current phase is ${phase}`);
  const containers = ((obj.spec && obj.spec.containers) || []).map((c) => c.name);
  if (container && containers.length > 0 && !containers.includes(container))
    return fail(`error: unable to upgrade connection: container not found ("${container}")`);
  if (command.length === 0) return fail("error: you must specify at least one command for the container");
  const text = command.join(" ");
  const flags = state.execFlags;
  const handlers = [
    ...(state.exec[`${ns}/${pod}`] || []),
    ...(state.exec[`${ns}/*`] || []),
    ...(state.exec["*"] || []),
  ];
  const h = handlers.find(
    (x) =>
      [].concat(x.match === undefined ? [] : x.match).every((m) => text.includes(m)) &&
      (!x.when || flags[x.when]) &&
      (!x.unless || !flags[x.unless]),
  );
  if (!h) return fail(`fake kubectl exec: no handler in state.exec for ${ns}/${pod}: ${text}`, 126);
  h.uses = (h.uses || 0) + 1;
  const pick = (v, d) => (Array.isArray(v) ? v[Math.min(h.uses - 1, v.length - 1)] : v === undefined ? d : v);
  const code = pick(h.code, 0);
  out(pick(h.stdout, ""));
  if (h.stderr) io.err(h.stderr);
  if (code === 0 && h.set) flags[h.set] = true;
  save();
  // Not process.exit(): output to a pipe may still be on its way (asynchronous outside Linux).
  if (code !== 0) io.setExitCode(code);
}

function nsupdate(state, argv, save, fail) {
  const keyIdx = argv.indexOf("-k");
  const keyFile = keyIdx >= 0 ? argv[keyIdx + 1] : undefined;
  const file = argv.filter(
    (x, i) => (keyIdx < 0 || (i !== keyIdx && i !== keyIdx + 1)) && !x.startsWith("-"),
  )[0];
  const key = keyFile ? fs.readFileSync(keyFile, "utf8") : "";
  state.nsupdateKeyFiles = [
    ...(state.nsupdateKeyFiles || []),
    { content: key, mode: keyFile ? (fs.statSync(keyFile).mode & 0o777).toString(8) : null },
  ];
  if (state.tsigSecret && !key.includes(`secret "${state.tsigSecret}"`)) {
    return fail("; TSIG error with server: tsig verify failure");
  }
  const bare = (n) => n.replace(/\.$/, "");
  for (const l of fs.readFileSync(file, "utf8").split("\n")) {
    const t = l.trim().split(/\s+/);
    if (t[0] !== "update") continue;
    if (t[1] === "add") state.dns[bare(t[2])] = { type: t[4], value: bare(t[5]), ttl: Number(t[3]) };
    if (t[1] === "delete") {
      const rec = state.dns[bare(t[2])];
      if (rec && (!t[3] || rec.type === t[3])) delete state.dns[bare(t[2])];
    }
  }
  save();
}

function dig(state, argv, out) {
  const server = (argv.find((x) => x.startsWith("@")) || "").slice(1);
  const r53Zone = Object.values((state.route53 || {}).zones || {}).find((z) =>
    (z.nameServers || []).includes(server),
  );
  if (r53Zone) return digRoute53(state, r53Zone, argv, out);
  const names = argv.filter(
    (x) =>
      !x.startsWith("@") &&
      !x.startsWith("+") &&
      !x.startsWith("-") &&
      !/^\d+$/.test(x) &&
      !["A", "AAAA", "CNAME"].includes(x),
  );
  const rec = state.dns[names[0]];
  if (!rec) return;
  if (rec.type === "CNAME") {
    const target = state.dns[rec.value];
    out(`${rec.value}.\n${target ? target.value + "\n" : ""}`);
  } else out(`${rec.value}\n`);
}

function az(state, a, out, save) {
  const [, , type, action] = a.positional; // network dns record-set <type> <action>
  const name = a.flags["--name"];
  const zone = a.flags["--zone-name"];
  const fqdn = name === "@" ? zone : `${name}.${zone}`;
  if (action === "delete") delete state.dns[fqdn];
  if (action === "show") {
    const rec = state.dns[fqdn];
    if (rec && rec.type.toLowerCase() === type) out(`${rec.value}\n`);
  }
  save();
}

/**
 * `aws`: a stand-in for the AWS CLI v2 answering the calls of velero-dr's Route 53 DNS steps and
 * pre-flight: `sts get-caller-identity`; `route53 get-hosted-zone`, `list-resource-record-sets`,
 * `change-resource-record-sets`, `get-change`. Output is the CLI's documented JSON (`--output json`,
 * 4-space indented) or text (`--output text`: tab-separated, one line per row, booleans True/False,
 * null None), after the `--query` expressions the scripts use (anything else is refused: this is
 * not a JMESPath engine). Errors as the CLI prints them, "An error occurred (<Code>) when calling
 * the <Operation> operation: <Message>" with exit status 254 (the service refused), no
 * credentials "Unable to locate credentials..." with 253.
 *
 * State `route53`:
 *   zones:  { "<id>": { name: "example.com.", private, nameServers: [...], recordSets: [...] } }
 *           record sets as ListResourceRecordSets prints them (Name with its final dot, Type, TTL
 *           and ResourceRecords, or AliasTarget)
 *   loadBalancers: { "<dns name>": { hostedZoneId, addresses: [...] } }   what alias records may
 *           target (an alias to anything else is refused as Route 53 does) and what the zone's
 *           name servers answer for them
 *   pendingPolls: how many get-change calls answer PENDING before INSYNC (default 1); meanwhile
 *           the name servers still serve the zone as it was before the change
 *   denied: ["<Operation>", ...]   calls refused with AccessDenied
 *   batches: the change batches accepted, in order (written by the fake)
 */
function aws(state, argv, out, save, fail) {
  const flags = {};
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    if (x.startsWith("--")) {
      if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) flags[x] = argv[++i];
      else flags[x] = true;
    } else positional.push(x);
  }
  const [service, command] = positional;
  const r53 = (state.route53 = state.route53 || {});
  r53.zones = r53.zones || {};
  const operation = {
    "get-caller-identity": "GetCallerIdentity",
    "get-hosted-zone": "GetHostedZone",
    "list-resource-record-sets": "ListResourceRecordSets",
    "change-resource-record-sets": "ChangeResourceRecordSets",
    "get-change": "GetChange",
  }[command];
  if (!operation || (service === "sts") !== (operation === "GetCallerIdentity")) {
    return fail(
      `\nusage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\naws: error: fake aws does not know: ${service} ${command}`,
      252,
    );
  }
  const error = (code, message) =>
    fail(`\nAn error occurred (${code}) when calling the ${operation} operation: ${message}`, 254);
  if (!state.awsIdentity) {
    return fail(
      '\nUnable to locate credentials. You can configure credentials by running "aws configure".',
      253,
    );
  }
  const emit = (value, queries) => {
    const q = flags["--query"];
    let v = value;
    if (q !== undefined) {
      const f =
        queries[q] ||
        Object.entries(queries).find(([k]) => k.startsWith("/") && new RegExp(k.slice(1, -1)).test(q))?.[1];
      if (!f) return fail(`fake aws: --query not supported by this stand-in: ${q}`, 255);
      v = typeof f === "function" ? f(value, q) : f;
    }
    out(flags["--output"] === "text" ? textOf(v) : `${JSON.stringify(v, null, 4)}\n`);
    save();
  };
  if (operation === "GetCallerIdentity") return emit(state.awsIdentity, {});
  if ((r53.denied || []).includes(operation)) {
    const zoneArn = `arn:aws:route53:::hostedzone/${String(flags["--id"] || flags["--hosted-zone-id"] || "*").replace(/^\/hostedzone\//, "")}`;
    return error(
      "AccessDenied",
      `User: ${state.awsIdentity.Arn} is not authorized to perform: route53:${operation} on resource: ${operation === "GetChange" ? "arn:aws:route53:::change/*" : zoneArn} because no identity-based policy allows the route53:${operation} action`,
    );
  }
  if (operation === "GetChange") {
    const id = String(flags["--id"]).replace(/^\/change\//, "");
    const change = (r53.changes || {})[id];
    if (!change) return error("NoSuchChange", `A change with the specified change ID does not exist.`);
    let status = "INSYNC";
    if (change.polls > 0) {
      change.polls -= 1;
      status = "PENDING";
    } else delete r53.zones[change.zone].served;
    return emit(
      {
        ChangeInfo: {
          Id: `/change/${id}`,
          Status: status,
          SubmittedAt: change.submittedAt,
          Comment: change.comment,
        },
      },
      {
        "ChangeInfo.Status": (v) => v.ChangeInfo.Status,
      },
    );
  }
  const zoneId = String(flags["--id"] || flags["--hosted-zone-id"]).replace(/^\/hostedzone\//, "");
  const zone = r53.zones[zoneId];
  if (!zone) return error("NoSuchHostedZone", `No hosted zone found with ID: ${zoneId}`);
  if (operation === "GetHostedZone") {
    const hz = {
      HostedZone: {
        Id: `/hostedzone/${zoneId}`,
        Name: zone.name,
        CallerReference: "velero-dr-fake",
        Config: { PrivateZone: Boolean(zone.private) },
        ResourceRecordSetCount: zone.recordSets.length,
      },
      ...(zone.private
        ? { VPCs: [{ VPCRegion: "us-east-1", VPCId: "vpc-1a2b3c4d" }] }
        : { DelegationSet: { NameServers: zone.nameServers } }),
    };
    return emit(hz, {
      "[HostedZone.Name, HostedZone.Config.PrivateZone]": (v) => [
        v.HostedZone.Name,
        v.HostedZone.Config.PrivateZone,
      ],
      "DelegationSet.NameServers": (v) => (v.DelegationSet ? v.DelegationSet.NameServers : null),
    });
  }
  if (operation === "ListResourceRecordSets") {
    const start = flags["--start-record-name"] ? fqdn(flags["--start-record-name"]) : "";
    const max = Number(flags["--max-items"] || 1000);
    const sorted = [...zone.recordSets].sort((a, b) => orderKey(a).localeCompare(orderKey(b)));
    const listed = sorted.filter((r) => !start || reversed(r.Name) >= reversed(start)).slice(0, max);
    const filter =
      /^ResourceRecordSets\[\?Name == '([^']*)' && \(Type == 'A' \|\| Type == 'AAAA' \|\| Type == 'CNAME'\)\](.*)$/;
    return emit(
      { ResourceRecordSets: listed, IsTruncated: false, MaxItems: String(max) },
      {
        [`/${filter.source}/`]: (v, q) => {
          const [, name, projection] = filter.exec(q);
          const sets = v.ResourceRecordSets.filter(
            (r) => r.Name === name && ["A", "AAAA", "CNAME"].includes(r.Type),
          );
          if (projection === "") return sets;
          if (projection === ".{Action: 'DELETE', ResourceRecordSet: @}")
            return sets.map((r) => ({ Action: "DELETE", ResourceRecordSet: r }));
          if (projection === ".[Type, TTL]")
            return sets.map((r) => [r.Type, r.TTL === undefined ? null : r.TTL]);
          throw new Error(`fake aws: projection not supported: ${projection}`);
        },
      },
    );
  }
  // ChangeResourceRecordSets: each change against the zone as the ones before it left it; all or nothing.
  let batch;
  try {
    const text = String(flags["--change-batch"]);
    batch = JSON.parse(text.startsWith("file://") ? fs.readFileSync(text.slice(7), "utf8") : text);
  } catch (e) {
    return fail(`\nError parsing parameter '--change-batch': Invalid JSON: ${e.message}`, 252);
  }
  const sets = JSON.parse(JSON.stringify(zone.recordSets));
  const problems = [];
  const same = (a, b) =>
    a.Name === b.Name && a.Type === b.Type && (a.SetIdentifier || "") === (b.SetIdentifier || "");
  for (const c of batch.Changes || []) {
    const r = { ...c.ResourceRecordSet, Name: fqdn(c.ResourceRecordSet.Name) };
    const at = `[name='${r.Name}', type='${r.Type}']`;
    const i = sets.findIndex((x) => same(x, r));
    if (c.Action === "DELETE") {
      if (i < 0) problems.push(`Tried to delete resource record set ${at} but it was not found`);
      else if (!sameValues(sets[i], r))
        problems.push(
          `Tried to delete resource record set ${at} but the values provided do not match the current values`,
        );
      else sets.splice(i, 1);
      continue;
    }
    if (c.Action === "CREATE" && i >= 0) {
      problems.push(`Tried to create resource record set ${at} but it already exists`);
      continue;
    }
    if (r.Type === "CNAME" && r.Name === zone.name) {
      problems.push(
        `RRSet of type CNAME with DNS name ${r.Name} is not permitted at apex in zone ${zone.name}`,
      );
      continue;
    }
    const others = sets.filter((x) => x.Name === r.Name && !same(x, r));
    if (r.Type === "CNAME" && others.length > 0) {
      problems.push(
        `RRSet of type CNAME with DNS name ${r.Name} is not permitted as it conflicts with other records with the same DNS name in zone ${zone.name}`,
      );
      continue;
    }
    const cname = others.find((x) => x.Type === "CNAME");
    if (cname) {
      problems.push(
        `RRSet of type ${r.Type} with DNS name ${r.Name} is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone ${zone.name}`,
      );
      continue;
    }
    if (r.AliasTarget) {
      const lb = (r53.loadBalancers || {})[bareTarget(r.AliasTarget.DNSName)];
      if (!lb || lb.hostedZoneId !== r.AliasTarget.HostedZoneId) {
        problems.push(
          `Tried to create an alias that targets ${fqdn(r.AliasTarget.DNSName)}, type ${r.Type} in zone ${r.AliasTarget.HostedZoneId}, but the alias target name does not lie within the target zone`,
        );
        continue;
      }
      r.AliasTarget = { ...r.AliasTarget, DNSName: fqdn(r.AliasTarget.DNSName) };
    }
    if (i >= 0) sets[i] = r;
    else sets.push(r);
  }
  if (problems.length > 0) return error("InvalidChangeBatch", `[${problems.join(", ")}]`);
  r53.counter = (r53.counter || 0) + 1;
  const id = `C${String(r53.counter).padStart(4, "0")}FAKE53VDR`;
  const submittedAt = new Date(Date.UTC(2026, 0, 1, 0, 0, r53.counter))
    .toISOString()
    .replace(/\.000Z$/, ".000000+00:00");
  if (zone.served === undefined) zone.served = zone.recordSets;
  zone.recordSets = sets;
  r53.changes = r53.changes || {};
  r53.changes[id] = { zone: zoneId, polls: r53.pendingPolls ?? 1, submittedAt, comment: batch.Comment };
  r53.batches = [...(r53.batches || []), { zone: zoneId, ...batch }];
  return emit(
    {
      ChangeInfo: {
        Id: `/change/${id}`,
        Status: "PENDING",
        SubmittedAt: submittedAt,
        Comment: batch.Comment,
      },
    },
    {
      "ChangeInfo.Id": (v) => v.ChangeInfo.Id,
    },
  );
}

const fqdn = (n) => `${String(n).toLowerCase().replace(/\.$/, "")}.`;
const reversed = (n) => n.replace(/\.$/, "").split(".").reverse().join(".");
const orderKey = (r) => `${reversed(r.Name)} ${r.Type}`;
const bareTarget = (n) =>
  String(n)
    .toLowerCase()
    .replace(/\.$/, "")
    .replace(/^dualstack\./, "");

/** Whether a DELETE names a record set exactly as it is (values in any order). */
function sameValues(a, b) {
  const norm = (r) =>
    JSON.stringify({
      TTL: r.TTL,
      ResourceRecords: (r.ResourceRecords || []).map((x) => x.Value).sort(),
      AliasTarget: r.AliasTarget && { ...r.AliasTarget, DNSName: fqdn(r.AliasTarget.DNSName) },
    });
  return norm(a) === norm(b);
}

/** The AWS CLI's `--output text` of a value. */
function textOf(v) {
  const scalar = (x) =>
    x === null || x === undefined ? "None" : x === true ? "True" : x === false ? "False" : String(x);
  if (v === null || v === undefined) return "None\n";
  if (!Array.isArray(v))
    return typeof v === "object"
      ? `${Object.keys(v)
          .sort()
          .map((k) => scalar(v[k]))
          .join("\t")}\n`
      : `${scalar(v)}\n`;
  if (v.length === 0) return "";
  if (v.every((x) => Array.isArray(x))) return v.map((row) => `${row.map(scalar).join("\t")}\n`).join("");
  return `${v.map(scalar).join("\t")}\n`;
}

/** `dig @<name server>` of a Route 53 zone: its records as the name servers serve them. */
function digRoute53(state, zone, argv, out) {
  const type = argv.find((x) => ["A", "AAAA", "CNAME", "TXT", "MX", "NS"].includes(x)) || "A";
  const name = argv.find((x) => !x.startsWith("@") && !x.startsWith("+") && !x.startsWith("-") && x !== type);
  const sets = zone.served || zone.recordSets;
  const lbs = (state.route53 || {}).loadBalancers || {};
  const answer = (n, t) => {
    const r = sets.find((x) => x.Name === fqdn(n) && x.Type === t);
    if (!r) return [];
    if (r.AliasTarget) {
      const lb = lbs[bareTarget(r.AliasTarget.DNSName)];
      return ((lb && lb.addresses) || []).filter((a) => (t === "AAAA" ? a.includes(":") : !a.includes(":")));
    }
    return r.ResourceRecords.map((x) => (t === "CNAME" ? fqdn(x.Value) : x.Value));
  };
  let lines = answer(name, type);
  if (lines.length === 0 && type !== "CNAME") {
    const target = answer(name, "CNAME");
    if (target.length > 0)
      lines = [...target, ...(target[0].endsWith(zone.name) ? answer(target[0], type) : [])];
  }
  if (lines.length > 0) out(`${lines.join("\n")}\n`);
}

/** Thrown by `exit` in a served call: ends the call as process.exit ends a process. */
class Exit {
  constructor(code) {
    this.code = code;
  }
}

/**
 * One call served in this process (test/fakes/server.js): `env` is the caller's (only
 * FAKE_KUBE_STATE, FAKE_KUBE_LOG and KUBECONFIG are read), `stdin` its standard input when
 * `parseCall` says the call reads it. Returns what the process would have printed and its exit code.
 */
function serve(tool, argv, env, stdin) {
  const stdout = [];
  const stderr = [];
  let code = 0;
  io = {
    env,
    stdin: () => stdin ?? Buffer.alloc(0),
    out: (s) => stdout.push(Buffer.from(s)),
    err: (s) => stderr.push(Buffer.from(s)),
    exit: (c) => {
      throw new Exit(c ?? 0);
    },
    setExitCode: (c) => {
      code = c;
    },
  };
  try {
    main(tool, argv);
  } catch (e) {
    if (!(e instanceof Exit)) throw e;
    code = e.code;
  } finally {
    io = processIO();
  }
  return { code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) };
}

module.exports = { main, parseCall, serve };
