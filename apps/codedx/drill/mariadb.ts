import { existsSync, mkdirSync } from "fs";
import * as path from "path";
import { Processes, run, waitFor } from "../../../drill/lib/procs";

/**
 * A MariaDB server from Debian's mariadb-server, started by hand on loopback for the drill (no
 * system service): its own data directory under `dir`, TCP on 127.0.0.1:<port> and a socket at
 * <dir>/sock, run as the drill's user (`--user=root` when root), logging to the drill's log of process `name`. Root
 * connects without a password (mariadb-install-db's "normal" root authentication). Several
 * instances can run at once, each with its own `name`, `dir` and `port`.
 */
export class LocalMariaDB {
  readonly dataDir: string;
  readonly socket: string;
  /** Where the socket, pid file and temporary files go (`dir` unless given). */
  readonly runDir: string;
  /** The last start() initialised an empty data directory (a first boot). */
  firstBoot = false;

  constructor(
    readonly name: string,
    private readonly procs: Processes,
    readonly dir: string,
    readonly port: number,
    private readonly o: { runDir?: string; args?: string[] } = {},
  ) {
    this.dataDir = path.join(dir, "data");
    this.runDir = o.runDir ?? dir;
    this.socket = path.join(this.runDir, "sock");
  }

  /** Initialises the data directory on first use, starts mariadbd and waits until it answers. */
  async start(): Promise<void> {
    mkdirSync(path.join(this.runDir, "tmp"), { recursive: true, mode: 0o700 });
    // mariadbd refuses to run as root unless told to; not root, it runs as the drill's user.
    const asRoot = process.getuid?.() === 0 ? ["--user=root"] : [];
    this.firstBoot = !existsSync(path.join(this.dataDir, "mysql"));
    if (this.firstBoot) {
      run("mariadb-install-db", [
        "--no-defaults",
        ...asRoot,
        `--datadir=${this.dataDir}`,
        "--auth-root-authentication-method=normal",
        "--skip-test-db",
        "--skip-name-resolve",
      ]);
    }
    this.procs.start(this.name, "mariadbd", [
      "--no-defaults",
      ...asRoot,
      `--datadir=${this.dataDir}`,
      "--skip-networking=0",
      "--bind-address=127.0.0.1",
      `--port=${this.port}`,
      `--socket=${this.socket}`,
      `--pid-file=${path.join(this.runDir, "mariadbd.pid")}`,
      `--tmpdir=${path.join(this.runDir, "tmp")}`,
      "--skip-name-resolve",
      "--performance-schema=OFF",
      "--innodb-buffer-pool-size=32M",
      "--innodb-log-file-size=16M",
      "--innodb-flush-log-at-trx-commit=2",
      "--innodb-doublewrite=0",
      ...(this.o.args ?? []),
    ]);
    await waitFor(
      `MariaDB ${this.name} on 127.0.0.1:${this.port}`,
      () => {
        this.procs.assertRunning(this.name);
        const r = this.sql("SELECT 1", undefined, true);
        if (r.code !== 0) throw new Error(r.stderr.trim());
        return true;
      },
      60000,
      300,
    );
  }

  /** Client arguments for this server over TCP, as root (for commands run elsewhere, e.g. in a pod). */
  clientArgs(): string[] {
    return ["--no-defaults", "--protocol=TCP", "-h", "127.0.0.1", "-P", String(this.port), "-u", "root"];
  }

  /**
   * Runs SQL (one or more statements) with the `mariadb` client over the socket; returns its
   * result (batch mode: tab-separated rows, no column names). Throws when the client fails unless
   * allowFail.
   */
  sql(sql: string, database?: string, allowFail = false): { code: number; stdout: string; stderr: string } {
    return run(
      "mariadb",
      [
        "--no-defaults",
        `--socket=${this.socket}`,
        "-u",
        "root",
        "--batch",
        "--skip-column-names",
        ...(database ? [database] : []),
      ],
      { input: sql, allowFail },
    );
  }

  /** The rows of a query, each a list of (tab-separated) column values. */
  query(sql: string, database?: string): string[][] {
    return this.sql(sql, database)
      .stdout.split("\n")
      .filter((l) => l !== "")
      .map((l) => l.split("\t"));
  }

  /** A logical dump (mariadb-dump) of the databases: the SQL that recreates them. */
  dump(databases: string[]): string {
    return run("mariadb-dump", [
      "--no-defaults",
      `--socket=${this.socket}`,
      "-u",
      "root",
      "--single-transaction",
      "--routines",
      "--events",
      "--databases",
      ...databases,
    ]).stdout;
  }

  /** Stops the server (SIGTERM: a clean shutdown). */
  async stop(): Promise<void> {
    await this.procs.stop(this.name);
  }
}
