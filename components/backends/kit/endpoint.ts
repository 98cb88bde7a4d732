import { show } from "../../model/values";

/**
 * An S3 endpoint a backend's settings name (BSL `s3Url`, `publicUrl`), checked the same way for
 * every backend: an http:// or https:// URL without credentials, query, fragment or trailing '/'
 * (velero-plugin-for-aws joins the bucket and key to it). Plain data, no Pulumi.
 */

export interface EndpointRule {
  /** What the value is, after "expected": "the store's S3 endpoint". */
  what: string;
  /** An example of a good value. */
  example: string;
  /** Where credentials belong instead, after "contains credentials (not shown); ". */
  credentialsAdvice: string;
}

/**
 * Whether `v` carries a user or password (`user:password@host`). Any '@' counts, wherever it is:
 * a URL parser ends the authority at the first '/', and an AWS secret access key may contain '/'
 * (`https://AKIA…:abc/def@host`), so only the whole value is a safe place to look. No endpoint
 * has another use for '@' (a query or fragment is refused anyway).
 */
export function hasCredentials(v: string): boolean {
  return v.includes("@");
}

/**
 * The problem with endpoint `v`, or undefined. Credentials are looked for first and before any
 * parsing, so no other message (bad scheme, bad port) ever repeats a value that holds a secret.
 */
export function endpointProblem(v: string, rule: EndpointRule): string | undefined {
  if (hasCredentials(v)) {
    // The value holds a credential: neither it nor any part of it is repeated.
    return `contains credentials (a user or password before '@'; the value is not shown); ${rule.credentialsAdvice}`;
  }
  let url: URL | undefined;
  try {
    url = new URL(v);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    return `got ${show(v)}; expected ${rule.what}, an http:// or https:// URL such as ${rule.example}`;
  }
  if (url.search !== "" || url.hash !== "" || v.endsWith("/") || v.includes("?") || v.includes("#")) {
    return `got ${show(v)}; expected ${rule.what} without a query, fragment or trailing '/' (e.g. ${url.origin})`;
  }
  return undefined;
}
