/**
 * TIFF LZW encoder (compression 5) for the test and demo writer. Follows libtiff's
 * encoder exactly, so every TIFF reader decodes it: codes MSB-first, 9 to 12 bits,
 * Clear (256) first, the code width grows one code early ("early change": when the
 * next free code would not fit), Clear again when the table reaches 4094 entries,
 * EOI (257) last. Decoding is geotiff.js's job (and GDAL's, in the golden check).
 */

const CLEAR = 256;
const END_OF_INFORMATION = 257;
const FIRST_FREE = 258;
const TABLE_FULL = 4094;
const MIN_WIDTH = 9;

class BitWriter {
  private bytes: number[] = [];
  private buffer = 0;
  private bits = 0;

  write(code: number, width: number): void {
    // At most 7 pending bits + 12 new ones: well inside 32-bit integer range.
    this.buffer = (this.buffer << width) | code;
    this.bits += width;
    while (this.bits >= 8) {
      this.bits -= 8;
      this.bytes.push((this.buffer >>> this.bits) & 0xff);
    }
    this.buffer &= (1 << this.bits) - 1;
  }

  finish(): Uint8Array {
    if (this.bits > 0) this.bytes.push((this.buffer << (8 - this.bits)) & 0xff);
    return Uint8Array.from(this.bytes);
  }
}

export function lzwEncode(input: Uint8Array): Uint8Array {
  const writer = new BitWriter();
  // prefix code * 256 + next byte -> code; 0 means absent (no entry ever gets code 0).
  const table = new Uint16Array(4096 * 256);
  const used: number[] = [];
  let width = MIN_WIDTH;
  let nextCode = FIRST_FREE;
  writer.write(CLEAR, width);
  if (input.length === 0) {
    writer.write(END_OF_INFORMATION, width);
    return writer.finish();
  }
  // After each new entry: reset when the table is full, else widen when the next code needs it.
  const afterNewEntry = (): void => {
    if (nextCode === TABLE_FULL) {
      writer.write(CLEAR, width);
      for (const key of used) table[key] = 0;
      used.length = 0;
      nextCode = FIRST_FREE;
      width = MIN_WIDTH;
    } else if (nextCode > (1 << width) - 1) {
      width++;
    }
  };
  let prefix = input[0];
  for (let index = 1; index < input.length; index++) {
    const byte = input[index];
    const key = prefix * 256 + byte;
    const found = table[key];
    if (found !== 0) {
      prefix = found;
      continue;
    }
    writer.write(prefix, width);
    table[key] = nextCode++;
    used.push(key);
    prefix = byte;
    afterNewEntry();
  }
  writer.write(prefix, width);
  // The decoder adds one more entry after the last code; libtiff accounts for it too.
  nextCode++;
  afterNewEntry();
  writer.write(END_OF_INFORMATION, width);
  return writer.finish();
}
