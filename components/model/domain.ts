import { z } from "zod";
import { show } from "./values";

/** DNS names in the configuration (the destination's `dns` keys, each DNS provider's own keys). */

export const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;
export const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export const domain = z.string().refine((v) => HOSTNAME.test(v), {
  error: (iss) => `got ${show(iss.input)}; expected a lowercase DNS name such as app.example.com`,
});

/**
 * A TSIG key's name: a DNS name of one or more labels, an optional final dot (BIND treats both the
 * same), as `tsig-keygen` and named.conf write them (its default name, `tsig-key`, is one label).
 */
export const TSIG_KEY_NAME =
  /^(?=.{1,254}$)[A-Za-z0-9]([-A-Za-z0-9_]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9_]{0,61}[A-Za-z0-9])?)*\.?$/;

export const tsigKeyName = z.string().refine((v) => TSIG_KEY_NAME.test(v), {
  error: (iss) =>
    `got ${show(iss.input)}; expected the TSIG key's name as named.conf declares it, such as tsig-key or velero-dr.example.com.`,
});
