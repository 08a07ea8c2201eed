/**
 * The preprocessing spec: what the data path must produce for one model. It comes
 * from the model's manifest by default (adapters/clip.ts: preprocessSpecOf) but is an
 * input of every run, so a sweep can pass a modified spec without touching a bundle.
 *
 * Imports only datasets/ vocabulary.
 */
import type { Interpolation } from '../datasets/types.ts';
import type { MissingBands } from './bands.ts';

/**
 * The version of what the data path produces for a given spec. Bump it whenever a
 * change to reading, band selection or filling, resizing or normalisation changes
 * the floats that reach a model, even slightly: it is part of every stored
 * embedding's key (embeddings/store-key.ts), so bumping it makes the store encode
 * every image again instead of serving embeddings of the old pixels.
 */
export const DATA_PATH_VERSION = 1;

export interface PreprocessSpec {
  kind: 'multispectral' | 'rgb';
  /** Sentinel-2 band names in model order (multispectral) or ["red","green","blue"]. */
  bands: string[];
  size: number;
  interpolation: Interpolation;
  mean: number[];
  std: number[];
  /** Reproduce the reference's uint8 wrap-around in the RGB path instead of clipping. */
  referenceRgbWrap?: boolean;
  /** Bands of `bands` that are absent and how they are filled (a band-robustness condition). */
  missing?: MissingBands;
}

/** Floats of one prepared image: bands x size x size. */
export function imageLength(spec: PreprocessSpec): number {
  return spec.bands.length * spec.size * spec.size;
}
