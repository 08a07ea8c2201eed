// Hostile TIFFs for the resource tests: a few hundred bytes that declare a huge raster
// (the decoder would allocate width x height x bands before reading a single chunk).
import { encodeTiff } from '../../datasets/tiff/writer.ts';
import { Tag } from '../../datasets/tiff/tags.ts';

/** Sets single-valued inline LONG/SHORT entries of the first IFD of an encodeTiff file. */
function patchTags(bytes: Uint8Array, values: Record<number, number>): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ifd = view.getUint32(4, true);
  for (let index = 0; index < view.getUint16(ifd, true); index++) {
    const at = ifd + 2 + index * 12;
    const value = values[view.getUint16(at, true)];
    if (value === undefined) continue;
    if (view.getUint16(at + 2, true) === 4) view.setUint32(at + 8, value, true);
    else view.setUint16(at + 8, value, true);
  }
  return bytes;
}

/** A small deflate tiff of `bands` int16 bands (one strip) whose header declares width x height. */
export function declaredSizeTiff(width: number, height: number, bands: number): Uint8Array {
  const data = Array.from({ length: bands }, () => new Array<number>(16 * 16).fill(1));
  const bytes = encodeTiff({ width: 16, height: 16, data }, { sampleType: 'int16', compression: 'deflate', rowsPerStrip: 16 });
  return patchTags(bytes, { [Tag.imageWidth]: width, [Tag.imageLength]: height, [Tag.rowsPerStrip]: height });
}
