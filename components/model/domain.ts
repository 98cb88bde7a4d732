import { z } from "zod";
import { show } from "./values";

/** DNS names in the configuration (the destination's `dns` keys, each DNS provider's own keys). */

export const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;
export const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export const domain = z.string().refine((v) => HOSTNAME.test(v), {
  error: (iss) => `got ${show(iss.input)}; expected a lowercase DNS name such as app.example.com`,
});
