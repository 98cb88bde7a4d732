import { KNOWN_SERIES } from "../../components/azure/vm-sizes";

/**
 * A stand-in for the Azure CLI on the PATH of a program run under mocks (harness `opts.tools`):
 * a bash script, using builtins only (the PATH holds nothing else), that prints what the real
 * `az ... --output json` prints for the calls pre-flight makes. The formats follow the CLI's
 * documented output, not a live Azure: `az account show` prints the subscription
 * (`{ id, name, tenantId, user: { name, type }, ... }`); logged out it fails with "Please run 'az
 * login' to setup account." (exit 1); a subscription the login cannot see fails with
 * "Subscription '<id>' not found." (exit 1). `az vm list-usage` prints a list of
 * `{ currentValue, limit, localName, name: { localizedValue, value } }`.
 */

export const FAKE_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";

export interface UsageRow {
  /** name.value, e.g. standardDDSv5Family, or cores. */
  name: string;
  localName: string;
  currentValue: number;
  limit: number;
}

export interface FakeAzOptions {
  /** Logged in (default) or not. */
  loggedIn?: boolean;
  /** The default subscription (`az account show` without --subscription). */
  defaultSubscription?: string;
  /** Subscriptions the login may select; default: any. */
  subscriptions?: string[];
  /** What `az vm list-usage` prints; default: every known family and the regional total at 0 of 1000. */
  usage?: UsageRow[];
  /** A file each call's arguments are appended to (one line per call). */
  log?: string;
}

/** A row of `az vm list-usage` for a family (`standardDDSv5Family` -> "Standard DDSv5 Family vCPUs"). */
export function familyUsage(family: string, currentValue: number, limit: number): UsageRow {
  return { name: family, localName: `Standard ${family.slice(8, -6)} Family vCPUs`, currentValue, limit };
}

export function regionalUsage(currentValue: number, limit: number): UsageRow {
  return { name: "cores", localName: "Total Regional vCPUs", currentValue, limit };
}

const DEFAULT_USAGE = [
  regionalUsage(0, 1000),
  ...KNOWN_SERIES.map((s) => familyUsage(`standard${s}Family`, 0, 1000)),
];

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function fakeAz(o: FakeAzOptions = {}): string {
  const account = (id: string) =>
    JSON.stringify(
      {
        environmentName: "AzureCloud",
        homeTenantId: FAKE_SUBSCRIPTION,
        id,
        isDefault: id === (o.defaultSubscription ?? FAKE_SUBSCRIPTION),
        managedByTenants: [],
        name: "velero-dr tests",
        state: "Enabled",
        tenantId: FAKE_SUBSCRIPTION,
        user: { name: "operator@example.com", type: "user" },
      },
      null,
      2,
    );
  const usage = JSON.stringify(
    (o.usage ?? DEFAULT_USAGE).map((u) => ({
      currentValue: u.currentValue,
      limit: u.limit,
      localName: u.localName,
      name: { localizedValue: u.localName, value: u.name },
    })),
    null,
    2,
  );
  const allowed = o.subscriptions
    ? `case "$sub" in\n      ${o.subscriptions.map(q).join("|")}) ;;\n      *)\n        echo "ERROR: Subscription '$sub' not found. Check the spelling and casing and try again." >&2\n        exit 1\n        ;;\n    esac`
    : ":";
  const head = `#!/bin/bash
# Stand-in for the Azure CLI (test/support/fake-az.ts).
${o.log ? `printf '%s\\n' "$*" >>${q(o.log)}` : ""}
`;
  if (o.loggedIn === false) return `${head}echo "Please run 'az login' to setup account." >&2\nexit 1\n`;
  return `${head}sub=""
prev=""
for a in "$@"; do
  if [ "$prev" = "--subscription" ]; then sub="$a"; fi
  prev="$a"
done
case "$1 $2" in
  "account show")
    if [ -z "$sub" ]; then
      printf '%s\\n' ${q(account(o.defaultSubscription ?? FAKE_SUBSCRIPTION))}
      exit 0
    fi
    ${allowed}
    account=${q(account("@SUB@"))}
    printf '%s\\n' "\${account//@SUB@/$sub}"
    ;;
  "vm list-usage")
    printf '%s\\n' ${q(usage)}
    ;;
  *)
    echo "fake az: not faked: $*" >&2
    exit 2
    ;;
esac
`;
}
