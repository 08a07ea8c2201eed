/**
 * Stand-ins for encodeWithStore's tests (test/embeddings/cached-encode.test.ts and the
 * interrupted child, interrupted-encode.ts): small real 10-band .npy tiles that go
 * through the real data path, and 4-float "towers" that count their calls. What these
 * tests check is the store's bookkeeping; ONNX is checked by test/adapters.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageTextEncoder } from '../../adapters/types.ts';
import { encodeNpy } from '../../core/npy.ts';
import type { DatasetItem } from '../../datasets/types.ts';
import type { PreprocessSpec } from '../../preprocess/spec.ts';
import { MS_BANDS, MS_MEAN, MS_STD } from './inference.ts';

export const SPEC: PreprocessSpec = { kind: 'multispectral', bands: MS_BANDS, size: 8, interpolation: 'bicubic', mean: MS_MEAN, std: MS_STD };

/** `count` small 10-band .npy tiles in `work/name`, each different. */
export function makeItems(work: string, count: number, name = `data-${Math.random().toString(36).slice(2)}`): DatasetItem[] {
  const folder = join(work, name);
  mkdirSync(folder, { recursive: true });
  return Array.from({ length: count }, (_, index) => {
    const pixels = Float32Array.from({ length: 10 * 8 * 8 }, (_, value) => 1000 + ((index * 37 + value * 11) % 500));
    const file = join(folder, `tile_${String(index).padStart(3, '0')}.npy`);
    writeFileSync(file, encodeNpy(pixels, [10, 8, 8]));
    return { id: `tile_${index}`, files: [file], labels: [] };
  });
}

export interface CountingEncoder extends Pick<ImageTextEncoder, 'encodeImages' | 'manifest' | 'provider'> {
  calls: number[];
  failAfter?: number;
  /** Milliseconds each call waits before answering (a slow tower). */
  delayMs?: number;
}

/** A 4-float "tower": the L2-normalised sums of four slices of each image, seeded by the model. */
export function encoder(name: string, seed = 1): CountingEncoder {
  const self: CountingEncoder = {
    calls: [],
    provider: 'cpu',
    manifest: { name, embeddingSize: 4, image: { file: 'image.onnx' }, files: { 'image.onnx': seed.toString(16).padStart(64, '0') } } as unknown as ImageTextEncoder['manifest'],
    encodeImages(pixels, count) {
      if (self.failAfter !== undefined && self.calls.length >= self.failAfter) return Promise.reject(new Error('tower failed'));
      self.calls.push(count);
      const length = pixels.length / count;
      const rows = new Float32Array(count * 4);
      for (let image = 0; image < count; image++) {
        let norm = 0;
        for (let part = 0; part < 4; part++) {
          let sum = seed * (part + 1);
          for (let index = (part * length) / 4; index < ((part + 1) * length) / 4; index++) sum += pixels[image * length + index];
          rows[image * 4 + part] = sum;
          norm += sum * sum;
        }
        for (let part = 0; part < 4; part++) rows[image * 4 + part] /= Math.sqrt(norm);
      }
      return self.delayMs ? new Promise((resolve) => setTimeout(() => resolve(rows), self.delayMs)) : Promise.resolve(rows);
    },
  };
  return self;
}
