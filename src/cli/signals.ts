/**
 * How the `layerwise` command quits early. SIGINT (Ctrl-C) and SIGTERM do not kill it mid-save:
 * the handler lets the atomic writes under way finish (src/io/files.ts), so no temporary file
 * is left and every file on disk is whole, says where the last good checkpoint is, and exits
 * 130 or 143 (128 + the signal's number, as a shell reports a process the signal killed). A
 * second signal quits at once, removing the temporary files of the writes still running.
 * Standard output closed by its reader (`layerwise train ... | head -1`) ends the run the same
 * way, silently, with the status a shell gives SIGPIPE (141).
 *
 * Training is synchronous between batches, and a signal is only handled when the event loop
 * turns, so the train commands add `interruptible()` to their callbacks: it lets the loop
 * turn after every batch and, once a signal has come, holds training there until the process
 * exits, so nothing new is started.
 */
import { rmSync } from "node:fs";
import { atomicWritesSettled, temporaryFilesInFlight } from "../io/files.js";
import type { Callback } from "../train/callbacks.js";

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
const EPIPE_EXIT_CODE = 141;

type Reason = keyof typeof EXIT_CODES | "EPIPE";

let quitting: Reason | null = null;
let lastCheckpoint: string | null = null;

/** Records what to print on an interrupt, e.g. "out/checkpoint (epoch 3; continue with --resume)". */
export function noteCheckpoint(where: string | null): void {
  lastCheckpoint = where;
}

/** Whether a signal (or a closed output) has asked the run to end. */
export function quitRequested(): boolean {
  return quitting !== null;
}

async function quit(reason: Reason): Promise<void> {
  if (quitting !== null) {
    // the second signal: no more waiting
    for (const tmp of temporaryFilesInFlight()) rmSync(tmp, { force: true });
    process.exit(reason === "EPIPE" ? EPIPE_EXIT_CODE : EXIT_CODES[reason]);
  }
  quitting = reason;
  await atomicWritesSettled();
  if (reason === "EPIPE") process.exit(EPIPE_EXIT_CODE);
  const where = lastCheckpoint === null ? "no checkpoint was written" : `the last good checkpoint is ${lastCheckpoint}`;
  process.stderr.write(`\nlayerwise: ${reason} received; stopped after finishing the files being written; ${where}\n`);
  process.exit(EXIT_CODES[reason]);
}

const onSignal = (signal: NodeJS.Signals) => void quit(signal as keyof typeof EXIT_CODES);

const onStdoutError = (err: NodeJS.ErrnoException) => {
  if (err.code !== "EPIPE") throw err;
  void quit("EPIPE");
};

/**
 * Installs the handlers (once per process) and forgets an earlier command's checkpoint. They
 * stay after the command has returned: a signal or the error of a last line can arrive
 * between its end and the exit of the process, and is then handled the same way.
 */
export function catchInterrupts(): void {
  quitting = null;
  lastCheckpoint = null;
  if (process.listeners("SIGINT").includes(onSignal)) return;
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.stdout.on("error", onStdoutError);
}

const turnEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const never = new Promise<void>(() => {});

/** A callback that lets a signal be handled after every batch and epoch, and holds training once one has come. */
export function interruptible(): Callback {
  const check = async () => {
    await turnEventLoop();
    if (quitting !== null) await never;
  };
  return { onBatchEnd: check, onEpochEnd: check };
}
