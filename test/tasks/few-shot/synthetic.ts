// Seeded synthetic embeddings for the few-shot tests: class clusters (a random mean per
// class plus Gaussian noise), so that probes learn something and make some mistakes.
import { randomStream } from '../../../tasks/few-shot/sampling.ts';

export interface Synthetic {
  embeddings: Float32Array;
  dimension: number;
  labels: number[][];
  classes: string[];
}

function gaussian(random: { next(): number }): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

/** Single-label: image i has class i % classCount; `separation` scales the class means. */
export function singleLabelData(rows: number, dimension: number, classCount: number, separation: number, seed = 1): Synthetic {
  const random = randomStream('synthetic', seed);
  const means = Array.from({ length: classCount }, () => Array.from({ length: dimension }, () => gaussian(random)));
  const labels = Array.from({ length: rows }, (_, row) => [row % classCount]);
  const embeddings = new Float32Array(rows * dimension);
  for (let row = 0; row < rows; row++) {
    for (let k = 0; k < dimension; k++) embeddings[row * dimension + k] = gaussian(random) + separation * means[labels[row][0]][k];
  }
  return { embeddings, dimension, labels, classes: Array.from({ length: classCount }, (_, c) => `class ${c}`) };
}

/** Multi-label: each class present with probability `rate`, its mean added to the noise. */
export function multiLabelData(rows: number, dimension: number, classCount: number, rate: number, seed = 2): Synthetic {
  const random = randomStream('synthetic-multi', seed);
  const means = Array.from({ length: classCount }, () => Array.from({ length: dimension }, () => gaussian(random)));
  const labels: number[][] = [];
  const embeddings = new Float32Array(rows * dimension);
  for (let row = 0; row < rows; row++) {
    const present = Array.from({ length: classCount }, (_, c) => c).filter(() => random.next() < rate);
    labels.push(present);
    for (let k = 0; k < dimension; k++) {
      let value = gaussian(random);
      for (const c of present) value += 0.6 * means[c][k];
      embeddings[row * dimension + k] = value;
    }
  }
  return { embeddings, dimension, labels, classes: Array.from({ length: classCount }, (_, c) => `label ${c}`) };
}
