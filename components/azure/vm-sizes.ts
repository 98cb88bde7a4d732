/**
 * Which vCPU quota an AKS node size draws on. Azure counts the vCPUs of a subscription's VMs per
 * region and per VM family; `az vm list-usage --location <region>` reports each family's `limit`
 * and `currentValue`, named `name.value` (e.g. `standardDDSv5Family`) and `localName` (e.g.
 * "Standard DDSv5 Family vCPUs"). A node pool whose family has fewer free vCPUs than it needs is
 * refused by AKS after the cluster's resource group was created.
 *
 * The family of a size follows from its name: `Standard_<series><vCPUs><features>_v<n>` draws on
 * `standard<SERIES><FEATURES>v<n>Family` (Standard_D8ds_v5 on standardDDSv5Family, Standard_D8s_v5 on
 * standardDSv5Family, Standard_D8_v5 on standardDv5Family, Standard_E16as_v5 on
 * standardEASv5Family, Standard_F8s_v2 on standardFSv2Family). Only the families below are
 * accepted: their names are the ones `az vm list-skus` gives those sizes as `family` and
 * `az vm list-usage` reports (Microsoft's Compute "Usage - List" and Quota "Usages - List" REST
 * references show the format; the names were checked against published `list-skus`/`list-usage`
 * output). Newer generations (v6) name their families differently (`StandardDsv6Family`) and are
 * not listed until checked; constrained-vCPU sizes (`Standard_E8-4ds_v5`) are not accepted.
 */
const FAMILIES = [
  // General purpose, D series
  "standardDv3Family",
  "standardDSv3Family",
  "standardDv4Family",
  "standardDSv4Family",
  "standardDDv4Family",
  "standardDDSv4Family",
  "standardDAv4Family",
  "standardDASv4Family",
  "standardDv5Family",
  "standardDSv5Family",
  "standardDDv5Family",
  "standardDDSv5Family",
  "standardDASv5Family",
  "standardDADSv5Family",
  "standardDLSv5Family",
  "standardDLDSv5Family",
  // Memory optimised, E series
  "standardEv3Family",
  "standardESv3Family",
  "standardEv4Family",
  "standardESv4Family",
  "standardEDv4Family",
  "standardEDSv4Family",
  "standardEAv4Family",
  "standardEASv4Family",
  "standardEv5Family",
  "standardESv5Family",
  "standardEDv5Family",
  "standardEDSv5Family",
  "standardEASv5Family",
  "standardEADSv5Family",
  "standardEBSv5Family",
  "standardEBDSv5Family",
  // Compute optimised, F series
  "standardFSv2Family",
] as const;

export interface QuotaFamily {
  /** `name.value` of `az vm list-usage`, e.g. standardDDSv5Family. */
  family: string;
  /** `localName`, e.g. "Standard DDSv5 Family vCPUs". */
  localName: string;
  /** vCPUs of one VM of the size. */
  vcpus: number;
}

const SIZE = /^Standard_([A-Z])(\d+)([a-z]*)_v(\d+)$/;

/** The quota family and vCPUs of a VM size, or undefined for a size not known here. */
export function quotaFamilyOf(size: string): QuotaFamily | undefined {
  const m = SIZE.exec(size);
  if (!m) return undefined;
  const [, series, vcpus, features, version] = m;
  const family = `standard${series}${features.toUpperCase()}v${version}Family`;
  if (!(FAMILIES as readonly string[]).includes(family)) return undefined;
  return { family, localName: `Standard ${family.slice(8, -6)} Family vCPUs`, vcpus: Number(vcpus) };
}

/** The series of the known families, for messages: Dv3, DSv3, ..., FSv2. */
export const KNOWN_SERIES: readonly string[] = FAMILIES.map((f) => f.slice(8, -6));
