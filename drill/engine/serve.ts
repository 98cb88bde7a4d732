/**
 * How the engine's plugins come up, shared by the stand-ins: the engine starts a plugin, reads the
 * port of its gRPC server from the first line of its stdout, and stops it when it is done — a plugin
 * whose parent (the engine) went away must not linger either, as upstream's health check sees to.
 */
export function servePlugin(what: string, start: () => Promise<{ port: number }>): void {
  start().then(
    ({ port }) => {
      process.stdout.write(`${port}\n`);
      const parent = process.ppid;
      setInterval(() => {
        if (process.ppid !== parent) process.exit(0);
      }, 1000);
    },
    (err) => {
      process.stderr.write(`could not start ${what}: ${err}\n`);
      process.exit(1);
    },
  );
}
