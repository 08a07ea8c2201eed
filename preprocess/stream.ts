/**
 * The one streaming data path, for evaluate, classify and retrieve alike: items (a
 * benchmark's, or a user's image files) -> (worker threads: read, decode, select
 * bands, resample, normalise) -> batches in listing order -> the caller's model.
 *
 * Only a bounded window of images is in flight (`prefetchBatches` batches ahead of
 * the consumer), so memory stays flat however large the dataset is, while every core
 * keeps decoding while the model runs on the previous batch.
 */
import { availableParallelism, freemem } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReadOptions } from '../datasets/module.ts';
import type { DatasetItem } from '../datasets/types.ts';
import type { PreprocessSpec } from './spec.ts';
import { ErrorCode, UserError } from '../core/errors.ts';
import { prepareChunk, type ChunkRequest, type ChunkResult } from './chunk.ts';
import { imageLength } from './spec.ts';
import { ThreadPool } from '../core/thread-pool.ts';

// worker.ts from the sources, worker.js from the build: the same extension as this file.
const workerModule = new URL(`./worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url).href;

/** How images are read, for every request of a pool (limits the run sets once, e.g. --max-image-pixels). */
export type PoolReadOptions = Pick<ReadOptions, 'maxImagePixels'>;

/** The preprocessing threads; 0 threads means "in this thread". */
export class WorkerPool {
  readonly size: number;
  private readonly threads: ThreadPool<ChunkRequest, ChunkResult>;
  /** Buffers of finished batches, handed to later requests instead of allocating. */
  private readonly spare: ArrayBuffer[] = [];
  private readonly read: PoolReadOptions;

  constructor(size: number, read: PoolReadOptions = {}) {
    this.size = size;
    this.read = read;
    this.threads = new ThreadPool(workerModule, size, 'preprocessing');
  }

  /** Hands a chunk's buffer back for reuse once its pixels are no longer needed. */
  recycle(buffer: ArrayBuffer): void {
    if (this.spare.length < 2 * Math.max(1, this.size) + 2) this.spare.push(buffer);
  }

  run(request: ChunkRequest): Promise<ChunkResult> {
    if (request.read === undefined) request = { ...request, read: this.read };
    if (!request.buffer) {
      const index = this.spare.findIndex((buffer) => buffer.byteLength >= request.items.length * imageLength(request.spec) * 4);
      if (index >= 0) request = { ...request, buffer: this.spare.splice(index, 1)[0] };
    }
    if (this.size === 0) return prepareChunk(request);
    return this.threads.run(request, request.buffer ? [request.buffer] : []);
  }

  close(): Promise<void> {
    return this.threads.close();
  }
}


/**
 * Threads for a stream of `items` images: none when there are at most two batches
 * (starting a thread costs more than it saves), else MSCLIP_WORKERS or every core.
 */
export function autoWorkerCount(items: number, batchSize: number): number {
  return items <= 2 * batchSize ? 0 : machineWorkerCount();
}

/**
 * MSCLIP_WORKERS, else one thread per core; at most the core count either way (more
 * threads only hold more batches in memory), as --workers. A value that is not a whole
 * number is an error, not silently every core.
 */
export function machineWorkerCount(): number {
  const cores = Math.max(1, availableParallelism());
  const text = process.env.MSCLIP_WORKERS;
  if (text === undefined || text.trim() === '') return cores;
  if (!/^\s*\d+\s*$/.test(text)) throw new UserError(ErrorCode.usage, `MSCLIP_WORKERS="${text}" is not a whole number of image reading threads (0 = the main thread); set it to 0..${cores} or unset it to use every core`);
  return Math.min(Number(text), cores);
}

export interface Batch {
  /**
   * [count, bands, size, size] normalised pixels, valid until the consumer asks for
   * the next batch (its memory is then reused).
   */
  pixels: Float32Array;
  count: number;
  /** Index in `items` of each row of `pixels`. */
  indices: number[];
}

export interface StreamOptions {
  pool: WorkerPool;
  /** The benchmark the items belong to; absent for a user's image files. */
  dataset?: string;
  spec: PreprocessSpec;
  items: readonly DatasetItem[];
  batchSize: number;
  /** How many batches may be prepared ahead of the consumer (at least one per worker). */
  prefetchBatches?: number;
  /** Skip items whose files are unreadable instead of failing (reported via onSkip). */
  skipInvalid: boolean;
  onSkip?: (skipped: { file: string; reason: string; index: number }) => void;
}

/** Batches of pixels alive at once: those prepared ahead, the one the model reads, and one being put together. */
export function batchesInFlight(workers: number, items: number, batchSize: number, prefetchBatches = 2): number {
  if (workers === 0) return 1;
  return Math.max(prefetchBatches, Math.ceil(workers / piecesPerBatch(workers, items, batchSize))) + 2;
}

/** The most floats one Float32Array can hold (V8's typed-array limit). */
const MAX_ARRAY_FLOATS = 2 ** 32;

function gigabytes(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GB`;
}

