/**
 * Reading and preprocessing user images off the main thread, one batch per job, so
 * that on a fast device (GPU) the model is not left waiting for the decoder. Batches
 * come back in order; the first unreadable image fails the run with its UserError.
 * With 0 workers every batch is prepared in this thread (small inputs, tests).
 *
 * The same module is the worker's body: run inside a worker thread it answers jobs.
 */
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import type { PreprocessSpec } from '../datasets/types.ts';
import { prepareInputImage } from './images.ts';
import { ErrorCode, UserError, isUserError } from './messages.ts';

interface Job {
  id: number;
  files: string[];
  spec: PreprocessSpec;
}

type Reply = { id: number; pixels: Float32Array } | { id: number; userError: { code: ErrorCode; message: string; file?: string } } | { id: number; fatal: string };

/** [files.length, bands, size, size] normalised pixels. */
export async function prepareBatch(files: readonly string[], spec: PreprocessSpec): Promise<Float32Array> {
  const length = spec.bands.length * spec.size * spec.size;
  const pixels = new Float32Array(files.length * length);
  for (let index = 0; index < files.length; index++) await prepareInputImage(files[index], spec, pixels, index * length);
  return pixels;
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  port.on('message', (job: Job) => {
    prepareBatch(job.files, job.spec).then(
      (pixels) => port.postMessage({ id: job.id, pixels } satisfies Reply, [pixels.buffer as ArrayBuffer]),
      (error: unknown) => port.postMessage(isUserError(error)
        ? { id: job.id, userError: { code: error.code, message: error.message, file: error.file } }
        : { id: job.id, fatal: String((error as Error)?.stack ?? error) } satisfies Reply),
    );
  });
}

const bootstrap = fileURLToPath(new URL('./worker-bootstrap.mjs', import.meta.url));

/** A few threads that prepare batches; `prepare` resolves in any order, callers await in order. */
export class BatchPreparer {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { job: Job; resolve: (pixels: Float32Array) => void; reject: (error: Error) => void }[] = [];
  private readonly pending = new Map<number, { resolve: (pixels: Float32Array) => void; reject: (error: Error) => void; worker: Worker }>();
  private nextId = 0;

  constructor(private readonly spec: PreprocessSpec, workers: number) {
    for (let index = 0; index < workers; index++) {
      const worker = new Worker(bootstrap, { workerData: { module: import.meta.url } });
      worker.on('message', (reply: Reply) => this.onReply(worker, reply));
      worker.on('error', (error) => this.onCrash(worker, error));
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  prepare(files: readonly string[]): Promise<Float32Array> {
    if (this.workers.length === 0) return prepareBatch(files, this.spec);
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { id: this.nextId++, files: [...files], spec: this.spec }, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const { job, resolve, reject } = this.queue.shift()!;
      this.pending.set(job.id, { resolve, reject, worker });
      worker.postMessage(job);
    }
  }

  private onReply(worker: Worker, reply: Reply): void {
    const entry = this.pending.get(reply.id);
    if (!entry) return;
    this.pending.delete(reply.id);
    this.idle.push(worker);
    if ('pixels' in reply) entry.resolve(reply.pixels);
    else if ('userError' in reply) entry.reject(new UserError(reply.userError.code, reply.userError.message, reply.userError.file));
    else entry.reject(new Error(`image preprocessing worker failed: ${reply.fatal}`));
    this.dispatch();
  }

  private onCrash(worker: Worker, error: Error): void {
    for (const [id, entry] of this.pending) {
      if (entry.worker !== worker) continue;
      this.pending.delete(id);
      entry.reject(error);
    }
  }

  async close(): Promise<void> {
    for (const { reject } of this.queue.splice(0)) reject(new Error('image preprocessing stopped'));
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
