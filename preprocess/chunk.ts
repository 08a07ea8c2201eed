/**
 * One unit of data-path work, shared by the worker threads and the in-process path:
 * a chunk of consecutive items -> one float32 buffer holding their preprocessed
 * tensors back to back. Per-item user errors are returned, not thrown.
 *
 * Items are a benchmark's (read as its dataset module reads them, when `dataset` is
 * set) or a user's own image files (classify, retrieve: `files[0]` decoded by
 * user-images.ts).
 */
import { prepareImage } from './prepare.ts';
import { prepareInputImage } from './user-images.ts';
import type { ReadOptions } from '../datasets/module.ts';
import type { DatasetItem } from '../datasets/types.ts';
import type { PreprocessSpec } from './spec.ts';
import { isUserError } from '../core/errors.ts';

export interface ChunkRequest {
  id: number;
  /** Registry name of the benchmark the items belong to; absent for user image files. */
  dataset?: string;
  spec: PreprocessSpec;
  items: DatasetItem[];
  /** A buffer from an earlier chunk to write into (recycled instead of allocated). */
  buffer?: ArrayBuffer;
  /** Limits on what is read (the pool fills them in for every request). */
  read?: Pick<ReadOptions, 'maxImagePixels'>;
}

export interface ChunkResult {
  id: number;
  /** [items.length, bands, size, size]; slots of failed items are left at 0. */
  pixels: Float32Array;
  /** Per-item failures by position in the chunk (user errors only). */
  failures: { index: number; file: string; reason: string }[];
  /** Milliseconds spent preparing, for the benchmark. */
  milliseconds: number;
}

export function imageLength(spec: PreprocessSpec): number {
  return spec.bands.length * spec.size * spec.size;
}

export async function prepareChunk(request: ChunkRequest): Promise<ChunkResult> {
  const started = performance.now();
  const length = imageLength(request.spec);
  const needed = length * request.items.length;
  // Recycled buffers skip a large zero-filled allocation per chunk; failed slots are
  // never read, so stale contents do not matter.
  const pixels = request.buffer && request.buffer.byteLength >= needed * 4 ? new Float32Array(request.buffer, 0, needed) : new Float32Array(needed);
  const failures: ChunkResult['failures'] = [];
  for (let index = 0; index < request.items.length; index++) {
    const item = request.items[index];
    try {
      if (request.dataset === undefined) await prepareInputImage(item.files[0], request.spec, pixels, index * length, request.read);
      else await prepareImage(request.dataset, item, request.spec, pixels, index * length, request.read);
    } catch (error) {
      if (!isUserError(error)) throw error;
      failures.push({ index, file: error.file ?? item.files[0] ?? item.id, reason: error.message });
    }
  }
  return { id: request.id, pixels, failures, milliseconds: performance.now() - started };
}
