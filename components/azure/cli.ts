import type { PreflightContext, PreflightFinding } from "../model/preflight";

/**
 * The Azure CLI as pre-flight uses it: is it logged in, can it select a subscription, what quota
 * is free. The output formats are the CLI's `-o json` ones (`az account show`: the subscription's
 * `id`, `name`, `user.name`; `az vm list-usage`: a list of `{ currentValue, limit, localName,
 * name: { value, localizedValue } }`); these are tested against stand-ins that print them, not
 * against Azure (test/support/fake-az.ts).
 */

export type AzLogin =
  | { state: "absent" }
  | { state: "logged-out"; detail: string }
  | { state: "no-subscription"; subscription: string; detail: string }
  | { state: "failed"; detail: string }
  | { state: "ok"; subscription: string; subscriptionName?: string; user?: string };

/** How to log in, for messages. */
export const AZ_LOGIN_HOW =
  "`az login` (a person), `az login --service-principal` (an application) or `az login --identity` (the machine's managed identity)";

/** `az account show` (of `subscription`, else the default one): whether az is logged in and may use it. */
export function azLogin(ctx: PreflightContext, subscription?: string): AzLogin {
  if (!ctx.has("az")) return { state: "absent" };
  const r = ctx.run("az", [
    "account",
    "show",
    ...(subscription ? ["--subscription", subscription] : []),
    "--output",
    "json",
  ]);
  const detail = firstLine(r.stderr) || r.error || `exit status ${String(r.status)}`;
  if (r.status !== 0) {
    // The CLI's words: "Please run 'az login' to setup account." (no login, or an expired one:
    // "... run `az login` to ..."); a subscription the login cannot see: "Subscription '<id>' not found."
    if (/az login/.test(r.stderr)) return { state: "logged-out", detail };
    if (subscription && /not found|doesn't exist|does not exist/i.test(r.stderr)) {
      return { state: "no-subscription", subscription, detail };
    }
    return { state: "failed", detail };
  }
  try {
    const a = JSON.parse(r.stdout) as { id?: unknown; name?: unknown; user?: { name?: unknown } };
    if (typeof a.id !== "string")
      return { state: "failed", detail: "az account show printed no subscription id" };
    return {
      state: "ok",
      subscription: a.id,
      subscriptionName: typeof a.name === "string" ? a.name : undefined,
      user: typeof a.user?.name === "string" ? a.user.name : undefined,
    };
  } catch {
    return { state: "failed", detail: "az account show printed no JSON" };
  }
}

/**
 * Findings for steps that run `az` with `--subscription <subscription>` (`what` says which and
 * why). Nothing when az is missing: the PATH check reports that.
 */
export function azLoginFindings(
  ctx: PreflightContext,
  subscription: string,
  what: string,
): PreflightFinding[] {
  const login = azLogin(ctx, subscription);
  switch (login.state) {
    case "absent":
    case "ok":
      return [];
    case "logged-out":
      return [
        {
          level: "error",
          message: `the Azure CLI is not logged in (az account show: ${login.detail}), and ${what}: log in with ${AZ_LOGIN_HOW} as an identity with access to subscription ${subscription}`,
        },
      ];
    case "no-subscription":
      return [
        {
          level: "error",
          message: `the Azure CLI's login cannot select subscription ${subscription} (az account show --subscription: ${login.detail}), and ${what}: log in (${AZ_LOGIN_HOW}) as an identity with access to it, or correct the subscription in the configuration`,
        },
      ];
    case "failed":
      return [
        {
          level: "error",
          message: `the Azure CLI's login could not be checked (az account show --subscription ${subscription}: ${login.detail}), and ${what}: run that command here and fix what it says`,
        },
      ];
  }
}

/** One row of `az vm list-usage`. */
export interface AzUsage {
  name: string;
  localName: string;
  currentValue: number;
  limit: number;
}

/** `az vm list-usage --location <location> --subscription <subscription>`, or why it failed. */
export function azVmUsage(
  ctx: PreflightContext,
  location: string,
  subscription: string,
): { usages: AzUsage[] } | { failed: string } {
  const r = ctx.run("az", [
    "vm",
    "list-usage",
    "--location",
    location,
    "--subscription",
    subscription,
    "--output",
    "json",
  ]);
  if (r.status !== 0) return { failed: firstLine(r.stderr) || r.error || `exit status ${String(r.status)}` };
  try {
    const rows = JSON.parse(r.stdout) as unknown;
    if (!Array.isArray(rows)) return { failed: "az vm list-usage printed no list" };
    // The CLI has printed the numbers both as JSON numbers and as strings: take either.
    return {
      usages: rows.flatMap((row: Record<string, unknown>) => {
        const name = row.name as { value?: unknown; localizedValue?: unknown } | undefined;
        const current = Number(row.currentValue);
        const limit = Number(row.limit);
        if (typeof name?.value !== "string" || !Number.isFinite(current) || !Number.isFinite(limit))
          return [];
        const local = typeof row.localName === "string" ? row.localName : name.localizedValue;
        return [{ name: name.value, localName: String(local ?? name.value), currentValue: current, limit }];
      }),
    };
  } catch {
    return { failed: "az vm list-usage printed no JSON" };
  }
}

/**
 * The subscription the azure-native provider works in: its own config, else ARM_SUBSCRIPTION_ID,
 * else (undefined) the Azure CLI's default subscription.
 */
export function azureNativeSubscription(ctx: PreflightContext): string | undefined {
  return ctx.config("azure-native", "subscriptionId") || ctx.env.ARM_SUBSCRIPTION_ID || undefined;
}

function firstLine(s: string): string {
  const line = s
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l !== "");
  return (line ?? "").slice(0, 300);
}
