import { z } from "zod";
import { isGoDuration } from "./durations";
import * as names from "./names";

/** Field builders every schema shares (the stack schemas and each storage backend's own keys). */

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
