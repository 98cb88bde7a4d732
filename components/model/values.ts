import { z } from "zod";
import { isGoDuration } from "./durations";
import * as names from "./names";
import { LABEL_KEY_RULE, LABEL_VALUE_RULE, labelKeyProblem, labelValueProblem } from "./labels";

/**
 * Value rules of the configuration as zod schemas: each error names the value it got and what
 * it expected, so every key's message reads the same (config schemas, apps, plug-ins).
 */

export const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
};

export function named(rule: names.NameRule) {
  return z.string().refine((v) => names.checkName(rule, v), {
    error: (iss) =>
      `got ${show(iss.input)}; expected ${rule.expected} (at most ${rule.maxLength} characters)`,
  });
}

export const goDuration = (example: string) =>
  z.string().refine(isGoDuration, {
    error: (iss) =>
      `got ${show(iss.input)}; expected a positive Go duration such as ${example} (units h, m, s)`,
  });

export const int = (min: number, max: number, what: string) =>
  z
    .number()
    .int()
    .refine((n) => n >= min && n <= max, {
      error: (iss) => `got ${show(iss.input)}; expected a whole number of ${what} between ${min} and ${max}`,
    });

export const uniqueList = <T extends z.ZodType<string>>(item: T, what: string) =>
  z
    .array(item)
    .min(1, { error: `expected at least one ${what}` })
    .refine((l) => new Set(l).size === l.length, {
      error: (iss) => `got ${show(iss.input)}; each ${what} must appear once`,
    });

/**
 * A map of Kubernetes labels a user supplies: each key and value as the API server takes them,
 * and none of `reserved` (keys the program or a chart sets on the same objects, each with why).
 * Each problem is reported at the label's own key, with the value and the rule.
 */
export const labelMap = (reserved: Readonly<Record<string, string>> = {}) =>
  z.record(z.string(), z.string()).superRefine((labels, ctx) => {
    for (const [k, v] of Object.entries(labels)) {
      const keyProblem = labelKeyProblem(k);
      if (keyProblem) {
        ctx.addIssue({
          code: "custom",
          path: [k],
          input: k,
          message: `got the key ${show(k)}: ${keyProblem}; ${LABEL_KEY_RULE}`,
        });
      } else if (Object.prototype.hasOwnProperty.call(reserved, k)) {
        ctx.addIssue({ code: "custom", path: [k], input: k, message: `${reserved[k]}; remove it` });
      }
      const valueProblem = labelValueProblem(v);
      if (valueProblem) {
        ctx.addIssue({
          code: "custom",
          path: [k],
          input: v,
          message: `got ${show(v)}: ${valueProblem}; ${LABEL_VALUE_RULE} (e.g. kube-prometheus-stack)`,
        });
      }
    }
  });
