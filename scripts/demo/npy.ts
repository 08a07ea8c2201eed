/**
 * NumPy .npy (format 1.0, little-endian) encoding of float32 data as float16, for
 * handing preprocessed training tensors to the Python trainer at half the size.
 */
import { encodeNpy } from '../../core/npy.ts';

const float32 = new Float32Array(1);
const bits32 = new Uint32Array(float32.buffer);

/** IEEE-754 binary16 bits of a number, rounded to nearest even (as NumPy's astype). */
export function toFloat16Bits(value: number): number {
  float32[0] = value;
  const bits = bits32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    const half = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    return sign | (half + (remainder > midpoint || (remainder === midpoint && (half & 1) === 1) ? 1 : 0));
  }
  const half = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (and may give infinity).
  return sign | (half + (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1) ? 1 : 0));
}

export function encodeFloat16Npy(data: Float32Array, shape: readonly number[]): Uint8Array {
  const bits = new Uint16Array(data.length);
  for (let index = 0; index < data.length; index++) bits[index] = toFloat16Bits(data[index]);
  return encodeNpy(bits, shape, '<f2');
}
