import { randomBytes } from "crypto";
import { mkdirSync, writeFileSync } from "fs";
import * as path from "path";
import { Processes, run, waitFor } from "./procs";

/**
 * A real BIND server (Debian's bind9) on 127.0.0.1, authoritative for the app's zone, accepting
 * TSIG-signed dynamic updates: what the rfc2136 DNS provider talks to on premises.
 */
export class LocalBind {
  readonly keyName = "velero-dr-drill.";
  readonly keyAlgorithm = "hmac-sha256";
  readonly secret = randomBytes(32).toString("base64");

  constructor(
    private readonly procs: Processes,
    private readonly dir: string,
    readonly zone: string,
    readonly port = 5353,
  ) {}

  /** Serves the zone with these records, each with `ttl` (the TTL the drill's stack config states). */
  async start(records: { name: string; type: string; value: string }[], ttl: number): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const zoneFile = path.join(this.dir, `${this.zone}.zone`);
    const lines = [
      "$TTL 60",
      `@ IN SOA ns1.${this.zone}. hostmaster.${this.zone}. (1 60 60 3600 60)`,
      `@ IN NS ns1.${this.zone}.`,
      "ns1 IN A 127.0.0.1",
      ...records.map((r) => `${r.name}. ${ttl} IN ${r.type} ${r.value}`),
      "",
    ];
    writeFileSync(zoneFile, lines.join("\n"));
    const conf = path.join(this.dir, "named.conf");
    writeFileSync(
      conf,
      [
        "options {",
        `  directory "${this.dir}";`,
        `  pid-file "${path.join(this.dir, "named.pid")}";`,
        `  listen-on port ${this.port} { 127.0.0.1; };`,
        "  listen-on-v6 { none; };",
        "  recursion no;",
        "  allow-query { 127.0.0.1; };",
        "  dnssec-validation no;",
        "};",
        "controls { };",
        `key "${this.keyName}" { algorithm ${this.keyAlgorithm}; secret "${this.secret}"; };`,
        `zone "${this.zone}" { type primary; file "${zoneFile}"; update-policy { grant ${this.keyName} zonesub ANY; }; };`,
        "",
      ].join("\n"),
      { mode: 0o600 },
    );
    run("/usr/bin/named-checkconf", [conf]);
    this.procs.start("bind", "/usr/sbin/named", ["-g", "-c", conf, "-n", "1"]);
    // named -g exits on a port already taken or a zone it refuses; a stray server on the port
    // could answer too, so its own process must still run.
    await waitFor(
      `BIND on 127.0.0.1:${this.port} to answer for ${this.zone}`,
      () => {
        this.procs.assertRunning("bind");
        const a = this.query(`ns1.${this.zone}`, "A");
        if (a !== "127.0.0.1") throw new Error(`ns1.${this.zone} A answered "${a}"`);
        return true;
      },
      30000,
    );
  }

  query(name: string, type = "A"): string {
    return run(
      "/usr/bin/dig",
      ["+short", "+time=1", "+tries=1", "-p", String(this.port), "@127.0.0.1", name, type],
      { allowFail: true },
    ).stdout.trim();
  }
}
