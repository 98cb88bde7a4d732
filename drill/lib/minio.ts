import { createHash, createHmac, randomBytes } from "crypto";
import { mkdirSync } from "fs";
import * as path from "path";
import { Processes, waitFor } from "./procs";

/** A real S3 store (MinIO) on loopback, and the few S3 calls the drill needs (SigV4-signed). */
export class Minio {
  readonly endpoint: string;
  readonly accessKey = "velerodr";
  readonly secretKey = randomBytes(18).toString("hex");

  constructor(
    private readonly bin: string,
    private readonly procs: Processes,
    private readonly dir: string,
    readonly port = 9000,
    /** Its process's name (a second MinIO, e.g. another region's, needs its own). */
    readonly name = "minio",
    /**
     * The region it signs with (MINIO_REGION). A drill of the `aws` backend needs an AWS region's
     * name here: that backend takes the bucket's region from the source's outputs as an AWS region.
     */
    readonly region = "minio",
  ) {
    this.endpoint = `http://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    this.procs.start(
      this.name,
      path.join(this.bin, "minio"),
      [
        "server",
        "--address",
        `127.0.0.1:${this.port}`,
        "--console-address",
        `127.0.0.1:${this.port + 1}`,
        "--quiet",
        this.dir,
      ],
      {
        env: {
          ...process.env,
          HOME: this.dir,
          MINIO_ROOT_USER: this.accessKey,
          MINIO_ROOT_PASSWORD: this.secretKey,
          MINIO_BROWSER: "off",
          MINIO_UPDATE: "off",
          MINIO_REGION: this.region,
        },
      },
    );
    // The health endpoint can answer before the object layer is up (a 503 XMinioServerNotInitialized to the
    // next S3 call, seen in CI) and a stray MinIO from an earlier run could answer it too: ready means an S3
    // call signed with this instance's own key succeeds.
    await waitFor(
      `MinIO ${this.name} on 127.0.0.1:${this.port} to answer a signed S3 call`,
      async () => {
        this.procs.assertRunning(this.name);
        const r = await this.s3("GET", "/");
        // What it last said goes into the timeout's error (e.g. 503 XMinioServerNotInitialized).
        if (r.status !== 200) throw new Error(`S3 ListBuckets answered ${r.status} ${r.body.slice(0, 200)}`);
        return true;
      },
      60000,
    );
  }

  /** Stops the server (its data stays on disk). */
  async stop(): Promise<void> {
    await this.procs.stop(this.name);
  }

  /** Whether the server answers an S3 call signed with its key (false once it is stopped). */
  async answers(): Promise<boolean> {
    return (await this.s3("GET", "/").catch(() => undefined))?.status === 200;
  }

  /** The AWS shared-credentials file Velero and its plugin read. */
  credentialsFile(): string {
    return `[default]\naws_access_key_id=${this.accessKey}\naws_secret_access_key=${this.secretKey}\n`;
  }

  async createBucket(bucket: string): Promise<void> {
    const r = await this.s3("PUT", `/${bucket}`);
    if (r.status !== 200 && !(r.status === 409 && r.body.includes("BucketAlreadyOwnedByYou"))) {
      throw new Error(`creating bucket ${bucket}: ${r.status} ${r.body}`);
    }
  }

  async listKeys(bucket: string, prefix = ""): Promise<string[]> {
    const r = await this.s3("GET", `/${bucket}`, `list-type=2&prefix=${encodeURIComponent(prefix)}`);
    if (r.status !== 200) throw new Error(`listing ${bucket}: ${r.status} ${r.body}`);
    return [...r.body.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]);
  }

  async putObject(bucket: string, key: string, body: Buffer | string): Promise<void> {
    const r = await this.s3("PUT", `/${bucket}/${key}`, "", Buffer.from(body));
    if (r.status !== 200) throw new Error(`writing ${key}: ${r.status} ${r.body}`);
  }

  /**
   * An object written with another key (e.g. temporary credentials from `assumeRole`): the HTTP
   * status and S3 error code the store answered, nothing thrown.
   */
  async putObjectAs(
    as: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
    bucket: string,
    key: string,
    body: string,
  ): Promise<{ status: number; code: string }> {
    const r = await this.s3("PUT", `/${bucket}/${key}`, "", Buffer.from(body), "s3", {}, as);
    return { status: r.status, code: /<Code>([^<]+)<\/Code>/.exec(r.body)?.[1] ?? "" };
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    const r = await this.s3("DELETE", `/${bucket}/${key}`);
    if (r.status !== 204 && r.status !== 200) throw new Error(`deleting ${key}: ${r.status} ${r.body}`);
  }

  /**
   * Turns on the bucket's versioning (S3 PutBucketVersioning), so that the drill can list every
   * version of every object: a write that replaced or deleted an object shows as a new version.
   */
  async enableVersioning(bucket: string): Promise<void> {
    const body =
      '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>';
    const r = await this.s3("PUT", `/${bucket}`, "versioning=", Buffer.from(body));
    if (r.status !== 200) throw new Error(`enabling versioning of ${bucket}: ${r.status} ${r.body}`);
  }

  /**
   * Every version and delete marker in the bucket (S3 ListObjectVersions), one line each: key,
   * version id, ETag, size, last-modified, latest. Identical listings before and after mean nothing
   * was written, replaced or deleted in between.
   */
  async listVersions(bucket: string): Promise<string[]> {
    const out: string[] = [];
    let marker = "";
    for (;;) {
      const r = await this.s3("GET", `/${bucket}`, `versions=${marker}`);
      if (r.status !== 200) throw new Error(`listing versions of ${bucket}: ${r.status} ${r.body}`);
      for (const m of r.body.matchAll(/<(Version|DeleteMarker)>([\s\S]*?)<\/\1>/g)) {
        const field = (n: string) => new RegExp(`<${n}>([^<]*)</${n}>`).exec(m[2])?.[1] ?? "";
        out.push(
          [
            m[1],
            field("Key"),
            field("VersionId"),
            field("ETag"),
            field("Size"),
            field("LastModified"),
            field("IsLatest"),
          ].join(" "),
        );
      }
      const next = /<NextKeyMarker>([^<]+)<\/NextKeyMarker>/.exec(r.body)?.[1];
      if (!/<IsTruncated>true<\/IsTruncated>/.test(r.body) || !next) break;
      marker = `&key-marker=${encodeURIComponent(next)}`;
    }
    return out.sort();
  }

  /**
   * Temporary credentials that may only read `bucket` (STS AssumeRole with a session policy, as
   * MinIO implements it): what a team gives a rehearsal's Velero so that the store itself refuses
   * any write.
   */
  async readOnlyCredentials(
    bucket: string,
    seconds = 3600,
  ): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string }> {
    return this.assumeRole(
      {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: ["s3:GetBucketLocation", "s3:ListBucket"],
            Resource: [`arn:aws:s3:::${bucket}`],
          },
          { Effect: "Allow", Action: ["s3:GetObject"], Resource: [`arn:aws:s3:::${bucket}/*`] },
        ],
      },
      seconds,
    );
  }

  /**
   * Temporary credentials limited to `sessionPolicy` (an IAM policy document; MinIO's STS
   * AssumeRole intersects it with the root key's rights, which are everything).
   */
  async assumeRole(
    sessionPolicy: object,
    seconds = 3600,
  ): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string }> {
    const policy = JSON.stringify(sessionPolicy);
    const form = new URLSearchParams({
      Action: "AssumeRole",
      Version: "2011-06-15",
      DurationSeconds: String(seconds),
      Policy: policy,
    }).toString();
    const r = await this.s3("POST", "/", "", Buffer.from(form), "sts", {
      "content-type": "application/x-www-form-urlencoded",
    });
    const field = (n: string) => new RegExp(`<${n}>([^<]+)</${n}>`).exec(r.body)?.[1];
    const accessKeyId = field("AccessKeyId");
    const secretAccessKey = field("SecretAccessKey");
    const sessionToken = field("SessionToken");
    if (r.status !== 200 || !accessKeyId || !secretAccessKey || !sessionToken)
      throw new Error(`STS AssumeRole: ${r.status} ${r.body}`);
    return { accessKeyId, secretAccessKey, sessionToken };
  }

