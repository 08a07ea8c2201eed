/**
 * torch's per-axis resampling tables (`_compute_index_ranges_weights`): for each output,
 * its first input, its taps and their float32 weights (the Keys cubic with a = -0.5, or
 * the triangle, widened by the scale when downsampling, renormalised to sum 1), built
 * with torch's float32 arithmetic, including the multiply-adds its x86 builds fuse.
 */
import type { Interpolation } from '../../datasets/types.ts';

/** The index/weight table of one axis, as torch's `_compute_index_ranges_weights` builds it. */
export interface AxisKernel {
  readonly inSize: number;
  readonly outSize: number;
  /** Weights per output in `weights` (torch's max_interp_size). */
  readonly stride: number;
  /** First input index of each output (torch's xmin). */
  readonly first: Int32Array;
  /** Taps of each output (torch's xsize), zero weights at the ends included. */
  readonly taps: Int32Array;
  /**
   * Leading taps summed as rounded products; the rest are fused multiply-adds.
   * torch's compiled loop vectorises the products of each full group of four
   * accumulation steps (no FMA there) and contracts the remaining steps into FMAs.
   */
  readonly plainTaps: Int32Array;
  /** [outSize * stride] float32 weights, normalised, zero-padded. */
  readonly weights: Float32Array;
}

const fround = Math.fround;

/** fmaf(a, b, c) for float32 operands: the product is exact in a double, the sum rounds once. */
function fusedMultiplyAdd32(a: number, b: number, c: number): number {
  const product = a * b;
  const sum = product + c;
  const rounded = fround(sum);
  if (rounded === sum) return rounded;
  // The double sum may itself be rounded; that only matters when it lands exactly
  // halfway between two floats. Then the sign of the lost part picks the side.
  const other = 2 * sum - rounded;
  if (fround(other) !== other || Math.abs(sum - rounded) !== Math.abs(other - sum)) return rounded;
  const sumPart = sum - product;
  const lost = (product - (sum - sumPart)) + (c - sumPart);
  if (lost === 0) return rounded;
  return (lost > 0) === (other > sum) ? other : rounded;
}

/** torch's aa_filter for bicubic (a = -0.5), float32, with the FMAs its x86 builds use. */
function cubicFilter(x: number): number {
  const distance = Math.abs(x);
  if (distance < 1) {
    // ((a + 2) * x - (a + 3)) * x * x + 1
    const inner = fusedMultiplyAdd32(1.5, distance, -2.5);
    return fusedMultiplyAdd32(fround(inner * distance), distance, 1);
  }
  if (distance < 2) {
    // ((a * x - 5a) * x + 8a) * x - 4a
    const inner = fusedMultiplyAdd32(-0.5, distance, 2.5);
    return fusedMultiplyAdd32(fusedMultiplyAdd32(inner, distance, -4), distance, 2);
  }
  return 0;
}

/** torch's aa_filter for bilinear: the triangle. */
function triangleFilter(x: number): number {
  const distance = Math.abs(x);
  return distance < 1 ? fround(1 - distance) : 0;
}

const KERNELS = new Map<string, AxisKernel>();

/** The table for one axis and mode; built once per (inSize, outSize, mode) and cached. */
export function axisKernel(inSize: number, outSize: number, mode: Interpolation): AxisKernel {
  const key = `${mode}:${inSize}:${outSize}`;
  let kernel = KERNELS.get(key);
  if (kernel === undefined) {
    kernel = buildAxisKernel(inSize, outSize, mode);
    KERNELS.set(key, kernel);
  }
  return kernel;
}

function buildAxisKernel(inSize: number, outSize: number, mode: Interpolation): AxisKernel {
  if (!Number.isInteger(inSize) || !Number.isInteger(outSize) || inSize < 1 || outSize < 1) {
    throw new RangeError(`cannot resample ${inSize} samples to ${outSize}: sizes must be positive integers`);
  }
  const filter = mode === 'bicubic' ? cubicFilter : triangleFilter;
  const interpolationSize = mode === 'bicubic' ? 4 : 2;
  // torch computes all of this in float32 (scalar_t), with double intermediates
  // wherever a C++ double literal joins the expression.
  const scale = fround(inSize / outSize);
  const support = scale >= 1 ? fround(interpolationSize * 0.5 * scale) : interpolationSize * 0.5;
  const inverseScale = scale >= 1 ? fround(1 / scale) : 1;
  const stride = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const taps = new Int32Array(outSize);
  const plainTaps = new Int32Array(outSize);
  const weights = new Float32Array(outSize * stride);
  for (let output = 0; output < outSize; output++) {
    const center = fround(scale * (output + 0.5));
    const start = Math.max(Math.trunc(fround(center - support) + 0.5), 0);
    const count = Math.min(Math.max(Math.min(Math.trunc(fround(center + support) + 0.5), inSize) - start, 0), stride);
    const row = output * stride;
    let total = 0;
    for (let tap = 0; tap < count; tap++) {
      const weight = filter(fround((fround(tap + start - center) + 0.5) * inverseScale));
      weights[row + tap] = weight;
      total = fround(total + weight);
    }
    if (total !== 0) for (let tap = 0; tap < count; tap++) weights[row + tap] = fround(weights[row + tap] / total);
    first[output] = start;
    taps[output] = count;
    plainTaps[output] = count === 0 ? 0 : 1 + 4 * Math.floor((count - 1) / 4);
  }
  return { inSize, outSize, stride, first, taps, plainTaps, weights };
}

