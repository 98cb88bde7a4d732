"use strict";
/**
 * Serves the fake CLIs (fake-cli.js) to thin bash clients over loopback TCP, so each of the
 * thousands of kubectl/velero/nsupdate/dig/az calls the script tests make costs a bash start
 * instead of a node start. Started by test/support/bash.ts, one per test process:
 *
 *   node test/fakes/server.js <dir>   writes its port to <dir>/port once listening; when its
 *                                     parent closes its stdin it removes <dir> and exits.
 *
 * The calls are answered by the same code as the node fakes (`serve` in fake-cli.js), one at a
 * time, from the same state files; only the process around them differs.
 *
 * Request: NUL-terminated fields: tool, working directory, then KUBECONFIG, FAKE_KUBE_STATE and
 * FAKE_KUBE_LOG each as "1<value>" when set or "" when not, the argument count, the arguments.
 * When the call reads stdin the server answers "stdin\n" and the client sends the path of a file
 * holding it, then "\n". Answer: "<exit code> <stdout bytes> <stderr as printf %b escapes>\n",
 * then stdout; the server closes the connection.
 */
const { Buffer } = require("buffer");
const fs = require("fs");
const net = require("net");
const path = require("path");
const { parseCall, serve } = require("./fake-cli.js");

const ENV = ["KUBECONFIG", "FAKE_KUBE_STATE", "FAKE_KUBE_LOG"];

/** Bytes as one line that `printf '%b'` turns back into them. */
function escapeForPrintfB(buf) {
  let s = "";
  for (const b of buf) {
    s += b > 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\0${b.toString(8).padStart(3, "0")}`;
  }
  return s;
}

function answer(socket, call, stdin) {
  const cwd = process.cwd();
  let r;
  try {
    process.chdir(call.cwd);
    r = serve(call.tool, call.argv, call.env, stdin);
  } catch (e) {
    r = { code: 1, stdout: Buffer.alloc(0), stderr: Buffer.from(`fake ${call.tool}: ${e.stack || e}\n`) };
  } finally {
    process.chdir(cwd);
  }
  socket.end(
    Buffer.concat([Buffer.from(`${r.code} ${r.stdout.length} ${escapeForPrintfB(r.stderr)}\n`), r.stdout]),
  );
}

function onConnection(socket) {
  let buf = Buffer.alloc(0);
  let call;
  let answered = false;
  const reply = (stdin) => {
    answered = true;
    answer(socket, call, stdin);
  };
  socket.on("error", () => undefined);
  socket.on("data", (chunk) => {
    if (answered) return;
    buf = Buffer.concat([buf, chunk]);
    if (!call) {
      const fields = [];
      let at = 0;
      for (let nul = buf.indexOf(0, at); nul >= 0; nul = buf.indexOf(0, at)) {
        fields.push(buf.subarray(at, nul).toString("utf8"));
        at = nul + 1;
      }
      if (fields.length < 6 || fields.length < 6 + Number(fields[5])) return;
      const [tool, cwd, ...rest] = fields;
      const env = {};
      ENV.forEach((k, i) => {
        if (rest[i] !== "") env[k] = rest[i].slice(1);
      });
      call = { tool, cwd, env, argv: rest.slice(4, 4 + Number(rest[3])) };
      buf = buf.subarray(at);
      if (!parseCall(tool, call.argv).readsStdin) return reply(undefined);
      socket.write("stdin\n");
    }
    const nl = buf.indexOf(0x0a);
    if (nl < 0) return;
    const file = buf.subarray(0, nl).toString("utf8");
    let stdin;
    try {
      stdin = fs.readFileSync(path.resolve(call.cwd, file));
    } catch {
      stdin = Buffer.alloc(0);
    }
    reply(stdin);
  });
}

const dir = process.argv[2];
const server = net.createServer(onConnection);
server.listen(0, "127.0.0.1", () => {
  const tmp = path.join(dir, `port.${process.pid}`);
  fs.writeFileSync(tmp, `${server.address().port}\n`);
  fs.renameSync(tmp, path.join(dir, "port"));
});
// The parent (a test process) holds our stdin: when it goes, so do we, and our directory.
process.stdin.on("data", () => undefined);
process.stdin.on("close", () => {
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
