/**
 * The streaming data path: dataset items -> (worker threads: read, decode, select
 * bands, resample, normalise) -> batches in dataset order -> the caller's model.
 *
 * Only a bounded window of images is in flight (`prefetchBatches` batches ahead of
 * the consumer), so memory stays flat however large the dataset is, while every core
 * keeps decoding while the model runs on the previous batch.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DatasetItem, PreprocessSpec } from '../datasets/types.ts';
import { ErrorCode, UserError } from './messages.ts';
import { imageLength, prepareChunk, type ChunkRequest, type ChunkResult } from './prepare-chunk.ts';

const bootstrap = fileURLToPath(new URL('./worker-bootstrap.mjs', import.meta.url));
const workerModule = new URL('./preprocess-worker.ts', import.meta.url).href;

type WorkerReply = ChunkResult | { id: number; fatal: string };

/** A fixed set of preprocessing threads; 0 threads means "in this thread". */
export class WorkerPool {
  readonly size: number;
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly waiting: { request: ChunkRequest; resolve: (result: ChunkResult) => void; reject: (error: Error) => void }[] = [];
  private readonly pending = new Map<number, { resolve: (result: ChunkResult) => void; reject: (error: Error) => void; worker: Worker }>();
  private closed = false;

  constructor(size = defaultWorkerCount()) {
    this.size = size;
    for (let index = 0; index < size; index++) {
      const worker = new Worker(bootstrap, { workerData: { module: workerModule } });
      worker.unref();
      worker.on('message', (reply: WorkerReply) => this.onReply(worker, reply));
      worker.on('error', (error) => this.onCrash(worker, error));
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  private readonly spare: ArrayBuffer[] = [];

  /** Hands a chunk buffer back for reuse by a later chunk (after its pixels were copied). */
  recycle(buffer: ArrayBuffer): void {
    if (this.spare.length < 2 * Math.max(1, this.size) + 2) this.spare.push(buffer);
  }

  run(request: ChunkRequest): Promise<ChunkResult> {
    if (!request.buffer) {
      const index = this.spare.findIndex((buffer) => buffer.byteLength >= request.items.length * imageLength(request.spec) * 4);
      if (index >= 0) request = { ...request, buffer: this.spare.splice(index, 1)[0] };
    }
    if (this.size === 0) return prepareChunk(request);
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ request, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.waiting.length > 0) {
      const worker = this.idle.pop()!;
      const job = this.waiting.shift()!;
      this.pending.set(job.request.id, { resolve: job.resolve, reject: job.reject, worker });
      worker.ref();
      worker.postMessage(job.request, job.request.buffer ? [job.request.buffer] : []);
    }
  }

  private onReply(worker: Worker, reply: WorkerReply): void {
    const job = this.pending.get(reply.id);
    if (!job) return;
    this.pending.delete(reply.id);
    worker.unref();
    this.idle.push(worker);
    if ('fatal' in reply) job.reject(new Error(`preprocessing worker failed: ${reply.fatal}`));
    else job.resolve(reply);
    this.dispatch();
  }

  private onCrash(worker: Worker, error: Error): void {
    for (const [id, job] of this.pending) {
      if (job.worker === worker) {
        this.pending.delete(id);
        job.reject(error);
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

export function defaultWorkerCount(): number {
  const fromEnvironment = Number(process.env.MSCLIP_WORKERS);
  if (Number.isInteger(fromEnvironment) && fromEnvironment >= 0) return fromEnvironment;
  return Math.max(1, availableParallelism());
}

export interface Batch {
  /** [count, bands, size, size] normalised pixels; reused for the next batch. */
  pixels: Float32Array;
  count: number;
  /** Index in `items` of each row of `pixels`. */
  indices: number[];
}

export interface StreamOptions {
  pool: WorkerPool;
  dataset: string;
  spec: PreprocessSpec;
  items: readonly DatasetItem[];
  batchSize: number;
  /** Items per worker message; small enough to balance, large enough to amortise. */
  chunkSize?: number;
  /** How many batches may be decoded ahead of the consumer. */
  prefetchBatches?: number;
  /** Skip items whose files are unreadable instead of failing (reported via onSkip). */
  skipInvalid: boolean;
  onSkip?: (skipped: { file: string; reason: string; index: number }) => void;
}

/**
 * Batches in dataset order. Without skipInvalid the first unreadable item ends the
 * stream with its UserError (naming the file); with it, the item is reported and left out.
 */
export async function* streamBatches(options: StreamOptions): AsyncGenerator<Batch> {
  const { pool, items, spec, batchSize } = options;
  const chunkSize = Math.max(1, Math.min(options.chunkSize ?? 4, batchSize));
  const window = Math.max(1, options.prefetchBatches ?? 2) * batchSize + batchSize;
  const length = imageLength(spec);
  const chunks: ChunkRequest[] = [];
  for (let start = 0, id = 0; start < items.length; start += chunkSize, id++) {
    chunks.push({ id, dataset: options.dataset, spec, items: items.slice(start, start + chunkSize) });
  }
  const results = new Map<number, Promise<ChunkResult>>();
  let nextToSend = 0;
  let sentItems = 0;
  let consumedItems = 0;
  const fill = (): void => {
    while (nextToSend < chunks.length && sentItems - consumedItems < window) {
      const chunk = chunks[nextToSend];
      const promise = pool.run(chunk);
      promise.catch(() => undefined); // awaited in order below; avoid unhandled rejections meanwhile
      results.set(chunk.id, promise);
      sentItems += chunk.items.length;
      nextToSend++;
    }
  };

  // One batch buffer for the whole stream: a yielded batch is only valid until the
  // consumer asks for the next one (the evaluator encodes it before that).
  const batch = new Float32Array(batchSize * length);
  let indices: number[] = [];
  try {
    fill();
    for (let chunkIndex = 0; chunkIndex < chunks.length; chunkIndex++) {
      const result = await results.get(chunkIndex)!;
      results.delete(chunkIndex);
      const chunk = chunks[chunkIndex];
      consumedItems += chunk.items.length;
      const failed = new Set<number>();
      for (const failure of result.failures) {
        if (!options.skipInvalid) throw new UserError(ErrorCode.imageInvalid, failure.reason, failure.file);
        failed.add(failure.index);
        options.onSkip?.({ file: failure.file, reason: failure.reason, index: chunkIndex * chunkSize + failure.index });
      }
      for (let position = 0; position < chunk.items.length; position++) {
        if (failed.has(position)) continue;
        batch.set(result.pixels.subarray(position * length, (position + 1) * length), indices.length * length);
        indices.push(chunkIndex * chunkSize + position);
        if (indices.length === batchSize) {
          yield { pixels: batch, count: indices.length, indices };
          indices = [];
        }
      }
      pool.recycle(result.pixels.buffer as ArrayBuffer);
      fill();
    }
    if (indices.length > 0) yield { pixels: batch.subarray(0, indices.length * length), count: indices.length, indices };
  } finally {
    // Let in-flight chunks finish quietly if the consumer stopped early or failed.
    for (const promise of results.values()) promise.catch(() => undefined);
  }
}
