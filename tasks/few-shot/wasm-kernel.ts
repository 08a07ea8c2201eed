/**
 * The bytes of a tiny WebAssembly module with one function, the inner kernel of
 * products.ts: a 2 x 4 tile of dot products in float64 with 128-bit SIMD.
 *
 * Why WebAssembly: the probes need A·Bᵀ products of up to 5,400 x 16,200 x 512
 * (45 G multiply-adds for kNN on a EuroSAT-sized training split); V8 runs a
 * register-tiled JavaScript loop at ~1.3 G multiply-adds/s per core and this kernel
 * at 3-6 G/s, which is what makes the speed target reachable on 2 cores. Written out
 * here instead of shipped as a .wasm file so that every byte is readable; it is the
 * module of this text format:
 *
 *   (module
 *     (import "env" "memory" (memory 1))
 *     (func (export "tile") (param $a i32) (param $b i32) (param $out i32)
 *                           (param $rowBytes i32) (param $outRowBytes i32)
 *       (local $k i32) (local $acc00 .. $acc13 v128) (local $x0 $x1 $y0 .. $y3 v128)
 *       (loop
 *         ;; x_r = A[r, k..k+1], y_c = B[c, k..k+1]
 *         (local.set $x0 (v128.load (i32.add $a $k))) ...
 *         ;; acc_rc += x_r * y_c, lane-wise (a multiply, then an add: no fused FMA)
 *         (local.set $acc00 (f64x2.add $acc00 (f64x2.mul $x0 $y0))) ...
 *         (br_if 0 (i32.lt_u (local.tee $k (i32.add $k 16)) $rowBytes)))
 *       ;; out[r, c] = lane 0 + lane 1
 *       (f64.store (out + r * outRowBytes + c * 8) (f64.add (extract_lane 0 $acc_rc) (extract_lane 1 $acc_rc))) ...))
 *
 * Rounding contract (products.ts's JavaScript fallback follows it to the bit): every
 * dot product sums the even-indexed and the odd-indexed terms separately, left to
 * right, each term rounded after its multiply and again after its add, and returns
 * even + odd.
 */

export const TILE_ROWS = 2;
export const TILE_COLUMNS = 4;

const unsignedLeb = (value: number): number[] => {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
};
const vector = (items: number[][]): number[] => [...unsignedLeb(items.length), ...items.flat()];
const section = (id: number, bytes: number[]): number[] => [id, ...unsignedLeb(bytes.length), ...bytes];
const name = (text: string): number[] => vector([...Buffer.from(text, 'utf8')].map((byte) => [byte]));

const op = {
  loop: 0x03, end: 0x0b, brIf: 0x0d, localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Const: 0x41, i32Add: 0x6a, i32LtU: 0x49, i32: 0x7f, v128: 0x7b, f64Store: 0x39, f64Add: 0xa0,
  voidBlock: 0x40, funcType: 0x60,
} as const;
/** SIMD instructions: the 0xfd prefix, then the instruction number. */
const simd = { load: 0x00, extractLane: 0x21, add: 0xf0, mul: 0xf2 } as const;
const simdOp = (code: number): number[] => [0xfd, ...unsignedLeb(code)];

/** The module's bytes. */
export function tileKernelModule(): Uint8Array {
  const param = { a: 0, b: 1, out: 2, rowBytes: 3, outRowBytes: 4 };
  let next = 5;
  const k = next++;
  const accumulators = Array.from({ length: TILE_ROWS * TILE_COLUMNS }, () => next++);
  const xs = Array.from({ length: TILE_ROWS }, () => next++);
  const ys = Array.from({ length: TILE_COLUMNS }, () => next++);
  const get = (local: number): number[] => [op.localGet, ...unsignedLeb(local)];
  const set = (local: number): number[] => [op.localSet, ...unsignedLeb(local)];
  /** base + k + row * rowBytes, as repeated adds (row is 0..3). */
  const address = (base: number, row: number): number[] => [
    ...get(base), ...get(k), op.i32Add,
    ...Array.from({ length: row }, () => [...get(param.rowBytes), op.i32Add]).flat(),
  ];
  const ALIGN_8 = 3; // memarg alignment, log2 bytes: float64 rows are 8-byte aligned

  const body: number[] = [op.loop, op.voidBlock];
  xs.forEach((local, row) => body.push(...address(param.a, row), ...simdOp(simd.load), ALIGN_8, 0, ...set(local)));
  ys.forEach((local, column) => body.push(...address(param.b, column), ...simdOp(simd.load), ALIGN_8, 0, ...set(local)));
  for (let row = 0; row < TILE_ROWS; row++) {
    for (let column = 0; column < TILE_COLUMNS; column++) {
      const accumulator = accumulators[row * TILE_COLUMNS + column];
      body.push(...get(accumulator), ...get(xs[row]), ...get(ys[column]), ...simdOp(simd.mul), ...simdOp(simd.add), ...set(accumulator));
    }
  }
  body.push(...get(k), op.i32Const, 16, op.i32Add, op.localTee, ...unsignedLeb(k), ...get(param.rowBytes), op.i32LtU, op.brIf, 0, op.end);
  for (let row = 0; row < TILE_ROWS; row++) {
    for (let column = 0; column < TILE_COLUMNS; column++) {
      const accumulator = accumulators[row * TILE_COLUMNS + column];
      body.push(
        ...get(param.out),
        ...Array.from({ length: row }, () => [...get(param.outRowBytes), op.i32Add]).flat(),
        ...get(accumulator), ...simdOp(simd.extractLane), 0,
        ...get(accumulator), ...simdOp(simd.extractLane), 1,
        op.f64Add, op.f64Store, ALIGN_8, ...unsignedLeb(column * 8),
      );
    }
  }
  body.push(op.end);
  const locals = [[1, op.i32], [accumulators.length + xs.length + ys.length, op.v128]];
  const code = [...vector(locals.map(([count, type]) => [...unsignedLeb(count), type])), ...body];

  const i32Params = Array.from({ length: 5 }, () => [op.i32]);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    ...section(1, vector([[op.funcType, ...vector(i32Params), ...vector([])]])),
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])), // memory, min 1 page, no max
    ...section(3, vector([[0]])),
    ...section(7, vector([[...name('tile'), 0x00, 0]])),
    ...section(10, vector([[...unsignedLeb(code.length), ...code]])),
  ]);
}
