"use strict";
/**
 * Fake `kubectl` (and later `velero`) for script tests: answers like the real CLI from a JSON
 * state file and records every call, so bash scripts run for real against a predictable world.
 *
 * State ($FAKE_KUBE_STATE): {
 *   objects: { "<resource>/<namespace>/<name>": { ...object, phaseSequence?: [..] } },
 *   onCreate: { "<resource>": { phaseSequence: [..] } }
 * }
 * A phaseSequence is consumed one entry per read of .status.phase (the last entry sticks), which
 * is how a test scripts "Unavailable, then Available" or "InProgress, then Completed".
 * Calls are appended to $FAKE_KUBE_LOG as JSON lines with the argv, stdin and what the process
 * saw of its kubeconfig (path, mode), so tests can check how secrets were handed over.
 */
const fs = require("fs");

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
  pods: "pods",
  ns: "namespaces",
  namespace: "namespaces",
  svc: "services",
  service: "services",
  services: "services",
};

const KIND_TO_RESOURCE = {
  Backup: "backups.velero.io",
  Restore: "restores.velero.io",
  Schedule: "schedules.velero.io",
};

function canonical(resource) {
  return ALIASES[resource] || resource;
}

function load(file) {
  if (!file || !fs.existsSync(file)) return { objects: {}, onCreate: {} };
  const s = JSON.parse(fs.readFileSync(file, "utf8"));
  s.objects = s.objects || {};
  s.onCreate = s.onCreate || {};
  return s;
}

function save(file, state) {
  if (file) fs.writeFileSync(file, JSON.stringify(state, null, 2));
}

function parseArgs(argv) {
  const out = { positional: [], ns: undefined, output: undefined, flags: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-n" || a === "--namespace") out.ns = argv[++i];
    else if (a.startsWith("--namespace=")) out.ns = a.slice(12);
    else if (a === "-o" || a === "--output") out.output = argv[++i];
    else if (a.startsWith("-o") && a.length > 2) out.output = a.slice(2).replace(/^=/, "");
    else if (a.startsWith("--output=")) out.output = a.slice(9);
    else if (a === "-f" || a === "-p" || a === "--patch" || a === "--type" || a === "--kubeconfig")
      out.flags[a] = argv[++i];
    else if (a.startsWith("--") && a.includes("=")) out.flags[a.split("=")[0]] = a.slice(a.indexOf("=") + 1);
    else if (a.startsWith("-")) out.flags[a] = true;
    else out.positional.push(a);
  }
  return out;
}

function jsonpath(obj, expr) {
  const m = /^\{(.*)\}$/.exec(expr.replace(/^jsonpath=/, ""));
  if (!m) throw new Error(`fake kubectl: unsupported jsonpath ${expr}`);
  let cur = obj;
  for (const part of m[1].split(".").filter(Boolean)) {
    if (cur === undefined || cur === null) return "";
    cur = cur[part];
  }
  if (cur === undefined || cur === null) return "";
  return typeof cur === "object" ? JSON.stringify(cur) : String(cur);
}

function readPhase(obj) {
  if (Array.isArray(obj.phaseSequence) && obj.phaseSequence.length > 0) {
    const phase = obj.phaseSequence.length > 1 ? obj.phaseSequence.shift() : obj.phaseSequence[0];
    obj.status = { ...(obj.status || {}), phase };
  }
}

function kubeconfigSeen() {
  const p = process.env.KUBECONFIG;
  if (!p) return null;
  try {
    const st = fs.statSync(p);
    return { path: p, mode: (st.mode & 0o777).toString(8), content: fs.readFileSync(p, "utf8") };
  } catch {
    return { path: p, missing: true };
  }
}

function main(tool, argv) {
  const stateFile = process.env.FAKE_KUBE_STATE;
  const state = load(stateFile);
  let stdin = "";
  const a = parseArgs(argv);
  if (a.flags["-f"] === "-") stdin = fs.readFileSync(0, "utf8");
  if (process.env.FAKE_KUBE_LOG) {
    fs.appendFileSync(
      process.env.FAKE_KUBE_LOG,
      JSON.stringify({ tool, argv, stdin: stdin || undefined, kubeconfig: kubeconfigSeen() }) + "\n",
    );
  }
  const ns = a.ns || "default";
  const [verb, resource, name] = a.positional;
  const fail = (msg, code = 1) => {
    process.stderr.write(msg + "\n");
    save(stateFile, state);
    process.exit(code);
  };
  if (verb === "get") {
    const key = `${canonical(resource)}/${ns}/${name}`;
    const obj = state.objects[key];
    if (!obj) return fail(`Error from server (NotFound): ${canonical(resource)} "${name}" not found`);
    if (a.output && a.output.startsWith("jsonpath=")) {
      if (a.output.includes(".status.phase")) readPhase(obj);
      process.stdout.write(jsonpath(obj, a.output));
    } else if (a.output === "json") {
      readPhase(obj);
      const { phaseSequence, ...rest } = obj;
      void phaseSequence;
      process.stdout.write(JSON.stringify(rest));
    } else {
      process.stdout.write(`${name}\n`);
    }
    return save(stateFile, state);
  }
  if (verb === "create" && a.flags["-f"] === "-") {
    const doc = JSON.parse(stdin);
    const res = KIND_TO_RESOURCE[doc.kind] || `${doc.kind.toLowerCase()}s`;
    const key = `${res}/${doc.metadata.namespace || ns}/${doc.metadata.name}`;
    if (state.objects[key])
      return fail(`Error from server (AlreadyExists): ${res} "${doc.metadata.name}" already exists`);
    const extra = state.onCreate[res] || {};
    state.objects[key] = { ...doc, ...JSON.parse(JSON.stringify(extra)) };
    process.stdout.write(`${res}/${doc.metadata.name} created\n`);
    return save(stateFile, state);
  }
  return fail(`fake ${tool}: unsupported command: ${argv.join(" ")}`, 3);
}

module.exports = { main };
