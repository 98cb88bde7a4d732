import { scriptBody } from "../shell/body";
import { Step } from "../restore/step";
import { DnsConfig, relativeName } from "./dns-config";

export const DNS_UNPUBLISH = "dns-unpublish";
export const WAIT_LB = "wait-load-balancer";
export const DNS_PUBLISH = "dns-publish";
/** What a publish step waits for when the stack creates the records as resources (Step.waitsFor). */
export const DNS_RECORDS = "dns-records";

const COMMON_ENV = ["DNS_BASE_DOMAIN", "DNS_ZONE", "DNS_TTL_SECONDS"];
// Empty for an app without sub-domains (Code Dx, Nebari, EDA): read when set, never required.
const OPTIONAL_ENV = ["DNS_RECORD_PREFIXES"];

/** Environment values of the DNS steps (secrets excluded: the TSIG secret comes from config). */
export function dnsEnv(dns: DnsConfig): Record<string, string> {
  const env: Record<string, string> = {
    DNS_BASE_DOMAIN: dns.baseDomain,
    DNS_ZONE: dns.zone,
    DNS_TTL_SECONDS: String(dns.ttlSeconds),
    DNS_RECORD_PREFIXES: dns.recordPrefixes.join(" "),
  };
  if (dns.provider === "azure") {
    env.DNS_SUBSCRIPTION_ID = dns.subscriptionId;
    env.DNS_RESOURCE_GROUP = dns.resourceGroupName;
  } else if (dns.provider === "rfc2136") {
    env.DNS_SERVER = dns.server;
    env.DNS_PORT = String(dns.port);
    env.DNS_TSIG_KEY_NAME = dns.keyName;
    env.DNS_TSIG_ALGORITHM = dns.keyAlgorithm;
  }
  return env;
}

const UNPUBLISH_WHY =
  "Before restoring, remove the base domain so the restored system does not pull images from (or send users to) the old cluster (seed 000).";

export function dnsUnpublishStep(dns: DnsConfig, needs: string[]): Step {
  const timeoutSeconds = dns.ttlSeconds + 300;
  const base = { id: DNS_UNPUBLISH, needs, timeoutSeconds, retry: { attempts: 1, delaySeconds: 0 } };
  switch (dns.provider) {
    case "rfc2136":
      return {
        ...base,
        title: `Remove ${dns.baseDomain} from DNS (RFC 2136) and wait one TTL`,
        why: UNPUBLISH_WHY,
        kind: "dns-unpublish",
        script: {
          kubeconfig: false,
          env: [...COMMON_ENV, "DNS_SERVER", "DNS_PORT", "DNS_TSIG_KEY_NAME", "DNS_TSIG_ALGORITHM"],
          optionalEnv: OPTIONAL_ENV,
          secretEnv: ["DNS_TSIG_SECRET"],
          body: scriptBody("dns-rfc2136-unpublish"),
        },
        expected: `${dns.baseDomain} no longer resolves at ${dns.server}.`,
      };
    case "azure":
      return {
        ...base,
        title: `Remove ${dns.baseDomain} from Azure DNS and wait one TTL`,
        why: `${UNPUBLISH_WHY} Runs the Azure CLI with the operator's login.`,
        kind: "dns-unpublish",
        script: {
          kubeconfig: false,
          env: [...COMMON_ENV, "DNS_SUBSCRIPTION_ID", "DNS_RESOURCE_GROUP"],
          optionalEnv: OPTIONAL_ENV,
          body: scriptBody("dns-azure-unpublish"),
        },
        expected: `No A record for ${dns.baseDomain} and no CNAMEs for its sub-domains in zone ${dns.zone}.`,
      };
    case "manual":
      return {
        ...base,
        title: `Remove ${dns.baseDomain} from DNS (manual)`,
        why: UNPUBLISH_WHY,
        kind: "gate",
        script: {
          kubeconfig: false,
          env: [...COMMON_ENV, "DNS_UNPUBLISH_CONFIRMED"],
          optionalEnv: OPTIONAL_ENV,
          body: [
            'if [ "$DNS_UNPUBLISH_CONFIRMED" = "true" ]; then',
            '  echo "velero-dr: DNS removal confirmed by configuration (velero-dr:dns.unpublishConfirmed)"',
            "  exit 0",
            "fi",
            'echo "velero-dr: GATE - delete the DNS records of $DNS_BASE_DOMAIN and its sub-domains (${DNS_RECORD_PREFIXES:-none}), wait ${DNS_TTL_SECONDS}s, then: pulumi config set velero-dr:dns.unpublishConfirmed true && pulumi up" >&2',
            "exit 1",
          ].join("\n"),
        },
        gate: {
          instructions: [
            `Delete the DNS record of ${dns.baseDomain} and the CNAMEs ${dns.recordPrefixes.map((p) => `${p}-${dns.baseDomain}`).join(", ")}.`,
            `Wait ${dns.ttlSeconds} seconds (one TTL).`,
          ],
          continueKey: "velero-dr:dns.unpublishConfirmed",
        },
        expected: `${dns.baseDomain} no longer resolves.`,
      };
  }
}