  private async s3(
    method: string,
    pathname: string,
    query = "",
    body: Buffer = Buffer.alloc(0),
    service = "s3",
    extraHeaders: Record<string, string> = {},
    /** Whose key signs (default: the root key). */
    as: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = {
      accessKeyId: this.accessKey,
      secretAccessKey: this.secretKey,
    },
  ) {
    const url = new URL(`${this.endpoint}${encodePath(pathname)}${query ? `?${query}` : ""}`);
    const now = new Date();
    const amzDate = now
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d{3}/, "");
    const day = amzDate.slice(0, 8);
    const payloadHash = sha256(body);
    const headers: Record<string, string> = {
      ...extraHeaders,
      ...(as.sessionToken ? { "x-amz-security-token": as.sessionToken } : {}),
      host: url.host,
      "x-amz-content-sha256": payloadHash,
      "x-amz-date": amzDate,
    };
    const signed = Object.keys(headers).sort();
    const canonicalQuery = [...url.searchParams.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
      .join("&");
    const canonical = [
      method,
      url.pathname,
      canonicalQuery,
      ...signed.map((h) => `${h}:${headers[h]}`),
      "",
      signed.join(";"),
      payloadHash,
    ].join("\n");
    const scope = `${day}/${this.region}/${service}/aws4_request`;
    const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(Buffer.from(canonical))].join("\n");
    let key: Buffer = hmac(`AWS4${as.secretAccessKey}`, day);
    for (const part of [this.region, service, "aws4_request"]) key = hmac(key, part);
    const signature = createHmac("sha256", key).update(toSign).digest("hex");
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${as.accessKeyId}/${scope}, SignedHeaders=${signed.join(";")}, Signature=${signature}`;
    const res = await fetch(url, {
      method,
      headers,
      body: (method === "PUT" || method === "POST") && body.length > 0 ? body : undefined,
    });
    return { status: res.status, body: await res.text() };
  }
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const hmac = (k: Buffer | string, s: string) => createHmac("sha256", k).update(s).digest();
const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const encodePath = (p: string) => p.split("/").map(rfc3986).join("/");
