/**
 * Spatial texture for synthetic scenes: value-noise fractional Brownian motion
 * (octaves of smoothly interpolated lattice noise), plus the few raster helpers the
 * scene renderer needs (quantiles, box blur, block averaging).
 */
import { latticeValue } from '../../core/random.ts';

export interface FieldOptions {
  width: number;
  height: number;
  seed: number;
  /** Size in pixels of the coarsest features. */
  scale: number;
  /** Number of octaves, each twice as fine as the previous one (default 4). */
  octaves?: number;
  /** Amplitude ratio between successive octaves (default 0.5). */
  persistence?: number;
}

const smoothstep = (t: number): number => t * t * (3 - 2 * t);

/** fBm field, row-major, values roughly in [-1, 1] (normalised by the amplitude sum). */
export function fbmField(options: FieldOptions): Float32Array {
  const { width, height, seed, scale } = options;
  const octaves = options.octaves ?? 4;
  const persistence = options.persistence ?? 0.5;
  const out = new Float32Array(width * height);
  const columnCell = new Int32Array(width);
  const columnWeight = new Float32Array(width);
  const rowCell = new Int32Array(height);
  const rowWeight = new Float32Array(height);
  let amplitude = 1;
  let amplitudeSum = 0;
  for (let octave = 0; octave < octaves; octave++) {
    const frequency = 2 ** octave / Math.max(scale, 1e-3);
    const octaveSeed = (seed + Math.imul(octave + 1, 0x9e3779b1)) | 0;
    // A per-octave offset keeps the lattice points of different octaves from aligning.
    const offset = ((octaveSeed >>> 8) % 1000) / 997;
    for (let x = 0; x < width; x++) {
      const position = (x + 0.5) * frequency + offset;
      columnCell[x] = Math.floor(position);
      columnWeight[x] = smoothstep(position - columnCell[x]);
    }
    for (let y = 0; y < height; y++) {
      const position = (y + 0.5) * frequency + offset;
      rowCell[y] = Math.floor(position);
      rowWeight[y] = smoothstep(position - rowCell[y]);
    }
    // Lattice values over the covered cells, computed once per octave.
    const cellX0 = columnCell[0];
    const cellY0 = rowCell[0];
    const cellsX = columnCell[width - 1] - cellX0 + 2;
    const cellsY = rowCell[height - 1] - cellY0 + 2;
    const lattice = new Float32Array(cellsX * cellsY);
    for (let j = 0; j < cellsY; j++) {
      for (let i = 0; i < cellsX; i++) lattice[j * cellsX + i] = latticeValue(cellX0 + i, cellY0 + j, octaveSeed);
    }
    for (let y = 0; y < height; y++) {
      const j = rowCell[y] - cellY0;
      const wy = rowWeight[y];
      for (let x = 0; x < width; x++) {
        const i = columnCell[x] - cellX0;
        const wx = columnWeight[x];
        const top = lattice[j * cellsX + i] * (1 - wx) + lattice[j * cellsX + i + 1] * wx;
        const bottom = lattice[(j + 1) * cellsX + i] * (1 - wx) + lattice[(j + 1) * cellsX + i + 1] * wx;
        out[y * width + x] += amplitude * (top * (1 - wy) + bottom * wy);
      }
    }
    amplitudeSum += amplitude;
    amplitude *= persistence;
  }
  for (let index = 0; index < out.length; index++) out[index] /= amplitudeSum;
  return out;
}

/** The q-quantile (0..1) of the values, by sorting a copy. */
export function quantile(values: Float32Array, q: number): number {
  const sorted = Float32Array.from(values).sort();
  const position = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[position];
}

/** Box blur with the given radius, edges clamped (separable, in place on a copy). */
export function boxBlur(values: Float32Array, width: number, height: number, radius: number): Float32Array {
  if (radius <= 0) return Float32Array.from(values);
  const horizontal = new Float32Array(values.length);
  const out = new Float32Array(values.length);
  const span = 2 * radius + 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = -radius; k <= radius; k++) sum += values[y * width + Math.min(width - 1, Math.max(0, x + k))];
      horizontal[y * width + x] = sum / span;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = -radius; k <= radius; k++) sum += horizontal[Math.min(height - 1, Math.max(0, y + k)) * width + x];
      out[y * width + x] = sum / span;
    }
  }
  return out;
}

/**
 * Averages `factor` x `factor` blocks (a coarser sensor pixel integrates the finer
 * ones); partial blocks at the right and bottom edges average what they hold.
 * Returns the coarse raster and its size.
 */
export function blockAverage(values: Float32Array, width: number, height: number, factor: number): { data: Float32Array; width: number; height: number } {
  const coarseWidth = Math.ceil(width / factor);
  const coarseHeight = Math.ceil(height / factor);
  const sums = new Float64Array(coarseWidth * coarseHeight);
  const counts = new Uint16Array(coarseWidth * coarseHeight);
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / factor) * coarseWidth;
    for (let x = 0; x < width; x++) {
      const cell = row + Math.floor(x / factor);
      sums[cell] += values[y * width + x];
      counts[cell]++;
    }
  }
  const data = new Float32Array(sums.length);
  for (let cell = 0; cell < data.length; cell++) data[cell] = sums[cell] / counts[cell];
  return { data, width: coarseWidth, height: coarseHeight };
}
