/** A subcommand of `layerwise`: its words (e.g. ["train", "mlp"]), a summary, and a run function. */
export interface Command {
  /** The words that select it, e.g. ["info"] or ["train", "rbm"]. */
  path: readonly string[];
  summary: string;
  /** Runs with the arguments after the command words; resolves to the exit code. */
  run(argv: readonly string[]): Promise<number>;
}
