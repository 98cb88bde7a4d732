/** A program the restore chain's Commands run on the machine that runs `pulumi up`. */
export interface Tool {
  name: string;
  /** What the chain needs it for. */
  why: string;
  /** How to get it. */
  install: string;
}
