import { AZ_LOGIN_HOW, azLogin, azureNativeSubscription } from "../../azure/cli";
import type { PreflightContext, PreflightFinding } from "../../model/preflight";

/**
 * An Azure destination creates Azure resources (Velero's Azure AD application and role
 * assignments; a new AKS cluster) with the azure-native and azuread providers. Their documented
 * credential sources (Pulumi's Azure Native / Azure AD "Installation & Configuration"): the Azure
 * CLI's login, a service principal with a client secret or certificate, a managed identity (MSI),
 * OpenID Connect — each from the ARM_* environment or the provider's own config. Without any, the
 * first Azure resource fails; with an Azure CLI login whose default subscription is another one,
 * everything is created there. A source named in the environment or the config is taken as
 * present (its secret cannot be checked without signing in); the CLI's login is checked.
 */
export function azureCredentialFindings(
  ctx: PreflightContext,
  stackSubscription: string,
): PreflightFinding[] {
  const missing = ["azure-native", "azuread"].filter((p) => explicitSource(ctx, p) === undefined);
  if (missing.length === 0) return [];
  const providers = missing.join(" and ");
  const options = [
    AZ_LOGIN_HOW,
    "a service principal: ARM_CLIENT_ID, ARM_TENANT_ID and ARM_CLIENT_SECRET (or ARM_CLIENT_CERTIFICATE_PATH)",
    "a managed identity: ARM_USE_MSI=true",
    "OpenID Connect (CI): ARM_USE_OIDC=true with ARM_CLIENT_ID, ARM_TENANT_ID and ARM_OIDC_TOKEN (or the CI's token request variables)",
    `or the same as the providers' config (pulumi config set ${missing[0]}:clientId ...)`,
  ].join("; ");
  const explicit = azureNativeSubscription(ctx);
  const login = azLogin(ctx, missing.includes("azure-native") ? explicit : undefined);
  switch (login.state) {
    case "absent":
      return [
        {
          level: "error",
          message: `the ${providers} provider${missing.length > 1 ? "s" : ""} found no Azure credentials: the Azure CLI (az) is not on PATH and no other source is set. Give them one: ${options}`,
        },
      ];
    case "logged-out":
      return [
        {
          level: "error",
          message: `the ${providers} provider${missing.length > 1 ? "s" : ""} found no Azure credentials: the Azure CLI is not logged in (az account show: ${login.detail}) and no other source is set. Give them one: ${options}`,
        },
      ];
    case "no-subscription":
      return [
        {
          level: "error",
          message: `the Azure CLI's login cannot select subscription ${login.subscription} (azure-native:subscriptionId or ARM_SUBSCRIPTION_ID), where azure-native creates this stack's resources (az account show --subscription: ${login.detail}): log in (${AZ_LOGIN_HOW}) as an identity with access to it`,
        },
      ];
    case "failed":
      return [
        {
          level: "error",
          message: `the Azure CLI's login, the ${providers} credentials, could not be checked (az account show: ${login.detail}): run that command here and fix what it says, or give the providers another source: ${options}`,
        },
      ];
    case "ok":
      // Without a subscription of its own, azure-native takes the CLI's default one.
      if (
        missing.includes("azure-native") &&
        explicit === undefined &&
        login.subscription !== stackSubscription
      ) {
        return [
          {
            level: "error",
            message: `azure-native would create this stack's resources in the Azure CLI's default subscription ${login.subscription}${login.subscriptionName ? ` (${login.subscriptionName})` : ""}, not in velero-dr:azure.subscriptionId ${stackSubscription}: run \`az account set --subscription ${stackSubscription}\`, or \`pulumi config set azure-native:subscriptionId ${stackSubscription}\``,
          },
        ];
      }
      return [];
  }
}

/** The credential source the environment or `provider`'s config names, if any. */
function explicitSource(ctx: PreflightContext, provider: string): string | undefined {
  const env = ctx.env;
  const conf = (key: string) => ctx.config(provider, key);
  const on = (v: string | undefined) => v !== undefined && /^(true|1)$/i.test(v);
  if ((env.ARM_CLIENT_SECRET || conf("clientSecret")) && (env.ARM_CLIENT_ID || conf("clientId"))) {
    return "client secret";
  }
  if (env.ARM_CLIENT_CERTIFICATE_PATH || conf("clientCertificatePath")) return "client certificate";
  if (on(env.ARM_USE_MSI) || on(conf("useMsi"))) return "managed identity";
  if (on(env.ARM_USE_OIDC) || on(conf("useOidc"))) return "OpenID Connect";
  if (on(conf("useDefaultAzureCredential"))) return "DefaultAzureCredential";
  return undefined;
}
