/**
 * The two reductions the reference's numbers go through, reproduced bit for bit so
 * that a metric computed here equals the reference's to the last bit, not merely to
 * float32 rounding:
 *
 * - `torchSumFloat32`: torch's sum of a contiguous float32 CPU tensor (the reduction
 *   behind `Tensor.mean()`), which torchmetrics' AP and the reference's multi-label
 *   "mean of the other logits" use. torch does not add left to right: it keeps 8
 *   independent float32 lanes, each fed by 4 interleaved partial sums that are folded
 *   into one another in chunks ("cascade" summation), and adds the lanes at the end.
 *   The shape of that schedule is what decides the last bit, so it is followed here
 *   step by step: see `rowSum`. Checked bit for bit against torch 2.13 on x86-64,
 *   whose default, AVX2 and AVX-512 kernels all use 8 lanes here, for lengths 1 to
 *   16.8 million (scripts/golden/metrics.py, one thread: torch splits a single sum
 *   across threads only from 32,768 elements). ARM builds of torch may use other lanes.
 * - `numpyMean`: `np.mean` of a float64 list (the reference averages its per-class
 *   numbers with it): numpy's pairwise summation (blocks of 8 accumulators, halves
 *   above 128 elements), then one division.
 */

const LANES = 8;
const INTERLEAVE = 4;
const LEVELS = 4;
const f32 = Math.fround;

/** ceil(log2(x)), with 1 for x <= 2 (the helper torch sizes its chunks with). */
function ceilLog2(x: number): number {
  return x <= 2 ? 1 : 32 - Math.clz32(x - 1);
}

/**
 * Cascade sum of 4 interleaved sequences (column c holds items c, c + 4, ... of a
 * strided row, `rows` items each): every column accumulates into level 0; after each
 * chunk of 2^p items level 0 is folded into level 1, and a level is folded into the
 * next whenever the count of items so far is a multiple of its chunk size. Returns
 * one sum per column.
 */
function cascadeColumns(values: ArrayLike<number>, offset: number, stride: number, rows: number): number[] {
  const load = (row: number, column: number): number => f32(values[offset + (row * INTERLEAVE + column) * stride]);
  const levelPower = Math.max(4, Math.floor(ceilLog2(rows) / LEVELS));
  const step = 2 ** levelPower;
  const levels = Array.from({ length: LEVELS }, () => new Array<number>(INTERLEAVE).fill(0));
  let row = 0;
  while (row + step <= rows) {
    for (let count = 0; count < step; count++, row++) {
      for (let column = 0; column < INTERLEAVE; column++) levels[0][column] = f32(levels[0][column] + load(row, column));
    }
    for (let level = 1; level < LEVELS; level++) {
      for (let column = 0; column < INTERLEAVE; column++) {
        levels[level][column] = f32(levels[level][column] + levels[level - 1][column]);
        levels[level - 1][column] = 0;
      }
      // Stop folding at the first level whose chunk is not complete yet.
      if (Math.floor(row / 2 ** (level * levelPower)) % step !== 0) break;
    }
  }
  for (; row < rows; row++) {
    for (let column = 0; column < INTERLEAVE; column++) levels[0][column] = f32(levels[0][column] + load(row, column));
  }
  for (let level = 1; level < LEVELS; level++) {
    for (let column = 0; column < INTERLEAVE; column++) levels[0][column] = f32(levels[0][column] + levels[level][column]);
  }
  return levels[0];
}

/**
 * Sum of `size` items of a strided row (item i at `offset + i * stride`): viewed as
 * rows of 4, the 4 columns are summed by `cascadeColumns`, the items that do not fill
 * a row go into column 0, then columns 1-3 are added to column 0.
 */
function rowSum(values: ArrayLike<number>, offset: number, stride: number, size: number): number {
  const rows = Math.floor(size / INTERLEAVE);
  let c0 = 0;
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  if (rows < 16) {
    // Shorter than one chunk (chunks are at least 16 rows): plain running sums.
    for (let row = 0, at = offset; row < rows; row++, at += INTERLEAVE * stride) {
      c0 = f32(c0 + f32(values[at]));
      c1 = f32(c1 + f32(values[at + stride]));
      c2 = f32(c2 + f32(values[at + 2 * stride]));
      c3 = f32(c3 + f32(values[at + 3 * stride]));
    }
  } else {
    [c0, c1, c2, c3] = cascadeColumns(values, offset, stride, rows);
  }
  for (let item = rows * INTERLEAVE; item < size; item++) c0 = f32(c0 + f32(values[offset + item * stride]));
  return f32(f32(f32(c0 + c1) + c2) + c3);
}

/**
 * torch's float32 sum of `length` values from `offset` (a contiguous 1-D slice or one
 * row of a row-major matrix): fewer than 8 values go through the scalar `rowSum`;
 * otherwise each of 8 lanes sums its strided items (lane j takes items j, j+8, ...)
 * with `rowSum` over whole vectors, and the result is 0 + the items past the last
 * whole vector + lane 0 + ... + lane 7, in that order.
 */
export function torchSumFloat32(values: ArrayLike<number>, offset = 0, length = values.length - offset): number {
  if (length < LANES) return f32(0 + rowSum(values, offset, 1, length));
  const vectors = Math.floor(length / LANES);
  let total = 0;
  for (let index = vectors * LANES; index < length; index++) total = f32(total + f32(values[offset + index]));
  for (let lane = 0; lane < LANES; lane++) total = f32(total + rowSum(values, offset + lane, LANES, vectors));
  return total;
}

/** torch's `Tensor.mean()` of float32 values: the sum above, divided in float32. */
export function torchMeanFloat32(values: ArrayLike<number>, offset = 0, length = values.length - offset): number {
  return f32(torchSumFloat32(values, offset, length) / length);
}

/** numpy's pairwise sum of float64 values (`np.add.reduce` on a contiguous array). */
function pairwiseSum(values: readonly number[], start: number, count: number): number {
  if (count < 8) {
    let sum = 0;
    for (let index = start; index < start + count; index++) sum += values[index];
    return sum;
  }
  if (count <= 128) {
    const partial = values.slice(start, start + 8);
    let index = 8;
    for (; index < count - (count % 8); index += 8) {
      for (let lane = 0; lane < 8; lane++) partial[lane] += values[start + index + lane];
    }
    let sum = ((partial[0] + partial[1]) + (partial[2] + partial[3])) + ((partial[4] + partial[5]) + (partial[6] + partial[7]));
    for (; index < count; index++) sum += values[start + index];
    return sum;
  }
  let half = Math.floor(count / 2);
  half -= half % 8;
  return pairwiseSum(values, start, half) + pairwiseSum(values, start + half, count - half);
}

/** `np.mean` of float64 values; NaN for none (numpy warns and returns nan). */
export function numpyMean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : pairwiseSum(values, 0, values.length) / values.length;
}