export function waitLoadBalancerStep(needs: string[], timeoutSeconds: number): Step {
  return {
    id: WAIT_LB,
    title: "Wait for the load balancer address",
    why: "The restored ingress Service gets a new external address in the new cluster; DNS must point there.",
    kind: "wait",
    script: {
      kubeconfig: true,
      env: ["LB_NAMESPACE", "LB_SERVICE", "LB_TIMEOUT_SECONDS"],
      body: scriptBody("wait-load-balancer"),
    },
    needs,
    timeoutSeconds,
    retry: { attempts: 1, delaySeconds: 0 },
    produces: "LB_ADDRESS",
    expected: "Prints the new load balancer address.",
  };
}

export function dnsPublishStep(dns: DnsConfig): Step {
  const base = {
    id: DNS_PUBLISH,
    kind: "dns-publish" as const,
    needs: [WAIT_LB],
    timeoutSeconds: 300,
    retry: { attempts: 3, delaySeconds: 15 },
    why: `Serve ${dns.baseDomain} from the restored instance: the base domain points at the new load balancer, its sub-domains are CNAMEs to it (seed 001).`,
    expected: `${dns.baseDomain} resolves to the new load balancer address.`,
  };
  switch (dns.provider) {
    case "rfc2136":
      return {
        ...base,
        title: `Publish ${dns.baseDomain} with the new address (RFC 2136)`,
        script: {
          kubeconfig: false,
          env: [
            ...COMMON_ENV,
            "DNS_SERVER",
            "DNS_PORT",
            "DNS_TSIG_KEY_NAME",
            "DNS_TSIG_ALGORITHM",
            "LB_ADDRESS",
          ],
          optionalEnv: OPTIONAL_ENV,
          secretEnv: ["DNS_TSIG_SECRET"],
          body: scriptBody("dns-rfc2136-publish"),
        },
      };
    case "azure":
      return {
        ...base,
        title: `Check ${dns.baseDomain} in Azure DNS points at the new address`,
        note: [
          "Before this step the stack creates the records as azure-native RecordSets. By hand:",
          "",
          "```bash",
          `az network dns record-set a add-record --subscription "$DNS_SUBSCRIPTION_ID" -g "$DNS_RESOURCE_GROUP" -z "$DNS_ZONE" -n ${relativeName(dns.baseDomain, dns.zone)} --ipv4-address "$LB_ADDRESS" --ttl "$DNS_TTL_SECONDS"`,
          ...dns.recordPrefixes.map(
            (p) =>
              `az network dns record-set cname set-record --subscription "$DNS_SUBSCRIPTION_ID" -g "$DNS_RESOURCE_GROUP" -z "$DNS_ZONE" -n ${relativeName(`${p}-${dns.baseDomain}`, dns.zone)} --cname "$DNS_BASE_DOMAIN" --ttl "$DNS_TTL_SECONDS"`,
          ),
          "```",
        ],
        why: `${base.why} The records are azure-native RecordSets of the stack; this step checks the zone.`,
        waitsFor: [DNS_RECORDS],
        script: {
          kubeconfig: false,
          env: [...COMMON_ENV, "DNS_SUBSCRIPTION_ID", "DNS_RESOURCE_GROUP", "LB_ADDRESS"],
          optionalEnv: OPTIONAL_ENV,
          body: scriptBody("dns-azure-verify"),
        },
      };
    case "manual":
      return {
        ...base,
        title: `Publish ${dns.baseDomain} with the new address (manual)`,
        retry: { attempts: 1, delaySeconds: 0 },
        script: {
          kubeconfig: false,
          env: [...COMMON_ENV, "LB_ADDRESS"],
          optionalEnv: OPTIONAL_ENV,
          body: scriptBody("dns-manual-publish"),
        },
        expected: "Prints the records to create; create them in your DNS.",
      };
  }
}
