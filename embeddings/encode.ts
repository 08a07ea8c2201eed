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
}

export interface EncodedItems {
  /** Per encoder: [kept.length, embeddingSize], L2-normalised rows in `kept` order. */
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
  const embeddings = sizes.map((size) => new Float32Array(items.length * size));
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
    for (const [index, encoder] of encoders.entries()) {
      const modelStarted = performance.now();
      const rows = await encoder.encodeImages(batch.pixels, batch.count);
      modelSeconds[index] += (performance.now() - modelStarted) / 1000;
      embeddings[index].set(rows, kept.length * sizes[index]);
    }
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
