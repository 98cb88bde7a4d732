import { z } from "zod";
import { azLoginFindings } from "../azure/cli";
import * as names from "../model/names";
import { named } from "../model/values";
import { scriptBody } from "../shell/body";
import type { AzureDnsRecords } from "./azure-dns-records";
import { DnsCommon, relativeName } from "./dns-config";
import {
  COMMON_ENV,
  commonEnv,
  DNS_RECORDS,
  commonOf,
  DnsProvider,
  OPTIONAL_ENV,
  publishBase,
  UNPUBLISH_WHY,
  unpublishBase,
} from "./provider";

export interface AzureDns extends DnsCommon {
  provider: "azure";
  subscriptionId: string;
  resourceGroupName: string;
}

/**
 * Azure DNS: the old records are removed with the Azure CLI (the operator's login), the new ones
 * are azure-native RecordSets of the stack; the publish step checks the zone.
 */
export const azure: DnsProvider<AzureDns> = {
  name: "azure",
  tools: [
    {
      name: "az",
      why: "the DNS unpublish step removes the old records with the Azure CLI, logged in (az login) with rights on the zone",
      install: "https://learn.microsoft.com/cli/azure/install-azure-cli",
    },
  ],
  // The unpublish step's `az ... --subscription` needs a login that may use the zone's subscription.
  preflight: (dns, ctx) =>
    azLoginFindings(
      ctx,
      dns.subscriptionId,
      `the DNS unpublish step removes ${dns.baseDomain}'s records from zone ${dns.zone} (subscription ${dns.subscriptionId}, dns.azure.subscriptionId or velero-dr:azure.subscriptionId) with it`,
    ),
  keys: {
    azure: z
      .strictObject({
        resourceGroupName: named(names.RESOURCE_GROUP),
        subscriptionId: named(names.UUID).optional(),
      })
      .optional(),
  },
  check: (dns, config) => {
    const a = dns.azure as { subscriptionId?: string } | undefined;
    if (a === undefined) {
      return [
        {
          path: ["dns", "azure"],
          message: "required with dns.provider azure: { resourceGroupName } of the DNS zone",
        },
      ];
    }
    // The zone's subscription defaults to the stack's Azure one; a stack without one names it.
    return a.subscriptionId === undefined && config.azure === undefined
      ? [
          {
            path: ["dns", "azure", "subscriptionId"],
            message:
              "is required when the stack has no velero-dr:azure settings: the DNS zone's subscription (GUID)",
          },
        ]
      : [];
  },
  resolve: (dns, ctx) => {
    const a = dns.azure as { resourceGroupName: string; subscriptionId?: string };
    return {
      provider: "azure",
      ...commonOf(dns, ctx.recordPrefixes),
      resourceGroupName: a.resourceGroupName,
      subscriptionId: (a.subscriptionId ?? ctx.azureSubscriptionId) as string,
    };
  },
  env: (dns) => ({
    ...commonEnv(dns),
    DNS_SUBSCRIPTION_ID: dns.subscriptionId,
    DNS_RESOURCE_GROUP: dns.resourceGroupName,
  }),
  unpublishStep: (dns, needs) => ({
    ...unpublishBase(dns, needs),
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
  }),
  publishStep: (dns) => {
    const base = publishBase(dns);
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
  },
  resources: ({ dns, address, after }) => {
    // Loaded only when a stack creates the records: the runbook and the config check need no Azure SDK.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { AzureDnsRecords: Records } = require("./azure-dns-records") as {
      AzureDnsRecords: typeof AzureDnsRecords;
    };
    // Every record waits for the new address, not only the A record: the unpublish step deletes
    // the sub-domains' CNAMEs too, so a CNAME created before it would be deleted behind Pulumi's
    // back (or collide with the old record).
    const records = new Records("dns", { dns, address }, { dependsOn: [after] });
    return { publishAfter: [records], records: records.records.map((r) => r.name) };
  },
};