/** Memory the run may take: free memory, or what is left under a cgroup limit when that is less. */
function availableMemory(): number {
  const limit = process.constrainedMemory();
  const free = freemem();
  return limit > 0 && Number.isFinite(limit) ? Math.min(free, limit - process.memoryUsage().rss) : free;
}

/**
 * Refuses a batch size whose pixel buffers cannot fit: `inFlight` batches of
 * bands x size x size float32 images must stay within half of the available memory
 * (the model, its runtime and the decoded tiles need the rest), and one batch within
 * a typed array. One line suggesting a size that fits, instead of an allocation crash.
 */
export function checkBatchMemory(options: { spec: PreprocessSpec; batchSize: number; inFlight: number; available?: number }): void {
  const { spec, batchSize, inFlight } = options;
  const imageFloats = imageLength(spec);
  const available = options.available ?? availableMemory();
  const budget = Math.max(0, available / 2);
  const needed = imageFloats * 4 * batchSize * inFlight;
  if (needed <= budget && imageFloats * batchSize <= MAX_ARRAY_FLOATS) return;
  const fits = Math.max(1, Math.min(Math.floor(budget / (imageFloats * 4 * inFlight)), Math.floor(MAX_ARRAY_FLOATS / imageFloats)));
  const shape = `${spec.bands.length}x${spec.size}x${spec.size}`;
  const more = fits === 1 && needed / batchSize > budget ? ' and fewer --workers' : '';
  throw new UserError(
    ErrorCode.usage,
    `--batch-size ${batchSize} needs ${gigabytes(needed)} for ${inFlight} batch${inFlight === 1 ? '' : 'es'} of ${shape} float32 images in flight, more than half of the ${gigabytes(available)} of free memory; use --batch-size ${fits} or less${more}`,
  );
}

/**
 * How many pieces each batch is prepared in. One piece per batch is the fast path:
 * a worker fills a whole batch buffer, which is handed to the model as it is, with no
 * copy (2 MB per 224x224x10 image would otherwise be copied on the main thread, which
 * at GPU speeds is the bottleneck). Only when there are too few batches to keep every
 * worker busy are batches split across workers and reassembled.
 */
export function piecesPerBatch(workers: number, items: number, batchSize: number): number {
  const batches = Math.ceil(items / batchSize);
  if (workers <= 1 || batches >= 2 * workers) return 1;
  return Math.min(batchSize, Math.ceil((2 * workers) / Math.max(1, batches)));
}

/**
 * Batches in dataset order; batch b holds items [b * batchSize, (b + 1) * batchSize)
 * less any skipped ones. Without skipInvalid the first unreadable item ends the stream
 * with its UserError (naming the file); with it, the item is reported and left out,
 * and its batch is that much shorter.
 */
