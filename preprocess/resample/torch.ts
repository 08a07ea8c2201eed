/**
 * torch's antialiased resampling with the reference harness's exact arithmetic.
 * Written by hand because no library reproduces torch's float32 operation order (and
 * so its last bits); the torchvision geometry around it is in torchvision.ts, GDAL's
 * bilinear for BigEarthNet in datasets/bigearthnet-resample.ts.
 *
 * - torch: `F.interpolate(mode='bicubic'|'bilinear', align_corners=False,
 *   antialias=True)`, which torchvision's `Resize` calls on tensors (antialias is on
 *   by default since torchvision 0.17, also when upsampling). Separable, PIL-style:
 *   per axis a table of (first input, tap count, weights), the kernel (Keys cubic
 *   with a = -0.5, or the triangle) widened by the scale when downsampling and the
 *   weights renormalised to sum 1. The width is resampled first, then the height; an
 *   axis whose size does not change is copied, as torch does.
 * 
 * Everything torch does in float32 is done here in float32 (Math.fround after each
 * operation), in torch's order. torch's x86 builds (AVX2 and AVX512 kernels) contract
 * some multiply-adds into fused ones; the tables record which (see `plainTaps`), and
 * the results then equal torch's bit for bit (checked against golden files made by
 * scripts/golden/resample.py).
 */

export interface Planar {
  /** Channel-major float32 samples: [channels][height][width]. */
  data: Float32Array;
  channels: number;
  height: number;
  width: number;
}

import type { Interpolation } from '../../datasets/types.ts';
import { axisKernel, type AxisKernel } from './torch-kernels.ts';

const fround = Math.fround;

export type { Interpolation };

/**
 * torchvision's `Normalize(mean, std)`, one float32 value per channel, applied as the
 * resized values are written: (x - mean) rounded to float32, then / std rounded to
 * float32, as torch's sub_ and div_ round each step.
 */
export interface Normalization {
  mean: Float32Array;
  std: Float32Array;
}

/** Scratch for the horizontal pass, reused across calls (grown, never shrunk). */
let scratch = new Float32Array(0);
function scratchOf(length: number): Float32Array {
  if (scratch.length < length) scratch = new Float32Array(length);
  return scratch;
}

/** A region of the full-size output, for writing only what a centre crop keeps. */
interface Window {
  top: number;
  left: number;
  height: number;
  width: number;
}

/**
 * Whether output `index` + 1 reads the same four inputs as output `index` (and lies
 * before `end`): upsampling gives runs of outputs that share them, and resampling two
 * at once loads each input once for both.
 */
function fourTapPair(kernel: AxisKernel, index: number, end: number): boolean {
  return index + 1 < end && kernel.taps[index] === 4 && kernel.taps[index + 1] === 4 && kernel.first[index + 1] === kernel.first[index];
}

/**
 * torch's four-tap sum: one rounded product, then three fused multiply-adds (a float32
 * product is exact in a double). The last step is left for the caller to round.
 */
function fourTapSum(a0: number, a1: number, a2: number, a3: number, w0: number, w1: number, w2: number, w3: number): number {
  let sum = fround(a0 * w0);
  sum = fround(sum + a1 * w1);
  sum = fround(sum + a2 * w2);
  return sum + a3 * w3;
}

/**
 * Width pass: `rows` rows of `source` (rowLength wide) -> `width` outputs per row,
 * output columns left .. left + width - 1. Column by column (two where they share
 * their inputs), so that the columns' weights stay in registers while the rows
 * stream past.
 */
function resampleRows(source: Float32Array, sourceOffset: number, rows: number, rowLength: number, kernel: AxisKernel,
  left: number, width: number, target: Float32Array, targetOffset: number): void {
  const { first, taps, plainTaps, weights, stride } = kernel;
  const end = left + width;
  for (let column = left; column < end; column++) {
    const input = sourceOffset + first[column];
    const out = targetOffset + column - left;
    const count = taps[column];
    const weightRow = column * stride;
    if (fourTapPair(kernel, column, end)) {
      const next = weightRow + stride;
      fourTapColumnPair(source, input, rowLength, rows, weights[weightRow], weights[weightRow + 1], weights[weightRow + 2], weights[weightRow + 3],
        weights[next], weights[next + 1], weights[next + 2], weights[next + 3], target, out, width);
      column++;
    } else if (count === 4) {
      fourTapColumn(source, input, rowLength, rows, weights[weightRow], weights[weightRow + 1], weights[weightRow + 2], weights[weightRow + 3], target, out, width);
    } else {
      anyTapColumn(source, input, rowLength, rows, weights, weightRow, count, plainTaps[column], target, out, width);
    }
  }
}

/** The common case (upsampling bicubic); the store rounds. */
function fourTapColumn(source: Float32Array, input: number, rowLength: number, rows: number, w0: number, w1: number, w2: number, w3: number,
  target: Float32Array, out: number, outStride: number): void {
  for (let row = 0; row < rows; row++, input += rowLength, out += outStride) {
    target[out] = fourTapSum(source[input], source[input + 1], source[input + 2], source[input + 3], w0, w1, w2, w3);
  }
}

