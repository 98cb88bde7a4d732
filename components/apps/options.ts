import { z } from "zod";
import { isGoDuration } from "../model/durations";
import { checkName, DNS1123_LABEL, NameRule } from "../model/names";

/** Small zod helpers shared by the apps' option schemas (messages name the value and the fix). */
const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

export const label = (example: string) =>
  z.string().refine((v) => checkName(DNS1123_LABEL, v), {
    error: (iss) => `got ${show(iss.input)}; expected ${DNS1123_LABEL.expected}, such as ${example}`,
  });

export const nameOf = (rule: NameRule, example: string) =>
  z.string().refine((v) => checkName(rule, v), {
    error: (iss) => `got ${show(iss.input)}; expected ${rule.expected}, such as ${example}`,
  });

export const duration = (example: string) =>
  z.string().refine(isGoDuration, {
    error: (iss) => `got ${show(iss.input)}; expected a Go duration such as ${example}`,
  });

/**
 * Image tags as the version guard compares them (`25.4.1`, `v1.2.3-rc1`). Every backup carries the
 * version as a label value, so it follows Kubernetes' label-value rule, stricter than a tag's: an
 * image tag may begin with '_' or end in '.' or '-', which the API server refuses in a label.
 */
export const VERSION: NameRule = {
  pattern: /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/,
  expected:
    "an image tag that is also a Kubernetes label value: letters, digits, '.', '_' and '-', beginning and ending with a letter or digit (at most 63)",
  maxLength: 63,
};

/** Label values: the version a backup records must be a valid Kubernetes label value. */
export const HELM_RELEASE: NameRule = { ...DNS1123_LABEL, maxLength: 53 };

/** A whole number in a range, named by its unit (minutes, seconds, ...). */
export const wholeNumber = (min: number, max: number, what: string) =>
  z
    .number()
    .int()
    .refine((n) => n >= min && n <= max, {
      error: (iss) => `got ${show(iss.input)}; expected a whole number of ${what} between ${min} and ${max}`,
    });
