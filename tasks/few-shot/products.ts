/**
 * Float64 matrix products for the probes: out = A·Bᵀ (every row of A against every
 * row of B), the one heavy operation of both kNN (test x training similarities) and
 * logistic regression (X·Wᵀ and Rᵀ·X per L-BFGS step).
 *
 * Matrices live in one workspace (a WebAssembly memory when the runtime has SIMD) so
 * that the kernel of wasm-kernel.ts can read them without copies. Rows are padded to a
 * multiple of 4 and columns to a multiple of 4 with zeros, so every product is made of
 * whole 2 x 4 tiles; the padded outputs are computed and ignored.
 *
 * Results do not depend on the path: the JavaScript fallback sums in the kernel's order
 * (even and odd terms apart, then even + odd), so both give the same bits.
 */
import { TILE_COLUMNS, TILE_ROWS, tileKernelModule } from './wasm-kernel.ts';

const PAD = 4;
/** Rows of B kept hot in cache while the rows of A pass over them (64 x 512 doubles = 256 KiB). */
const COLUMN_BLOCK = 64;
const PAGE_BYTES = 65536;

const padded = (count: number): number => Math.ceil(count / PAD) * PAD;

/** A row-major float64 matrix inside a workspace: `rows` x `columns`, row i at data[i * stride]. */
export interface Matrix {
  readonly data: Float64Array;
  /** Rows in use; may be lowered to reuse the matrix for fewer rows (padding rows stay allocated). */
  rows: number;
  readonly columns: number;
  /** Row length in memory: `columns` rounded up to a multiple of 4. */
  readonly stride: number;
  /** Allocated rows: a multiple of 4, >= rows. */
  readonly capacity: number;
}

export interface MatrixShape {
  rows: number;
  columns: number;
}

type TileKernel = (a: number, b: number, out: number, rowBytes: number, outRowBytes: number) => void;

/** The part of the WebAssembly API used here (the project's TypeScript libs declare none). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

function compileKernel(api: WasmApi, memory: WasmMemory): TileKernel | undefined {
  const bytes = tileKernelModule();
  if (!api.validate(bytes)) return undefined; // no 128-bit SIMD in this runtime
  const instance = new api.Instance(new api.Module(bytes), { env: { memory } });
  return instance.exports.tile as TileKernel;
}

/** The JavaScript twin of the kernel: the same tile, the same rounding, over plain arrays. */
function tileInJavaScript(a: Float64Array, aRow: number, b: Float64Array, bRow: number, out: Float64Array, outAt: number, stride: number, outStride: number): void {
  for (let row = 0; row < TILE_ROWS; row++) {
    const x = (aRow + row) * stride;
    for (let column = 0; column < TILE_COLUMNS; column++) {
      const y = (bRow + column) * stride;
      let even = 0;
      let odd = 0;
      for (let k = 0; k < stride; k += 2) {
        even += a[x + k] * b[y + k];
        odd += a[x + k + 1] * b[y + k + 1];
      }
      out[outAt + row * outStride + column] = even + odd;
    }
  }
}

export class Float64Workspace {
  private readonly memory: WasmMemory | undefined;
  private readonly kernel: TileKernel | undefined;
  private generation = 0;

  /** `simd: false` forces the JavaScript path (tests compare the two). */
  constructor(options: { simd?: boolean } = {}) {
    if (options.simd === false || wasm === undefined) return;
    const memory = new wasm.Memory({ initial: 1 });
    const kernel = compileKernel(wasm, memory);
    if (kernel === undefined) return;
    this.memory = memory;
    this.kernel = kernel;
  }

  /** Whether products run in the WebAssembly SIMD kernel. */
  get simd(): boolean {
    return this.kernel !== undefined;
  }

