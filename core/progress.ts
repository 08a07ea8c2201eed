/**
 * Progress for long work: a redrawn bar with images/s and ETA on a terminal, plain
 * periodic lines otherwise (CI logs, pipes). Always on stderr.
 */
export interface Progress {
  tick(count: number): void;
  done(): void;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const total = Math.max(0, Math.round(seconds));
  const minutes = Math.floor(total / 60);
  const rest = total % 60;
  return minutes > 0 ? `${minutes}m${String(rest).padStart(2, '0')}s` : `${rest}s`;
}

export interface ProgressOptions {
  label: string;
  total: number;
  unit?: string;
  stream?: NodeJS.WriteStream;
  /** Seconds between plain lines when not on a terminal. */
  interval?: number;
  quiet?: boolean;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const unit = options.unit ?? 'images';
  const interactive = Boolean(stream.isTTY) && !process.env.CI;
  const interval = (options.interval ?? 10) * 1000;
  const started = performance.now();
  let count = 0;
  let lastDraw = 0;
  let finished = false;

  const line = (): string => {
    const elapsed = (performance.now() - started) / 1000;
    const rate = elapsed > 0 ? count / elapsed : 0;
    const eta = rate > 0 ? (options.total - count) / rate : Infinity;
    const percent = options.total > 0 ? Math.floor((100 * count) / options.total) : 100;
    if (interactive) {
      const width = 24;
      const filled = options.total > 0 ? Math.round((width * count) / options.total) : width;
      return `${options.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${count}/${options.total} ${rate.toFixed(1)} ${unit}/s ETA ${formatDuration(eta)}`;
    }
    return `${options.label}: ${count}/${options.total} ${unit} (${percent}%), ${rate.toFixed(1)} ${unit}/s, ETA ${formatDuration(eta)}`;
  };

  return {
    tick(increment: number) {
      count += increment;
      if (options.quiet || finished) return;
      const now = performance.now();
      if (interactive) {
        if (now - lastDraw > 100 || count >= options.total) {
          stream.write(`\r${line()}\x1b[K`);
          lastDraw = now;
        }
      } else if (now - lastDraw > interval) {
        if (lastDraw !== 0 || now - started > interval) stream.write(`${line()}\n`);
        lastDraw = now;
      }
    },
    done() {
      if (finished) return;
      finished = true;
      if (options.quiet) return;
      const elapsed = (performance.now() - started) / 1000;
      const rate = elapsed > 0 ? count / elapsed : 0;
      const summary = `${options.label}: ${count} ${unit} in ${elapsed.toFixed(1)}s (${rate.toFixed(1)} ${unit}/s)`;
      stream.write(interactive ? `\r${summary}\x1b[K\n` : `${summary}\n`);
    },
  };
}