/** Two adjacent columns with the same inputs: weights w for column out, v for out + 1. */
function fourTapColumnPair(source: Float32Array, input: number, rowLength: number, rows: number, w0: number, w1: number, w2: number, w3: number,
  v0: number, v1: number, v2: number, v3: number, target: Float32Array, out: number, outStride: number): void {
  for (let row = 0; row < rows; row++, input += rowLength, out += outStride) {
    const a0 = source[input];
    const a1 = source[input + 1];
    const a2 = source[input + 2];
    const a3 = source[input + 3];
    target[out] = fourTapSum(a0, a1, a2, a3, w0, w1, w2, w3);
    target[out + 1] = fourTapSum(a0, a1, a2, a3, v0, v1, v2, v3);
  }
}

function anyTapColumn(source: Float32Array, input: number, rowLength: number, rows: number, weights: Float32Array, weightRow: number,
  count: number, plain: number, target: Float32Array, out: number, outStride: number): void {
  for (let row = 0; row < rows; row++, input += rowLength, out += outStride) {
    let sum = fround(source[input] * weights[weightRow]);
    let tap = 1;
    for (; tap < plain; tap++) sum = fround(sum + fround(source[input + tap] * weights[weightRow + tap]));
    for (; tap < count; tap++) sum = fround(sum + source[input + tap] * weights[weightRow + tap]);
    target[out] = sum;
  }
}

/**
 * Height pass of one channel, a row of outputs at a time (two where they share their
 * inputs; torch's per-sample order kept). Each output x is written as
 * fround(fround(x) - mean) * inverseStd; with mean 0 and inverseStd 1 that is
 * fround(x) itself, the plain resize.
 */
function resampleColumns(source: Float32Array, sourceOffset: number, width: number, kernel: AxisKernel,
  top: number, height: number, target: Float32Array, targetOffset: number, mean: number, inverseStd: number): void {
  const { first, taps, plainTaps, weights, stride } = kernel;
  const end = top + height;
  for (let line = top; line < end; line++) {
    const out = targetOffset + (line - top) * width;
    const count = taps[line];
    const weightRow = line * stride;
    const input = sourceOffset + first[line] * width;
    if (fourTapPair(kernel, line, end)) {
      const next = weightRow + stride;
      fourTapLinePair(source, input, width, weights[weightRow], weights[weightRow + 1], weights[weightRow + 2], weights[weightRow + 3],
        weights[next], weights[next + 1], weights[next + 2], weights[next + 3], target, out, mean, inverseStd);
      line++;
    } else if (count === 4) {
      fourTapLine(source, input, width, weights[weightRow], weights[weightRow + 1], weights[weightRow + 2], weights[weightRow + 3], target, out, mean, inverseStd);
    } else if (count === 2) {
      twoTapLine(source, input, width, weights[weightRow], weights[weightRow + 1], target, out, mean, inverseStd);
    } else {
      anyTapLine(source, input, width, weights, weightRow, count, plainTaps[line], target, out);
      normalizeRange(target, out, out + width, mean, inverseStd);
    }
  }
}

function fourTapLine(source: Float32Array, input: number, width: number, w0: number, w1: number, w2: number, w3: number,
  target: Float32Array, out: number, mean: number, inverseStd: number): void {
  const input1 = input + width;
  const input2 = input1 + width;
  const input3 = input2 + width;
  for (let x = 0; x < width; x++) {
    const value = fround(fourTapSum(source[input + x], source[input1 + x], source[input2 + x], source[input3 + x], w0, w1, w2, w3));
    target[out + x] = fround(value - mean) * inverseStd;
  }
}

/** Two adjacent lines with the same inputs: weights w for the line at out, v for the next. */
function fourTapLinePair(source: Float32Array, input: number, width: number, w0: number, w1: number, w2: number, w3: number,
  v0: number, v1: number, v2: number, v3: number, target: Float32Array, out: number, mean: number, inverseStd: number): void {
  const input1 = input + width;
  const input2 = input1 + width;
  const input3 = input2 + width;
  const out1 = out + width;
  for (let x = 0; x < width; x++) {
    const a0 = source[input + x];
    const a1 = source[input1 + x];
    const a2 = source[input2 + x];
    const a3 = source[input3 + x];
    target[out + x] = fround(fround(fourTapSum(a0, a1, a2, a3, w0, w1, w2, w3)) - mean) * inverseStd;
    target[out1 + x] = fround(fround(fourTapSum(a0, a1, a2, a3, v0, v1, v2, v3)) - mean) * inverseStd;
  }
}

function twoTapLine(source: Float32Array, input: number, width: number, w0: number, w1: number, target: Float32Array, out: number,
  mean: number, inverseStd: number): void {
  const input1 = input + width;
  for (let x = 0; x < width; x++) {
    const value = fround(fround(source[input + x] * w0) + source[input1 + x] * w1);
    target[out + x] = fround(value - mean) * inverseStd;
  }
}

/**
 * Any tap count: accumulates whole rows in `target` (each store rounds, as torch's
 * float sum does); the caller normalises the line afterwards.
 */