  /**
   * Zero-filled matrices of these shapes. They stay valid until the next `layout` call
   * on this workspace (which may move the memory): lay out everything one computation
   * needs at once.
   */
  layout(shapes: readonly MatrixShape[]): Matrix[] {
    this.generation++;
    const sizes = shapes.map(({ rows, columns }) => {
      if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(columns) || columns < 1) {
        throw new RangeError(`Float64Workspace: bad matrix shape ${rows} x ${columns}`);
      }
      return padded(Math.max(rows, 1)) * padded(columns);
    });
    const total = sizes.reduce((sum, size) => sum + size, 0);
    let buffer: ArrayBuffer;
    if (this.memory === undefined) {
      buffer = new ArrayBuffer(total * 8);
    } else {
      const missing = total * 8 - this.memory.buffer.byteLength;
      if (missing > 0) this.memory.grow(Math.ceil(missing / PAGE_BYTES));
      buffer = this.memory.buffer;
      new Float64Array(buffer, 0, total).fill(0);
    }
    let offset = 0;
    return shapes.map(({ rows, columns }, index) => {
      const data = new Float64Array(buffer, offset * 8, sizes[index]);
      offset += sizes[index];
      return { data, rows, columns, stride: padded(columns), capacity: padded(Math.max(rows, 1)) };
    });
  }

  /**
   * out[i, j] = sum over k of a[i, k] * b[j, k], for i < a.rows and j < b.rows (the
   * padding rows and columns of `out` receive values too and mean nothing).
   */
  multiplyTransposed(a: Matrix, b: Matrix, out: Matrix): void {
    if (a.columns !== b.columns) throw new RangeError(`multiplyTransposed: ${a.columns} columns against ${b.columns}`);
    if (out.capacity < padded(a.rows) || out.stride < padded(b.rows)) {
      throw new RangeError(`multiplyTransposed: output ${out.capacity} x ${out.stride} is smaller than ${a.rows} x ${b.rows}`);
    }
    const rowsA = Math.ceil(a.rows / TILE_ROWS) * TILE_ROWS;
    const rowsB = Math.ceil(b.rows / TILE_COLUMNS) * TILE_COLUMNS;
    const kernel = this.kernel;
    if (kernel !== undefined) {
      for (const matrix of [a, b, out]) {
        if (matrix.data.buffer !== this.memory!.buffer) throw new Error('multiplyTransposed: a matrix from an earlier layout of this workspace (or another one)');
      }
      const rowBytes = a.stride * 8;
      const outRowBytes = out.stride * 8;
      for (let blockStart = 0; blockStart < rowsB; blockStart += COLUMN_BLOCK) {
        const blockEnd = Math.min(rowsB, blockStart + COLUMN_BLOCK);
        for (let i = 0; i < rowsA; i += TILE_ROWS) {
          const aAddress = a.data.byteOffset + i * rowBytes;
          const outAddress = out.data.byteOffset + i * outRowBytes;
          for (let j = blockStart; j < blockEnd; j += TILE_COLUMNS) {
            kernel(aAddress, b.data.byteOffset + j * rowBytes, outAddress + j * 8, rowBytes, outRowBytes);
          }
        }
      }
      return;
    }
    for (let blockStart = 0; blockStart < rowsB; blockStart += COLUMN_BLOCK) {
      const blockEnd = Math.min(rowsB, blockStart + COLUMN_BLOCK);
      for (let i = 0; i < rowsA; i += TILE_ROWS) {
        for (let j = blockStart; j < blockEnd; j += TILE_COLUMNS) {
          tileInJavaScript(a.data, i, b.data, j, out.data, i * out.stride + j, a.stride, out.stride);
        }
      }
    }
  }
}

let shared: Float64Workspace | undefined;

/** The process's workspace (its memory is kept between computations and only grows). */
export function sharedWorkspace(): Float64Workspace {
  shared ??= new Float64Workspace();
  return shared;
}

/**
 * Copies rows `indices` of a row-major [*, columns] array into `target` (rows 0..),
 * each scaled to unit L2 norm in float64 when `normalise` (a zero row stays zero), and
 * sets target.rows. Padding columns and the rows past the copied ones are zeroed.
 */
export function loadRows(target: Matrix, source: ArrayLike<number>, columns: number, indices: ArrayLike<number>, normalise: boolean): void {
  if (columns !== target.columns) throw new RangeError(`loadRows: ${columns} columns into a matrix of ${target.columns}`);
  if (indices.length > target.capacity) throw new RangeError(`loadRows: ${indices.length} rows into a matrix of ${target.capacity}`);
  const data = target.data;
  for (let row = 0; row < indices.length; row++) {
    const from = indices[row] * columns;
    const to = row * target.stride;
    // Divided by the norm (not multiplied by its inverse), as sklearn's normalize does.
    let norm = 1;
    if (normalise) {
      let squares = 0;
      for (let k = 0; k < columns; k++) squares += source[from + k] * source[from + k];
      norm = squares > 0 ? Math.sqrt(squares) : 1;
    }
    for (let k = 0; k < columns; k++) data[to + k] = source[from + k] / norm;
    data.fill(0, to + columns, to + target.stride);
  }
  data.fill(0, indices.length * target.stride, target.capacity * target.stride);
  target.rows = indices.length;
}
