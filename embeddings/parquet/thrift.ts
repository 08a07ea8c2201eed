/**
 * Thrift's compact protocol, the encoding of Parquet's footer and page headers: just
 * the part Parquet uses (structs, lists, i16/i32/i64, binary, bool; no maps, sets or
 * doubles are written). Values are plain tagged data, so a footer reads like the
 * parquet.thrift definition it follows, field id by field id.
 *
 * Imports nothing.
 */

/** A field value with its wire type. i64 holds numbers (byte offsets and counts stay far below 2^53). */
export type ThriftValue =
  | { type: 'bool'; value: boolean }
  | { type: 'i32'; value: number }
  | { type: 'i64'; value: number }
  | { type: 'binary'; value: Uint8Array | string }
  | { type: 'struct'; value: ThriftStruct }
  | { type: 'list'; element: 'i32' | 'binary' | 'struct'; value: ThriftValue[] };

/** Fields by id, in ascending order; absent optional fields are left out. */
export type ThriftStruct = [id: number, value: ThriftValue][];

export const i32 = (value: number): ThriftValue => ({ type: 'i32', value });
export const i64 = (value: number): ThriftValue => ({ type: 'i64', value });
export const binary = (value: Uint8Array | string): ThriftValue => ({ type: 'binary', value });
export const struct = (value: ThriftStruct): ThriftValue => ({ type: 'struct', value });
export const list = (element: 'i32' | 'binary' | 'struct', value: ThriftValue[]): ThriftValue => ({ type: 'list', element, value });

// Compact protocol type ids.
const BOOL_TRUE = 1;
const BOOL_FALSE = 2;
const BYTE = 3;
const I16 = 4;
const I32 = 5;
const I64 = 6;
const DOUBLE = 7;
const BINARY = 8;
const LIST = 9;
const SET = 10;
const MAP = 11;
const STRUCT = 12;

const ELEMENT_TYPE = { i32: I32, binary: BINARY, struct: STRUCT } as const;

/** Growable byte buffer. */
class Bytes {
  buffer = new Uint8Array(256);
  length = 0;
  private reserve(count: number): void {
    if (this.length + count <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + count));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }
  bytes(value: Uint8Array): void {
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }
  /** Unsigned LEB128 of a non-negative integer below 2^53. */
  varint(value: number): void {
    while (value >= 0x80) {
      this.byte((value % 0x80) | 0x80);
      value = Math.floor(value / 0x80);
    }
    this.byte(value);
  }
  zigzag(value: number): void {
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
  }
}

function wireType(value: ThriftValue): number {
  switch (value.type) {
    case 'bool': return value.value ? BOOL_TRUE : BOOL_FALSE;
    case 'i32': return I32;
    case 'i64': return I64;
    case 'binary': return BINARY;
    case 'struct': return STRUCT;
    case 'list': return LIST;
  }
}

function writeValue(out: Bytes, value: ThriftValue): void {
  switch (value.type) {
    case 'bool': out.byte(value.value ? BOOL_TRUE : BOOL_FALSE); return; // only reached inside lists
    case 'i32':
    case 'i64': out.zigzag(value.value); return;
    case 'binary': {
      const bytes = typeof value.value === 'string' ? Buffer.from(value.value, 'utf8') : value.value;
      out.varint(bytes.length);
      out.bytes(bytes);
      return;
    }
    case 'struct': writeStruct(out, value.value); return;
    case 'list': {
      const element = ELEMENT_TYPE[value.element];
      if (value.value.length < 15) out.byte((value.value.length << 4) | element);
      else {
        out.byte(0xf0 | element);
        out.varint(value.value.length);
      }
      for (const item of value.value) writeValue(out, item);
    }
  }
}

function writeStruct(out: Bytes, fields: ThriftStruct): void {
  let last = 0;
  for (const [id, value] of fields) {
    const type = wireType(value);
    if (id > last && id - last <= 15) out.byte(((id - last) << 4) | type);
    else {
      out.byte(type);
      out.zigzag(id);
    }
    if (value.type !== 'bool') writeValue(out, value);
    last = id;
  }
  out.byte(0); // stop
}

export function encodeStruct(fields: ThriftStruct): Uint8Array {
  const out = new Bytes();
  writeStruct(out, fields);
  return out.buffer.subarray(0, out.length);
}

/** A decoded value: numbers, booleans, raw bytes, arrays, or a struct's fields by id. */
export type Decoded = number | boolean | Uint8Array | Decoded[] | DecodedStruct;
export interface DecodedStruct {
  [id: number]: Decoded;
}

export class ThriftError extends Error {}

/** Reads compact-protocol structs from `bytes`, starting at `offset`. */
export class ThriftReader {
  offset: number;
  constructor(private readonly bytes: Uint8Array, offset = 0) {
    this.offset = offset;
  }
  private byte(): number {
    if (this.offset >= this.bytes.length) throw new ThriftError('unexpected end of data');
    return this.bytes[this.offset++];
  }
  private varint(): number {
    let result = 0;
    let scale = 1;
    for (let shift = 0; shift < 64; shift += 7) {
      const byte = this.byte();
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 0x80;
    }
    throw new ThriftError('varint too long');
  }
  private zigzag(): number {
    const raw = this.varint();
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }
  private value(type: number, depth: number): Decoded {
    if (depth > 32) throw new ThriftError('nesting too deep');
    switch (type) {
      case BOOL_TRUE: return true;
      case BOOL_FALSE: return false;
      case BYTE: return this.byte();
      case I16:
      case I32:
      case I64: return this.zigzag();
      case DOUBLE: {
        if (this.offset + 8 > this.bytes.length) throw new ThriftError('unexpected end of data');
        const value = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.offset, 8).getFloat64(0, true);
        this.offset += 8;
        return value;
      }
      case BINARY: {
        const length = this.varint();
        if (this.offset + length > this.bytes.length) throw new ThriftError('binary runs past the end of data');
        const value = this.bytes.subarray(this.offset, this.offset + length);
        this.offset += length;
        return value;
      }
      case LIST:
      case SET: {
        const header = this.byte();
        const size = header >> 4 === 15 ? this.varint() : header >> 4;
        const element = header & 0x0f;
        if (size > this.bytes.length - this.offset) throw new ThriftError('list longer than the data');
        const items: Decoded[] = [];
        // Booleans inside lists are one byte each (1 = true), unlike booleans in fields.
        for (let index = 0; index < size; index++) items.push(element === BOOL_TRUE || element === BOOL_FALSE ? this.byte() === BOOL_TRUE : this.value(element, depth + 1));
        return items;
      }
      case MAP: throw new ThriftError('maps are not used by Parquet footers');
      case STRUCT: return this.struct(depth + 1);
      default: throw new ThriftError(`unknown compact type ${type}`);
    }
  }
  struct(depth = 0): DecodedStruct {
    const fields: DecodedStruct = {};
    let last = 0;
    for (;;) {
      const header = this.byte();
      if (header === 0) return fields;
      const type = header & 0x0f;
      const delta = header >> 4;
      const id = delta === 0 ? this.zigzag() : last + delta;
      fields[id] = this.value(type, depth);
      last = id;
    }
  }
}
