/** The `layerwise` command: finds the subcommand by its words and runs it. */
import { UsageError } from "./args.js";
import type { Command } from "./command.js";
import { commands } from "./commands/index.js";
import { catchInterrupts } from "./signals.js";

function usage(): string {
  const lines = ["usage: layerwise <command> [options]   (layerwise <command> --help for its options)", "", "commands:"];
  for (const c of commands) lines.push(`  ${c.path.join(" ").padEnd(22)}${c.summary}`);
  return lines.join("\n");
}

function find(argv: readonly string[]): { command: Command; rest: readonly string[] } | null {
  let best: Command | null = null;
  for (const c of commands) {
    if (c.path.every((w, i) => argv[i] === w) && (best === null || c.path.length > best.path.length)) best = c;
  }
  return best ? { command: best, rest: argv.slice(best.path.length) } : null;
}

export async function main(argv: readonly string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "help") {
    console.log(usage());
    return argv.length === 0 ? 1 : 0;
  }
  const found = find(argv);
  if (found === null) {
    console.error(
      `layerwise: unknown command "${argv
        .filter((a) => !a.startsWith("-"))
        .slice(0, 2)
        .join(" ")}"\n\n${usage()}`,
    );
    return 2;
  }
  // SIGINT, SIGTERM and a closed standard output end the command cleanly (signals.ts)
  catchInterrupts();
  try {
    return await found.command.run(found.rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`layerwise ${found.command.path.join(" ")}: ${err.message}`);
      return 2;
    }
    console.error(`layerwise ${found.command.path.join(" ")}: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.LAYERWISE_DEBUG) console.error(err);
    return 1;
  }
}
