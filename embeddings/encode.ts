/**
 * Image embeddings, the unit of work: items stream through the one data path
 * (preprocess/stream.ts) and every model of a preprocessing group encodes each batch,
 * so a group decodes its images once however many models share it.
 *
 * Imports adapters (the encoders), preprocess (the stream) and core.
 */
import type { ImageTextEncoder } from '../adapters/types.ts';
import type { DatasetItem } from '../datasets/types.ts';
import { streamBatches, type WorkerPool } from '../preprocess/stream.ts';
import type { PreprocessSpec } from '../preprocess/spec.ts';

export interface EncodeOptions {
  pool: WorkerPool;
  /** The benchmark the items belong to; absent for a user's image files. */
  dataset?: string;
  spec: PreprocessSpec;
  items: readonly DatasetItem[];
  batchSize: number;
  /** Every encoder reads the same preprocessed batch. */
  encoders: readonly Pick<ImageTextEncoder, 'encodeImages' | 'manifest'>[];
  /** Leave unreadable items out (reported through onSkip) instead of failing. */
  skipInvalid: boolean;
  onSkip?: (skipped: { file: string; reason: string; index: number }) => void;
  /** Items done so far (encoded or skipped) and the total. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Called with every encoded batch: the items' indices and, per encoder, their rows
   * ([indices.length, embeddingSize], valid only during the call). The store writes
   * its chunks from here, so a killed run keeps what it finished.
   */
  onBatch?: (indices: readonly number[], rows: readonly Float32Array[]) => void;
  /** Keep every row for the result (default true); false when onBatch takes them. */
  collect?: boolean;
}

export interface EncodedItems {
  /** Per encoder: [kept.length, embeddingSize], L2-normalised rows in `kept` order (empty with collect: false). */
  embeddings: Float32Array[];
  /** Index in `items` of each row. */
  kept: number[];
  /** Per encoder: seconds spent in its image tower. */
  modelSeconds: number[];
  /** Wall-clock seconds of the whole pass. */
  seconds: number;
}

export async function encodeItems(options: EncodeOptions): Promise<EncodedItems> {
  const { items, encoders } = options;
  const sizes = encoders.map((encoder) => encoder.manifest.embeddingSize);
  const collect = options.collect ?? true;
  const embeddings = sizes.map((size) => new Float32Array(collect ? items.length * size : 0));
  const modelSeconds = encoders.map(() => 0);
  const kept: number[] = [];
  let done = 0;
  const started = performance.now();
  options.onProgress?.(0, items.length);
  for await (const batch of streamBatches({
    pool: options.pool,
    dataset: options.dataset,
    spec: options.spec,
    items,
    batchSize: options.batchSize,
    skipInvalid: options.skipInvalid,
    onSkip: (entry) => {
      options.onSkip?.(entry);
      options.onProgress?.(++done, items.length);
    },
  })) {
    const batchRows: Float32Array[] = [];
    for (const [index, encoder] of encoders.entries()) {
      const modelStarted = performance.now();
      const rows = await encoder.encodeImages(batch.pixels, batch.count);
      modelSeconds[index] += (performance.now() - modelStarted) / 1000;
      if (collect) embeddings[index].set(rows, kept.length * sizes[index]);
      batchRows.push(rows);
    }
    options.onBatch?.(batch.indices, batchRows);
    kept.push(...batch.indices);
    done += batch.count;
    options.onProgress?.(done, items.length);
  }
  return {
    embeddings: embeddings.map((rows, index) => rows.subarray(0, kept.length * sizes[index])),
    kept,
    modelSeconds,
    seconds: (performance.now() - started) / 1000,
  };
}
