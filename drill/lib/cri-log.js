#!/usr/bin/env node
// Part of the drill's stand-in for a pod's container log: what a process writes (its stdin here)
// is appended to its plain log and, in the CRI logging format a kubelet's runtime writes
// ("<RFC3339Nano time> <stream> F <line>"), to the file KWOK serves as the container's log
// (`kubectl logs`). Runs as its own process, so a busy drill never holds up the process it logs.
"use strict";
const fs = require("fs");
const [plain, cri] = process.argv.slice(2);
const plainFd = fs.openSync(plain, "a");
const criFd = fs.openSync(cri, "a");
let rest = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  fs.writeSync(plainFd, chunk);
  const lines = (rest + chunk).split("\n");
  rest = lines.pop();
  const at = new Date().toISOString();
  const out = lines.map((l) => `${at} stderr F ${l}\n`).join("");
  if (out) fs.writeSync(criFd, out);
});
process.stdin.on("end", () => {
  if (rest) fs.writeSync(criFd, `${new Date().toISOString()} stderr F ${rest}\n`);
  fs.closeSync(plainFd);
  fs.closeSync(criFd);
});
