"use strict";
/**
 * Fake `kubectl`, `velero`, `nsupdate`, `dig` and `az` for script tests: they answer like the
 * real CLIs from a JSON state file and record every call, so bash scripts run for real against
 * a predictable world.
 *
 * State ($FAKE_KUBE_STATE):
 *   objects:  { "<resource>/<namespace>/<name>": object }   (cluster-scoped: namespace "")
 *             An object may carry `sequences: { "<jsonpath>": [v1, v2, ...] }`: each read of that
 *             jsonpath consumes one value (the last one sticks), e.g. phases over time.
 *   onCreate: { "<resource>": { ...fields merged into created objects (incl. sequences) } }
 *   plugins:  { kots: true }   (kubectl plugins that exist)
 *   dns:      { "<name>": { type, value } }   (the zone as nsupdate left it; dig answers from it)
 *   failures: { "<argv joined by space, prefix>": "message" }   (make a call fail)
 *   recreate: { "<key>": object }   (what an operator re-creates after the object is deleted)
 * Calls go to $FAKE_KUBE_LOG as JSON lines: tool, argv, stdin, and the kubeconfig file as the
 * process saw it (path, mode, content), so tests can check how secrets were handed over.
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
};
const CLUSTER_SCOPED = new Set(["namespaces"]);
const KIND_TO_RESOURCE = {
  Backup: "backups.velero.io",
  Restore: "restores.velero.io",
  Schedule: "schedules.velero.io",
};

const canonical = (r) => ALIASES[r] || r;

function load(file) {
  const s = file && fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
  for (const k of ["objects", "onCreate", "plugins", "dns", "failures", "recreate"]) s[k] = s[k] || {};
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
  const re = /\.([A-Za-z0-9_-]+)|\[(\d+)\]|\[\*\]|\[\?\(@\.([A-Za-z0-9_.]+)=="([^"]*)"\)\]/g;
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
  const a = parseArgs(argv);
  let stdin = "";
  if (a.flags["-f"] === "-" || tool === "nsupdate") {
    try {
      stdin = fs.readFileSync(0, "utf8");
    } catch {
      stdin = "";
    }
  }
  if (process.env.FAKE_KUBE_LOG) {
    fs.appendFileSync(
      process.env.FAKE_KUBE_LOG,
      JSON.stringify({ tool, argv, stdin: stdin || undefined, kubeconfig: kubeconfigSeen() }) + "\n",
    );
  }
  const save = () => stateFile && fs.writeFileSync(stateFile, JSON.stringify(state, null, 2));
  const out = (s) => process.stdout.write(s);
  const fail = (msg, code = 1) => {
    save();
    process.stderr.write(msg + "\n");
    process.exit(code);
  };
  const joined = [tool, ...argv].join(" ");
  for (const [prefix, msg] of Object.entries(state.failures)) if (joined.startsWith(prefix)) return fail(msg);

  if (tool === "nsupdate") return nsupdate(state, argv, save, fail);
  if (tool === "dig") return dig(state, argv, out);
  if (tool === "az") return az(state, a, out, save, fail);
  if (tool === "velero") {
    out(`fake velero: ${argv.join(" ")}\n`);
    return save();
  }

  const [verb] = a.positional;
  if (verb === "kots") {
    if (!state.plugins.kots) return fail('error: unknown command "kots" for "kubectl"');
    out("fake kots\n");
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
      state.objects[key] = deepMerge(obj, patch);
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
      for (const k of targets)
        state.objects[k] = deepMerge(state.objects[k], { spec: { replicas: Number(a.flags["--replicas"]) } });
      out(targets.map((k) => `${resource}/${k.split("/").pop()} scaled\n`).join(""));
      return save();
    }
    case "rollout": {
      const k = `${canonical(a.positional[2])}/${ns}/${a.positional[3]}`;
      if (!state.objects[k]) return fail(`Error from server (NotFound): ${a.positional[3]} not found`);
      out(`deployment "${a.positional[3]}" successfully rolled out\n`);
      return save();
    }
  }
  return fail(`fake ${tool}: unsupported command: ${argv.join(" ")}`, 3);
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
  const names = argv.filter(
    (x) =>
      !x.startsWith("@") &&
      !x.startsWith("+") &&
      !x.startsWith("-") &&
      !/^\d+$/.test(x) &&
      !["A", "CNAME"].includes(x),
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

module.exports = { main };