function anyTapLine(source: Float32Array, input: number, width: number, weights: Float32Array, weightRow: number, count: number,
  plain: number, target: Float32Array, out: number): void {
  const firstWeight = weights[weightRow];
  for (let x = 0; x < width; x++) target[out + x] = source[input + x] * firstWeight;
  let tap = 1;
  for (; tap < plain; tap++) {
    input += width;
    const weight = weights[weightRow + tap];
    for (let x = 0; x < width; x++) target[out + x] += fround(source[input + x] * weight);
  }
  for (; tap < count; tap++) {
    input += width;
    const weight = weights[weightRow + tap];
    for (let x = 0; x < width; x++) target[out + x] += source[input + x] * weight;
  }
}

/** target[start .. end) = fround(x - mean) * inverseStd, rounded by the store. */
function normalizeRange(target: Float32Array, start: number, end: number, mean: number, inverseStd: number): void {
  for (let index = start; index < end; index++) target[index] = fround(target[index] - mean) * inverseStd;
}

export function checkImage(image: Planar): void {
  const { channels, height, width, data } = image;
  if (data.length !== channels * height * width) {
    throw new RangeError(`image data has ${data.length} samples, expected ${channels}x${height}x${width}`);
  }
}

/**
 * Resamples `image` to fullHeight x fullWidth and writes the `window` of that result
 * (channel-major) at out[offset], normalised when `normalization` is given.
 */
export function resampleWindowInto(image: Planar, fullHeight: number, fullWidth: number, mode: Interpolation,
  window: Window, out: Float32Array, offset: number, normalization: Normalization | undefined): void {
  checkImage(image);
  const { channels, height, width, data } = image;
  const windowSize = window.height * window.width;
  if (offset < 0 || offset + channels * windowSize > out.length) {
    throw new RangeError(`output buffer too small: ${out.length} < ${offset + channels * windowSize}`);
  }
  if (normalization !== undefined && (normalization.mean.length !== channels || normalization.std.length !== channels)) {
    throw new RangeError(`normalisation has ${normalization.mean.length} means and ${normalization.std.length} stds for ${channels} channels`);
  }
  // Without a normalisation the identity (mean 0, inverseStd 1) leaves each float32
  // as it is. torch divides by std; multiplying by the double reciprocal and rounding
  // once gives the same float32: a quotient of two float32s is never a rounding tie
  // and lies at least 2^-50 (relative) from one, while the product's error is below 2^-52.
  const meanOf = (channel: number): number => (normalization === undefined ? 0 : normalization.mean[channel]);
  const inverseStdOf = (channel: number): number => (normalization === undefined ? 1 : 1 / normalization.std[channel]);
  const resizeWidth = fullWidth !== width;
  const resizeHeight = fullHeight !== height;
  // Width pass over the rows the height pass will read; straight into `out` when
  // the height does not change.
  const rows = resizeHeight ? height : window.height;
  const rowOffset = resizeHeight ? 0 : window.top;
  const intermediate = resizeHeight ? scratchOf(channels * height * window.width) : out;
  const intermediateOffset = resizeHeight ? 0 : offset;
  if (resizeWidth && resizeHeight) {
    // Every row of every channel: the channels' rows are contiguous, one sweep.
    resampleRows(data, 0, channels * height, width, axisKernel(width, fullWidth, mode), window.left, window.width, intermediate, 0);
  } else {
    for (let channel = 0; channel < channels; channel++) {
      const source = channel * height * width + rowOffset * width;
      const target = intermediateOffset + channel * rows * window.width;
      if (resizeWidth) {
        resampleRows(data, source, rows, width, axisKernel(width, fullWidth, mode), window.left, window.width, intermediate, target);
      } else {
        for (let row = 0; row < rows; row++) {
          const from = source + row * width + window.left;
          intermediate.set(data.subarray(from, from + window.width), target + row * window.width);
        }
      }
      if (!resizeHeight && normalization !== undefined) normalizeRange(out, target, target + windowSize, meanOf(channel), inverseStdOf(channel));
    }
  }
  if (!resizeHeight) return;
  const kernel = axisKernel(height, fullHeight, mode);
  for (let channel = 0; channel < channels; channel++) {
    resampleColumns(intermediate, channel * height * window.width, window.width, kernel, window.top, window.height, out, offset + channel * windowSize,
      meanOf(channel), inverseStdOf(channel));
  }
}

/** `F.interpolate(image, size=(height, width), mode, align_corners=False, antialias=True)`. */
export function resizeAntialiased(image: Planar, height: number, width: number, mode: Interpolation): Planar {
  const data = new Float32Array(image.channels * height * width);
  resizeAntialiasedInto(image, height, width, mode, data);
  return { data, channels: image.channels, height, width };
}

/**
 * As `resizeAntialiased`, writing channels * height * width floats at out[offset] (e.g.
 * into a batch), normalised per channel when `normalization` is given.
 */
export function resizeAntialiasedInto(image: Planar, height: number, width: number, mode: Interpolation, out: Float32Array, offset = 0,
  normalization?: Normalization): void {
  resampleWindowInto(image, height, width, mode, { top: 0, left: 0, height, width }, out, offset, normalization);
}
