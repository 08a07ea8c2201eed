/**
 * What the bench figures share: medians, this process's peak memory, and the synthetic
 * embeddings the store figure and bench/parquet-candidates.ts write and read.
 *
 * Imports nothing of the project.
 */
import { readFileSync } from 'node:fs';

/** BigEarthNet-S2's test split. */
export const BENCH_ROWS = 125_866;
export const BENCH_DIMENSION = 512;

/** The median of some timings (the figures quote medians: the machines are noisy). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * This process's own peak resident memory in MiB. Linux's getrusage maximum (what
 * process.resourceUsage reports) survives exec, so a child would report its parent's
 * size at the fork whenever that is larger; /proc's high-water mark is the child's own.
 */
export function peakRssMiB(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) / 1024;
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** Deterministic L2-normalised rows and BigEarthNet-like ids (the same on every call). */
export function syntheticEmbeddings(rows: number, dimension: number): { ids: string[]; values: Float32Array } {
  const values = new Float32Array(rows * dimension);
  let state = 0x9e3779b9;
  for (let row = 0; row < rows; row++) {
    const start = row * dimension;
    let norm = 0;
    for (let column = 0; column < dimension; column++) {
      state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
      const value = state / 2 ** 32 - 0.5;
      values[start + column] = value;
      norm += value * value;
    }
    const scale = 1 / Math.sqrt(norm);
    for (let column = 0; column < dimension; column++) values[start + column] *= scale;
  }
  const ids = Array.from({ length: rows }, (_, row) => `S2B_MSIL2A_20180525T94031_${String(Math.floor(row / 100)).padStart(4, '0')}_${row % 100}`);
  return { ids, values };
}
