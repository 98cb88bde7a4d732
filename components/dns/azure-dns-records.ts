import * as pulumi from "@pulumi/pulumi";
import * as dns from "@pulumi/azure-native/dns";
import type { AzureDns } from "./azure";
import { relativeName } from "./dns-config";

export interface AzureDnsRecordsArgs {
  dns: AzureDns;
  /** The new load balancer address (the wait-load-balancer step's output). */
  address: pulumi.Input<string>;
}

/**
 * The application's records in Azure DNS after cut-over (Plotly's Dash Enterprise AKS installation
 * guide): the base domain as an A
 * record to the load balancer, and each sub-domain as a CNAME to the base domain.
 */
export class AzureDnsRecords extends pulumi.ComponentResource {
  public readonly records: dns.RecordSet[] = [];

  constructor(name: string, args: AzureDnsRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("velero-dr:dns:AzureDnsRecords", name, {}, opts);
    const d = args.dns;
    const common = { zoneName: d.zone, resourceGroupName: d.resourceGroupName, ttl: d.ttlSeconds };
    const provider = { parent: this, deleteBeforeReplace: true };
    this.records.push(
      new dns.RecordSet(
        `${name}-base`,
        {
          ...common,
          relativeRecordSetName: relativeName(d.baseDomain, d.zone),
          recordType: "A",
          aRecords: [{ ipv4Address: args.address }],
        },
        provider,
      ),
    );
    for (const prefix of d.recordPrefixes) {
      this.records.push(
        new dns.RecordSet(
          `${name}-${prefix}`,
          {
            ...common,
            relativeRecordSetName: relativeName(`${prefix}-${d.baseDomain}`, d.zone),
            recordType: "CNAME",
            cnameRecord: { cname: d.baseDomain },
          },
          provider,
        ),
      );
    }
    this.registerOutputs({});
  }
}
