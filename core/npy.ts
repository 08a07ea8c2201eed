/**
 * NumPy's .npy format: writing logits and targets beside records, reading user
 * arrays and saved logits.
 *
 * Imports only core/.
 */
import { ErrorCode, UserError } from './errors.ts';

function defaultDescr(data: Float32Array | Int32Array | Uint8Array | Uint16Array | Float64Array): string {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof Uint16Array) return '<u2';
  return '|u1';
}

/**
 * NumPy .npy v1.0, little-endian, C order. `descr` overrides the dtype the array type
 * implies (e.g. '<f2' for float16 bits held in a Uint16Array).
 */
export function encodeNpy(data: Float32Array | Int32Array | Uint8Array | Uint16Array | Float64Array, shape: readonly number[], descr = defaultDescr(data)): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  // Typed arrays are host-endian; every platform Node supports is little-endian.
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

export interface NpyArray {
  descr: string;
  shape: number[];
  data: Float32Array | Float64Array | Int32Array | Uint8Array | BigInt64Array | Int16Array | Uint16Array;
}

/** Reads .npy v1/v2 little-endian C-order arrays of the dtypes this project writes or accepts. */
export function decodeNpy(bytes: Uint8Array, file = '<npy>'): NpyArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((value, index) => bytes[index] !== value)) {
    throw new UserError(ErrorCode.imageInvalid, `${file}: not a NumPy .npy file (bad magic); save arrays with numpy.save`, file);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = Buffer.from(bytes.subarray(headerStart, headerStart + headerLength)).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new UserError(ErrorCode.imageInvalid, `${file}: unreadable .npy header`, file);
  if (fortran === 'True') throw new UserError(ErrorCode.imageInvalid, `${file}: Fortran-order .npy is not supported; save with numpy.ascontiguousarray`, file);
  const shape = shapeText.split(',').map((part) => part.trim()).filter(Boolean).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const start = headerStart + headerLength;
  const types: Record<string, { size: number; make: (buffer: ArrayBuffer) => NpyArray['data'] }> = {
    '<f4': { size: 4, make: (b) => new Float32Array(b) },
    '<f8': { size: 8, make: (b) => new Float64Array(b) },
    '<i4': { size: 4, make: (b) => new Int32Array(b) },
    '<i8': { size: 8, make: (b) => new BigInt64Array(b) },
    '<i2': { size: 2, make: (b) => new Int16Array(b) },
    '<u2': { size: 2, make: (b) => new Uint16Array(b) },
    '|u1': { size: 1, make: (b) => new Uint8Array(b) },
    '|b1': { size: 1, make: (b) => new Uint8Array(b) },
  };
  const type = types[descr];
  if (!type) throw new UserError(ErrorCode.imageInvalid, `${file}: .npy dtype ${descr} is not supported (use float32, float64, int16, uint16, int32 or uint8)`, file);
  const byteLength = count * type.size;
  if (bytes.length < start + byteLength) throw new UserError(ErrorCode.imageInvalid, `${file}: truncated .npy (expected ${byteLength} data bytes)`, file);
  const copy = new Uint8Array(byteLength);
  copy.set(bytes.subarray(start, start + byteLength));
  return { descr, shape, data: type.make(copy.buffer) };
}

