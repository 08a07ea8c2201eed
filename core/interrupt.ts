/**
 * What must happen before the process ends on Ctrl-C (SIGINT) or a scheduler's SIGTERM
 * (Slurm at a time limit or on scancel, Kubernetes when a pod is stopped): lower floors
 * register synchronous cleanups here (the embedding store writes the rows it holds as a
 * last chunk, so an interrupted run loses nothing it encoded), and the command-line
 * entry installs the signal handlers that run them. A library caller that installs no
 * handlers keeps Node's own behaviour. Handlers run when the event loop is free: between
 * encoded batches (the tower runs off the main thread), but only after a synchronous step
 * such as scoring or building the report, which therefore finishes whole first.
 *
 * Imports nothing of the project.
 */

interface Cleanup {
  /** What it does, for the one line printed on the way out ("saved ...", "removed ..."). */
  what: string;
  run: () => void;
}

const cleanups = new Set<Cleanup>();

/** Runs `run` if the process is interrupted before the returned function is called; `what` says what it did. */
export function onInterrupt(what: string, run: () => void): () => void {
  const cleanup = { what, run };
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}

const SIGNAL_NUMBERS = { SIGINT: 2, SIGTERM: 15 } as const;

/**
 * For a command-line process: on SIGINT or SIGTERM, runs every registered cleanup
 * (newest first; one that throws does not stop the others), says what was done in one
 * line on stderr, and ends the process by the same signal (a shell reports 130 or 143).
 */
export function installInterruptHandlers(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): void {
  for (const [signal, number] of Object.entries(SIGNAL_NUMBERS)) {
    process.once(signal, () => {
      const done: string[] = [];
      for (const cleanup of [...cleanups].reverse()) {
        try {
          cleanup.run();
          done.push(cleanup.what);
        } catch (error) {
          done.push(`could not finish "${cleanup.what}" (${(error as Error).message.split('\n')[0]})`);
        }
      }
      write(`interrupted (${signal})${done.length > 0 ? `: ${done.join('; ')}` : ''}; records are written whole or not at all, so none is half-written`);
      // Ended by the signal itself, not a plain exit, so that a shell loop or a
      // scheduler sees an interrupted command (a bash loop stops on Ctrl-C); 128 + n
      // (what a shell reports for it) if something else still catches the signal.
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      setTimeout(() => process.exit(128 + number), 1000).unref();
    });
  }
}
