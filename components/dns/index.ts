/**
 * Public entry `velero-dr/dns`: the DNS cut-over plug-ins (azure, rfc2136, route53, manual, none:
 * the steps that move an application's names to the new cluster) and the Azure DNS records
 * component. Importing it registers nothing.
 */
export { DNS_PROVIDER_NAMES, dnsProviderOf, dnsProviders } from "./providers";
export type { DnsConfig, DnsProviderName } from "./providers";
export type { DnsProvider, DnsResourceArgs, DnsResources, RawDns } from "./provider";
export type { DnsCommon } from "./dns-config";
export { AzureDnsRecords } from "./azure-dns-records";
export type { AzureDnsRecordsArgs } from "./azure-dns-records";
