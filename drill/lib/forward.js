"use strict";
// Byte pipes between a network namespace and the drill's own: a node agent runs in a network
// namespace of its own (Velero 1.10.3's node agent binds :8085 and :8080 with no flag to move
// them, so two on one loopback collide) and reaches the API server and the object store on its
// loopback through Unix sockets, which cross network namespaces (the file system is shared).
//   node forward.js unix-to-tcp <port>=<socket> ...   listen on each socket, connect to 127.0.0.1:<port>
//   node forward.js tcp-to-unix <port>=<socket> ...   listen on 127.0.0.1:<port>, connect to the socket
// Prints "ready" once every listener is up.
const fs = require("fs");
const net = require("net");

const [mode, ...pairs] = process.argv.slice(2);
if ((mode !== "unix-to-tcp" && mode !== "tcp-to-unix") || pairs.length === 0) {
  process.stderr.write("usage: forward.js unix-to-tcp|tcp-to-unix <port>=<socket> ...\n");
  process.exit(2);
}

function pipe(a, b) {
  a.pipe(b);
  b.pipe(a);
  for (const [x, y] of [
    [a, b],
    [b, a],
  ]) {
    x.on("error", () => y.destroy());
    x.on("close", () => y.destroy());
  }
}

let pending = pairs.length;
const listening = () => {
  pending -= 1;
  if (pending === 0) process.stdout.write("ready\n");
};
for (const pair of pairs) {
  const m = /^(\d+)=(\/.+)$/.exec(pair);
  if (!m) {
    process.stderr.write(`forward.js: expected <port>=<absolute socket path>, got ${pair}\n`);
    process.exit(2);
  }
  const port = Number(m[1]);
  const socket = m[2];
  if (mode === "unix-to-tcp") {
    fs.rmSync(socket, { force: true });
    net.createServer((c) => pipe(c, net.connect(port, "127.0.0.1"))).listen(socket, listening);
  } else {
    net.createServer((c) => pipe(c, net.connect(socket))).listen(port, "127.0.0.1", listening);
  }
}
