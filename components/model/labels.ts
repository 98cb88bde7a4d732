/**
 * Kubernetes label keys and values, as the API server validates them (apimachinery's
 * IsQualifiedName and IsValidLabelValue): checked when the configuration is read, so a bad label
 * is refused naming its key, instead of failing the apply of whatever carries it, part-way.
 */

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const LABEL_VALUE_RULE =
  "a label value is empty, or at most 63 letters, digits, '-', '_' and '.', beginning and ending with a letter or digit";
export const LABEL_KEY_RULE =
  "a label key is a name of at most 63 letters, digits, '-', '_' and '.' beginning and ending with a letter or digit, optionally after a DNS subdomain prefix of at most 253 characters and '/' (e.g. release, app.kubernetes.io/part-of)";

/** What is wrong with a label value, or undefined when Kubernetes takes it. */
export function labelValueProblem(value: string): string | undefined {
  if (value === "") return undefined;
  if (value.length > 63) return `it is ${value.length} characters long`;
  if (!/^[-A-Za-z0-9_.]*$/.test(value)) return `it holds ${describe(value.replace(/[-A-Za-z0-9_.]/g, ""))}`;
  if (!NAME.test(value)) return "it does not begin and end with a letter or digit";
  return undefined;
}

/** What is wrong with a label key, or undefined when Kubernetes takes it. */
export function labelKeyProblem(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.length > 2) return "it has more than one '/'";
  const name = parts[parts.length - 1];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix === "") return "its prefix before '/' is empty";
    if (prefix.length > 253) return `its prefix is ${prefix.length} characters long`;
    if (!prefix.split(".").every((l) => l.length <= 63 && DNS_LABEL.test(l))) {
      return `its prefix ${JSON.stringify(prefix)} is not a DNS subdomain (lowercase letters, digits, '-' and '.')`;
    }
  }
  if (name === "") return "its name is empty";
  if (name.length > 63) return `its name is ${name.length} characters long`;
  if (!/^[-A-Za-z0-9_.]*$/.test(name))
    return `its name holds ${describe(name.replace(/[-A-Za-z0-9_.]/g, ""))}`;
  if (!NAME.test(name)) return "its name does not begin and end with a letter or digit";
  return undefined;
}

function describe(chars: string): string {
  const unique = [...new Set(chars)].map((c) => (c === " " ? "a space" : JSON.stringify(c)));
  return unique.join(", ");
}
