/**
 * Azure's region names, as `location` takes them, with their display names.
 *
 * Source: the `Name` and `DisplayName` columns of `az account list-locations -o table` (regions of
 * type Physical; the logical ones such as `europe` or `global` hold no resources, and the
 * `*euap`/`*stage` ones are for Microsoft's early-access programs) in the public cloud, and of the
 * same command in the US Government (`az cloud set --name AzureUSGovernment`) and China
 * (`AzureChinaCloud`) clouds, whose `velero-dr:azure.cloudName` the stack accepts. Azure adds regions:
 * a new one is one line here.
 */
const REGIONS: readonly (readonly [name: string, displayName: string])[] = [
  // Public cloud
  ["australiacentral", "Australia Central"],
  ["australiacentral2", "Australia Central 2"],
  ["australiaeast", "Australia East"],
  ["australiasoutheast", "Australia Southeast"],
  ["austriaeast", "Austria East"],
  ["belgiumcentral", "Belgium Central"],
  ["brazilsouth", "Brazil South"],
  ["brazilsoutheast", "Brazil Southeast"],
  ["canadacentral", "Canada Central"],
  ["canadaeast", "Canada East"],
  ["centralindia", "Central India"],
  ["centralus", "Central US"],
  ["chilecentral", "Chile Central"],
  ["eastasia", "East Asia"],
  ["eastus", "East US"],
  ["eastus2", "East US 2"],
  ["francecentral", "France Central"],
  ["francesouth", "France South"],
  ["germanynorth", "Germany North"],
  ["germanywestcentral", "Germany West Central"],
  ["indonesiacentral", "Indonesia Central"],
  ["israelcentral", "Israel Central"],
  ["italynorth", "Italy North"],
  ["japaneast", "Japan East"],
  ["japanwest", "Japan West"],
  ["jioindiacentral", "Jio India Central"],
  ["jioindiawest", "Jio India West"],
  ["koreacentral", "Korea Central"],
  ["koreasouth", "Korea South"],
  ["malaysiawest", "Malaysia West"],
  ["mexicocentral", "Mexico Central"],
  ["newzealandnorth", "New Zealand North"],
  ["northcentralus", "North Central US"],
  ["northeurope", "North Europe"],
  ["norwayeast", "Norway East"],
  ["norwaywest", "Norway West"],
  ["polandcentral", "Poland Central"],
  ["qatarcentral", "Qatar Central"],
  ["southafricanorth", "South Africa North"],
  ["southafricawest", "South Africa West"],
  ["southcentralus", "South Central US"],
  ["southeastasia", "Southeast Asia"],
  ["southindia", "South India"],
  ["spaincentral", "Spain Central"],
  ["swedencentral", "Sweden Central"],
  ["swedensouth", "Sweden South"],
  ["switzerlandnorth", "Switzerland North"],
  ["switzerlandwest", "Switzerland West"],
  ["uaecentral", "UAE Central"],
  ["uaenorth", "UAE North"],
  ["uksouth", "UK South"],
  ["ukwest", "UK West"],
  ["westcentralus", "West Central US"],
  ["westeurope", "West Europe"],
  ["westindia", "West India"],
  ["westus", "West US"],
  ["westus2", "West US 2"],
  ["westus3", "West US 3"],
  // US Government cloud
  ["usdodcentral", "US DoD Central"],
  ["usdodeast", "US DoD East"],
  ["usgovarizona", "US Gov Arizona"],
  ["usgovtexas", "US Gov Texas"],
  ["usgovvirginia", "US Gov Virginia"],
  // China cloud
  ["chinaeast", "China East"],
  ["chinaeast2", "China East 2"],
  ["chinaeast3", "China East 3"],
  ["chinanorth", "China North"],
  ["chinanorth2", "China North 2"],
  ["chinanorth3", "China North 3"],
];

export const AZURE_REGIONS: readonly string[] = REGIONS.map(([name]) => name);

/** Lower case, without spaces: "West Europe" and "WestEurope" both become westeurope. */
const squash = (v: string): string => v.replace(/\s+/g, "").toLowerCase();

/**
 * What `value` is: the region it names exactly (any case: ARM compares locations ignoring case), a
 * display name or other spelling of one (`hint`: the name to set), or none (`nearest` names).
 */
export function lookupRegion(value: string): { region?: string; hint?: string; nearest: string[] } {
  const exact = REGIONS.find(([name]) => name === value.toLowerCase());
  if (exact) return { region: exact[0], nearest: [] };
  const spelled = REGIONS.find(
    ([name, display]) => name === squash(value) || squash(display) === squash(value),
  );
  if (spelled) return { hint: spelled[0], nearest: [spelled[0]] };
  return { nearest: nearestRegions(squash(value)) };
}

/** The three known names closest to `value` (edit distance), for "did you mean". */
function nearestRegions(value: string): string[] {
  return AZURE_REGIONS.map((name) => ({ name, d: distance(value, name) }))
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, 3)
    .map((r) => r.name);
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
