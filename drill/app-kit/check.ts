/** One result line of a drill: what was checked, whether it held, and what was seen. */
export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}
