/**
 * The float16 .npy files demo:train hands to Python: IEEE-754 binary16 rounding
 * (nearest, ties to even, subnormals, overflow) and a header NumPy accepts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeFloat16Npy, toFloat16Bits } from '../../scripts/demo/npy.ts';

/** Exact value of binary16 bits, decoded independently of the encoder. */
function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Infinity;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

test('every binary16 value round-trips, and other numbers go to the nearest (ties to even)', () => {
  for (let bits = 0; bits < 0x10000; bits++) {
    const value = fromFloat16Bits(bits);
    if (Number.isNaN(value)) continue;
    assert.is(toFloat16Bits(value), bits === 0x8000 ? 0x8000 : bits);
  }
  // Against the definition on sweeps of float32 values (normal range, then subnormals).
  const finite: number[] = [];
  for (let bits = 0; bits < 0x7c00; bits++) finite.push(fromFloat16Bits(bits));
  const check = (value: number): void => {
    const float32 = Math.fround(value);
    const bits = toFloat16Bits(float32);
    const magnitude = Math.abs(float32);
    if (magnitude >= 65520) {
      assert.is(bits & 0x7fff, 0x7c00, `${float32} overflows to infinity`);
      return;
    }
    // finite[index] is the first binary16 magnitude above `magnitude`.
    let low = 0;
    let high = finite.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (finite[middle] <= magnitude) low = middle + 1;
      else high = middle;
    }
    const lower = finite[low - 1];
    const upper = low < finite.length ? finite[low] : 65536;
    const got = Math.abs(fromFloat16Bits(bits));
    if (magnitude - lower < upper - magnitude) assert.is(got, lower, `${float32}`);
    else if (magnitude - lower > upper - magnitude) assert.is(got, upper, `${float32}`);
    else assert.is((toFloat16Bits(got) & 1), 0, `${float32}: a tie goes to the even neighbour`);
  };
  for (let value = -70000; value <= 70000; value += 1.37) check(value);
  for (let value = -1e-4; value <= 1e-4; value += 3.1e-8) check(value);
  assert.is(toFloat16Bits(1e-8), 0);
  assert.is(toFloat16Bits(Number.NaN) & 0x7c00, 0x7c00);
});

test('the .npy header is NumPy format 1.0, 64-byte aligned, with shape and <f2', () => {
  const bytes = encodeFloat16Npy(Float32Array.from([1, -2, 0.5]), [1, 3]);
  assert.equal([...bytes.slice(0, 8)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const headerLength = bytes[8] | (bytes[9] << 8);
  assert.is((10 + headerLength) % 64, 0);
  const header = Buffer.from(bytes.slice(10, 10 + headerLength)).toString('latin1');
  assert.match(header, "{'descr': '<f2', 'fortran_order': False, 'shape': (1, 3), }");
  assert.ok(header.endsWith('\n'));
  const data = new DataView(bytes.buffer, 10 + headerLength);
  assert.equal([data.getUint16(0, true), data.getUint16(2, true), data.getUint16(4, true)], [0x3c00, 0xc000, 0x3800]);
});

test.run();
