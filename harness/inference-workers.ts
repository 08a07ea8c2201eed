/**
 * Reading and preprocessing user images off the main thread, one batch per job, so
 * that on a fast device (GPU) the model is not left waiting for the decoder. Batches
 * come back in order; the first unreadable image fails the run with its UserError.
 * With 0 workers every batch is prepared in this thread (small inputs, tests).
 *
 * The same module is the worker's body: run inside a worker thread it answers jobs.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import type { PreprocessSpec } from '../datasets/types.ts';
import { prepareInputImage } from './images.ts';
import { imageLength } from './prepare-chunk.ts';
import { serveJobs, ThreadPool } from './thread-pool.ts';

interface Job {
  id: number;
  files: string[];
  spec: PreprocessSpec;
}

/** [files.length, bands, size, size] normalised pixels. */
export async function prepareBatch(files: readonly string[], spec: PreprocessSpec): Promise<Float32Array> {
  const length = imageLength(spec);
  const pixels = new Float32Array(files.length * length);
  for (let index = 0; index < files.length; index++) await prepareInputImage(files[index], spec, pixels, index * length);
  return pixels;
}

// Only in a thread started for this module (not in a thread that merely imports it).
if (!isMainThread && (workerData as { module?: string } | null)?.module === import.meta.url) {
  serveJobs<Job, Float32Array>((job) => prepareBatch(job.files, job.spec), (pixels) => [pixels.buffer as ArrayBuffer]);
}

/** A few threads that prepare batches; `prepare` resolves in any order, callers await in order. */
export class BatchPreparer {
  private readonly threads: ThreadPool<Job, Float32Array>;
  private nextId = 0;

  constructor(private readonly spec: PreprocessSpec, workers: number) {
    this.threads = new ThreadPool(import.meta.url, workers, 'image preprocessing');
  }

  prepare(files: readonly string[]): Promise<Float32Array> {
    if (this.threads.size === 0) return prepareBatch(files, this.spec);
    return this.threads.run({ id: this.nextId++, files: [...files], spec: this.spec });
  }

  close(): Promise<void> {
    return this.threads.close();
  }
}