export async function* streamBatches(options: StreamOptions): AsyncGenerator<Batch> {
  const { pool, items, spec, batchSize } = options;
  checkBatchMemory({ spec, batchSize, inFlight: batchesInFlight(pool.size, items.length, batchSize, options.prefetchBatches) });
  const length = imageLength(spec);
  const batchCount = Math.ceil(items.length / batchSize);
  const pieces = piecesPerBatch(pool.size, items.length, batchSize);
  // In this thread nothing is gained by preparing ahead; with workers, every worker
  // has a batch (or a piece of one) to work on while the model runs.
  const ahead = pool.size === 0 ? 0 : Math.max(options.prefetchBatches ?? 2, Math.ceil(pool.size / pieces));
  const requests: ChunkRequest[][] = [];
  for (let batch = 0, id = 0; batch < batchCount; batch++) {
    const start = batch * batchSize;
    const end = Math.min(items.length, start + batchSize);
    const step = Math.ceil((end - start) / pieces);
    const chunks: ChunkRequest[] = [];
    for (let from = start; from < end; from += step) {
      chunks.push({ id: id++, dataset: options.dataset, spec, items: items.slice(from, Math.min(end, from + step)) });
    }
    requests.push(chunks);
  }
  const results: Promise<ChunkResult>[][] = [];
  const dispatchUpTo = (last: number): void => {
    for (let batch = results.length; batch <= Math.min(last, batchCount - 1); batch++) {
      results.push(requests[batch].map((request) => {
        const promise = pool.run(request);
        promise.catch(() => undefined); // awaited in order below; avoid unhandled rejections meanwhile
        return promise;
      }));
    }
  };

  // Where a batch prepared in pieces is put together (allocated only if needed).
  let assembly: Float32Array | undefined;
  try {
    for (let batch = 0; batch < batchCount; batch++) {
      dispatchUpTo(batch + ahead);
      const chunks: ChunkResult[] = [];
      for (const promise of results[batch]) chunks.push(await promise);
      const start = batch * batchSize;
      const indices: number[] = [];
      const failedIndices = new Set<number>();
      let offset = start;
      for (const [piece, result] of chunks.entries()) {
        for (const failure of result.failures) {
          const file = failure.file;
          if (!options.skipInvalid) throw new UserError(ErrorCode.imageInvalid, failure.reason, file);
          failedIndices.add(offset + failure.index);
          options.onSkip?.({ file, reason: failure.reason, index: offset + failure.index });
        }
        offset += requests[batch][piece].items.length;
      }
      for (let index = start; index < offset; index++) if (!failedIndices.has(index)) indices.push(index);

      let pixels: Float32Array;
      if (chunks.length === 1) {
        // The worker's buffer is the batch; skipped rows are closed up in place.
        pixels = chunks[0].pixels;
        if (failedIndices.size > 0) {
          indices.forEach((index, row) => pixels.copyWithin(row * length, (index - start) * length, (index - start + 1) * length));
        }
      } else {
        assembly ??= new Float32Array(batchSize * length);
        pixels = assembly;
        let row = 0;
        let first = start;
        for (const chunk of chunks) {
          for (let position = 0; position < chunk.pixels.length / length; position++) {
            if (failedIndices.has(first + position)) continue;
            assembly.set(chunk.pixels.subarray(position * length, (position + 1) * length), row++ * length);
          }
          first += chunk.pixels.length / length;
        }
      }
      if (indices.length > 0) yield { pixels: pixels.subarray(0, indices.length * length), count: indices.length, indices };
      // The consumer is done with the batch: its buffers serve the next requests.
      for (const chunk of chunks) pool.recycle(chunk.pixels.buffer as ArrayBuffer);
    }
  } finally {
    // Let in-flight chunks finish quietly if the consumer stopped early or failed.
    for (const promises of results) for (const promise of promises) promise.catch(() => undefined);
  }
}
