import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { Processes, run, waitFor } from "./procs";

/**
 * A PostgreSQL server from Debian's postgresql package, started by hand on loopback for the
 * drill: 127.0.0.1:<port> and a socket directory, trust authentication for the `postgres` role,
 * logging to the drill's log of process `name`. PostgreSQL refuses to run as root, so a drill run
 * as root runs initdb, postgres and pg_ctl as an unprivileged user (default: the package's
 * `postgres`) through setpriv, which execs in place: the drill's process is the postmaster itself.
 * (Not root, the drill runs them as itself.) Several instances
 * can run at once, each with its own `name`, `dir` and `port`.
 *
 * The data directory must be reachable by that user: it is <dir>/data when the user can reach
 * `dir`; the drill's work directory is private to root (0700), and then it is a fresh directory
 * under the system temporary directory instead (removed by stop()).
 */
export class LocalPostgres {
  readonly bin: string;
  /** Holds data/ and run/ (the socket directory); owned by `user`. */
  home = "";
  dataDir = "";
  socketDir = "";
  private temporaryHome = false;

  constructor(
    readonly name: string,
    private readonly procs: Processes,
    readonly dir: string,
    readonly port: number,
    readonly user = "postgres",
    bin?: string,
  ) {
    this.bin = bin ?? postgresBin();
  }

  /** setpriv's arguments to run as `user` (as root); none when the drill itself is not root. */
  private asUser(): string[] {
    return isRoot() ? ["--reuid", this.user, "--regid", this.user, "--init-groups", "--"] : ["--"];
  }

  /** Initialises the data directory on first use, starts postgres and waits until it answers. */
  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    if (!this.home) {
      const reachable =
        run("setpriv", [...this.asUser(), "test", "-x", this.dir], { allowFail: true }).code === 0;
      this.temporaryHome = !reachable;
      this.home = reachable
        ? path.join(this.dir, "pg")
        : mkdtempSync(path.join(os.tmpdir(), `velero-dr-${this.name}-`));
      this.dataDir = path.join(this.home, "data");
      this.socketDir = path.join(this.home, "run");
      for (const d of [this.home, this.socketDir]) {
        mkdirSync(d, { recursive: true, mode: 0o700 });
        if (isRoot()) chownSync(d, uidOf(this.user, "-u"), uidOf(this.user, "-g"));
      }
    }
    if (!existsSync(path.join(this.dataDir, "PG_VERSION"))) {
      run("setpriv", [
        ...this.asUser(),
        path.join(this.bin, "initdb"),
        "-D",
        this.dataDir,
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
        "--no-sync",
      ]);
    }
    this.procs.start(
      this.name,
      "setpriv",
      [
        ...this.asUser(),
        path.join(this.bin, "postgres"),
        "-D",
        this.dataDir,
        "-p",
        String(this.port),
        "-k",
        this.socketDir,
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "fsync=off",
        "-c",
        "full_page_writes=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "shared_buffers=16MB",
        "-c",
        "max_connections=20",
      ],
      { cwd: this.home },
    );
    await waitFor(
      `PostgreSQL ${this.name} on 127.0.0.1:${this.port}`,
      () => {
        this.procs.assertRunning(this.name);
        const r = this.sql("SELECT 1", "postgres", true);
        if (r.code !== 0) throw new Error(r.stderr.trim());
        return true;
      },
      60000,
      300,
    );
  }

  /** Connection arguments for psql/pg_dump over TCP as `postgres` (also for commands run in a pod). */
  clientArgs(database = "postgres"): string[] {
    return ["-h", "127.0.0.1", "-p", String(this.port), "-U", "postgres", "-d", database];
  }

  /**
   * Runs SQL (one or more statements, stopping at the first error) with psql; returns its output
   * (unaligned, tuples only: one row a line, columns separated by |).
   */
  sql(
    sql: string,
    database = "postgres",
    allowFail = false,
  ): { code: number; stdout: string; stderr: string } {
    return run(
      path.join(this.bin, "psql"),
      ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", ...this.clientArgs(database), "-f", "-"],
      { input: sql, allowFail, env: { ...process.env, PGCONNECT_TIMEOUT: "5" } },
    );
  }

  /** The rows of a query, each a list of column values. */
  query(sql: string, database = "postgres"): string[][] {
    return this.sql(sql, database)
      .stdout.split("\n")
      .filter((l) => l !== "")
      .map((l) => l.split("|"));
  }

  /** A plain-SQL dump (pg_dump) of one database. */
  dump(database: string): string {
    return run(path.join(this.bin, "pg_dump"), [
      "--no-owner",
      "--no-privileges",
      ...this.clientArgs(database),
    ]).stdout;
  }

  /** Fast shutdown (pg_ctl -m fast), then the process is gone; a temporary home is removed. */
  async stop(): Promise<void> {
    if (this.procs.running(this.name)) {
      run(
        "setpriv",
        [
          ...this.asUser(),
          path.join(this.bin, "pg_ctl"),
          "stop",
          "-D",
          this.dataDir,
          "-m",
          "fast",
          "-w",
          "-t",
          "30",
        ],
        { allowFail: true },
      );
    }
    await this.procs.stop(this.name);
    if (this.temporaryHome && this.home) {
      rmSync(this.home, { recursive: true, force: true });
      this.home = "";
    }
  }
}

const isRoot = () => process.getuid?.() === 0;
const uidOf = (user: string, flag: "-u" | "-g") => Number(run("id", [flag, user]).stdout.trim());

/** The newest /usr/lib/postgresql/<major>/bin that has initdb. */
export function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(path.join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors.length === 0) {
    throw new Error(`no PostgreSQL server in ${root}/*/bin (Debian package postgresql)`);
  }
  return path.join(root, majors[0], "bin");
}
