import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Float64Workspace, loadRows } from '../../../tasks/few-shot/products.ts';
import { randomStream } from '../../../tasks/few-shot/sampling.ts';

function randomMatrix(rows: number, columns: number, seed: number): Float64Array {
  const random = randomStream('products', seed);
  return Float64Array.from({ length: rows * columns }, () => random.next() - 0.5);
}

/** The documented rounding: even and odd terms summed apart, then even + odd. */
function referenceDot(a: Float64Array, i: number, b: Float64Array, j: number, columns: number): number {
  let even = 0;
  let odd = 0;
  for (let k = 0; k < columns; k += 2) {
    even += a[i * columns + k] * b[j * columns + k];
    if (k + 1 < columns) odd += a[i * columns + k + 1] * b[j * columns + k + 1];
  }
  return even + odd;
}

function product(workspace: Float64Workspace, a: Float64Array, rowsA: number, b: Float64Array, rowsB: number, columns: number, normalise = false): number[][] {
  const [A, B, out] = workspace.layout([{ rows: rowsA, columns }, { rows: rowsB, columns }, { rows: rowsA, columns: rowsB }]);
  loadRows(A, a, columns, Array.from({ length: rowsA }, (_, index) => index), normalise);
  loadRows(B, b, columns, Array.from({ length: rowsB }, (_, index) => index), normalise);
  workspace.multiplyTransposed(A, B, out);
  return Array.from({ length: rowsA }, (_, i) => Array.from(out.data.subarray(i * out.stride, i * out.stride + rowsB)));
}

test('the SIMD kernel is available here and agrees with the JavaScript path to the bit, ragged shapes included', () => {
  const simd = new Float64Workspace();
  const plain = new Float64Workspace({ simd: false });
  assert.ok(simd.simd, 'Node 20 has WebAssembly SIMD');
  assert.not.ok(plain.simd);
  for (const [rowsA, rowsB, columns] of [[1, 1, 1], [3, 5, 7], [17, 70, 33], [2, 4, 512], [9, 130, 64]]) {
    const a = randomMatrix(rowsA, columns, rowsA);
    const b = randomMatrix(rowsB, columns, rowsB + 1000);
    const fast = product(simd, a, rowsA, b, rowsB, columns);
    assert.equal(fast, product(plain, a, rowsA, b, rowsB, columns), `${rowsA}x${rowsB}x${columns}`);
    const expected = Array.from({ length: rowsA }, (_, i) => Array.from({ length: rowsB }, (_, j) => referenceDot(a, i, b, j, columns)));
    assert.equal(fast, expected, `${rowsA}x${rowsB}x${columns} against the documented summation`);
  }
});

test('loadRows picks rows, normalises in float64 and zeroes what it does not fill', () => {
  const workspace = new Float64Workspace();
  const [matrix] = workspace.layout([{ rows: 3, columns: 2 }]);
  matrix.data.fill(7);
  loadRows(matrix, Float32Array.from([3, 4, 0, 0, 1, 0]), 2, [1, 0], true);
  assert.is(matrix.rows, 2);
  assert.equal(Array.from(matrix.data.subarray(0, 2)), [0, 0], 'a zero row stays zero');
  assert.equal(Array.from(matrix.data.subarray(matrix.stride, matrix.stride + 2)), [3 / 5, 4 / 5]);
  assert.ok(matrix.data.subarray(2 * matrix.stride).every((value) => value === 0));
  assert.ok(matrix.data.subarray(2, matrix.stride).every((value) => value === 0), 'padding columns');
});

test('a matrix from an earlier layout is refused, not silently read', () => {
  const workspace = new Float64Workspace();
  const [a, b, out] = workspace.layout([{ rows: 2, columns: 4 }, { rows: 4, columns: 4 }, { rows: 2, columns: 4 }]);
  workspace.layout([{ rows: 100000, columns: 8 }]); // grows the memory: the old views are detached
  assert.throws(() => workspace.multiplyTransposed(a, b, out), /earlier layout/);
});

test.run();
