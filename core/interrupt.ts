/**
 * What must happen before the process ends on Ctrl-C (SIGINT) or a scheduler's SIGTERM
 * (Slurm at a time limit or on scancel, Kubernetes when a pod is stopped): lower floors
 * register synchronous cleanups here (the embedding store writes the rows it holds as a
 * last chunk, so an interrupted run loses nothing it encoded), and the command-line
 * entry installs the signal handlers that run them. A library caller that installs no
 * handlers keeps Node's own behaviour.
 *
 * Imports nothing of the project.
 */

const cleanups = new Set<() => void>();

/** Runs `cleanup` if the process is interrupted before the returned function is called. */
export function onInterrupt(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}

const SIGNAL_NUMBERS = { SIGINT: 2, SIGTERM: 15 } as const;

/**
 * For a command-line process: on SIGINT or SIGTERM, runs every registered cleanup
 * (newest first; one that throws does not stop the others), says so in one line on
 * stderr, and exits with 128 + the signal's number, as a shell reports a killed command.
 */
export function installInterruptHandlers(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): void {
  for (const [signal, number] of Object.entries(SIGNAL_NUMBERS)) {
    process.once(signal, () => {
      let failed = 0;
      for (const cleanup of [...cleanups].reverse()) {
        try {
          cleanup();
        } catch {
          failed += 1;
        }
      }
      write(`interrupted (${signal}): ${cleanups.size === 0 ? 'nothing to save' : `saved what was encoded${failed > 0 ? ` (${failed} cleanup(s) failed)` : ''}; a rerun encodes only the rest`}; no records were written for unfinished work`);
      process.exit(128 + number);
    });
  }
}
