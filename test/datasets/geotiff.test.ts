// GeoTIFF reading against files written by tifffile and by GDAL (rasterio), each
// with its expected samples, made by scripts/golden/datasets.py.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeGeoTiff, readGeoTiff } from '../../datasets/tiff/geotiff.ts';
import { parseTiffLayout } from '../../datasets/tiff/structure.ts';
import { encodeTiff } from '../../datasets/tiff/writer.ts';
import { SAMPLE_TYPES, type SampleType } from '../../datasets/tiff/tags.ts';
import { ErrorCode, UserError } from '../../core/errors.ts';
import { declaredSizeTiff } from '../support/tiff-bombs.ts';

interface Fixture {
  file: string;
  bin: string;
  sampleType: SampleType;
  bands: number;
  height: number;
  width: number;
  descriptions: (string | null)[];
  writer: string;
}

const folder = new URL('../fixtures/datasets/tiff/', import.meta.url);
const fixtures = JSON.parse(readFileSync(new URL('fixtures.json', folder), 'utf8')) as Fixture[];

function expectedBands(fixture: Fixture): number[][] {
  const bytes = readFileSync(new URL(fixture.bin, folder));
  const values = SAMPLE_TYPES[fixture.sampleType].view(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), 0, fixture.bands * fixture.width * fixture.height);
  const pixels = fixture.width * fixture.height;
  return Array.from({ length: fixture.bands }, (_, band) => Array.from(values.subarray(band * pixels, (band + 1) * pixels)));
}

async function rejects(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, UserError);
    return error as UserError;
  }
  throw new assert.Assertion({ message: 'expected a UserError', operator: 'rejects', expects: 'UserError', actual: 'resolved' });
}

test('fixtures cover every layout the brief asks for', () => {
  const writers = new Set(fixtures.map((fixture) => fixture.writer.split(' ')[0]));
  assert.ok(writers.has('tifffile') && writers.has('gdal'));
  const types = new Set(fixtures.map((fixture) => fixture.sampleType));
  for (const type of ['uint8', 'int16', 'uint16', 'int32', 'float32']) assert.ok(types.has(type as SampleType), type);
});

for (const fixture of fixtures) {
  for (const decoder of ['auto', 'geotiff.js'] as const) {
    test(`${fixture.file} (${fixture.writer}) decodes with ${decoder}`, async () => {
      const raster = await readGeoTiff(join(folder.pathname, fixture.file), { decoder });
      assert.is(raster.width, fixture.width);
      assert.is(raster.height, fixture.height);
      assert.is(raster.fileBands, fixture.bands);
      assert.is(raster.sampleType, fixture.sampleType);
      assert.equal(raster.descriptions, fixture.descriptions);
      const expected = expectedBands(fixture);
      raster.data.forEach((band, index) => {
        assert.instance(band, SAMPLE_TYPES[fixture.sampleType].create(0).constructor);
        assert.equal(Array.from(band), expected[index], `band ${index}`);
      });
    });
  }
}

test('named bands come from GDAL descriptions when complete', async () => {
  const fixture = fixtures.find((entry) => entry.descriptions.every((name) => name !== null) && entry.bands > 1);
  assert.ok(fixture);
  const raster = await readGeoTiff(join(folder.pathname, fixture.file));
  assert.equal(raster.bands, fixture.descriptions);
  const plain = fixtures.find((entry) => entry.descriptions.every((name) => name === null) && entry.bands === 13) as Fixture;
  assert.equal((await readGeoTiff(join(folder.pathname, plain.file))).bands, Array.from({ length: 13 }, (_, index) => String(index + 1)));
});

test('decodes only the requested samples, in the requested order', async () => {
  for (const fixture of fixtures.filter((entry) => entry.bands >= 3)) {
    const expected = expectedBands(fixture);
    const raster = await readGeoTiff(join(folder.pathname, fixture.file), { samples: [2, 0] });
    assert.equal(raster.data.map((band) => Array.from(band)), [expected[2], expected[0]], fixture.file);
  }
});

test('a truncated file is a one-line image-invalid error naming it', async () => {
  const file = join(folder.pathname, 'truncated.tif');
  for (const decoder of ['auto', 'geotiff.js'] as const) {
    const error = await rejects(readGeoTiff(file, { decoder }));
    assert.is(error.code, ErrorCode.imageInvalid);
    assert.is(error.file, file);
    assert.ok(error.message.startsWith(`${file}: not a readable GeoTIFF (`), error.message);
    assert.not.match(error.message, /\n/);
  }
});

test('garbage, empty and missing files are image-invalid errors', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'geotiff-'));
  try {
    const cases: [string, Uint8Array | null][] = [
      ['garbage.tif', new TextEncoder().encode('this is not a tiff at all, just some text bytes')],
      ['empty.tif', new Uint8Array(0)],
      ['missing.tif', null],
    ];
    for (const [name, bytes] of cases) {
      const file = join(directory, name);
      if (bytes !== null) await writeFile(file, bytes);
      const error = await rejects(readGeoTiff(file));
      assert.is(error.code, ErrorCode.imageInvalid);
      assert.ok(error.message.startsWith(`${file}: `), error.message);
      assert.not.match(error.message, /\n/);
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});

test('corrupt deflate data is an image-invalid error', async () => {
  const bytes = encodeTiff({ width: 16, height: 16, data: [Array.from({ length: 256 }, (_, index) => index)] }, { sampleType: 'int16', compression: 'deflate' });
  // Scribble over the zlib header of the only strip.
  const [offset] = parseTiffLayout(bytes).offsets;
  new DataView(bytes.buffer).setUint32(offset, 0xdeadbeef);
  const error = await rejects(decodeGeoTiff(bytes, 'corrupt.tif'));
  assert.match(error.message, /^corrupt\.tif: not a readable GeoTIFF \(chunk 0: deflate data is corrupt \(/);
});

test('unsupported sample types are refused with the supported list', async () => {
  const bytes = encodeTiff({ width: 4, height: 4, data: [new Array(16).fill(1)] }, { sampleType: 'int16' });
  const view = new DataView(bytes.buffer);
  // Patch BitsPerSample (tag 258) to 64 in place: the entry is inline.
  for (let at = 10; at < 10 + 12 * view.getUint16(8, true); at += 12) {
    if (view.getUint16(at, true) === 258) view.setUint16(at + 8, 64, true);
  }
  const error = await rejects(decodeGeoTiff(bytes, 'x.tif'));
  assert.match(error.message, /expected uint8, int16, uint16, int32 or float32/);
});

test('chunks at odd byte offsets (legal TIFF) decode exactly, read from a file', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'geotiff-odd-'));
  try {
    const width = 20;
    const height = 18;
    const data = Array.from({ length: 3 }, (_, band) => Array.from({ length: width * height }, (_, index) => (index * 37 + band * 11) % 250));
    for (const sampleType of ['uint8', 'int16', 'uint16', 'int32', 'float32'] as const) {
      for (const layout of [{ rowsPerStrip: 5 }, { tile: { width: 16, height: 16 } }]) {
        for (const interleave of ['pixel', 'band'] as const) {
          for (const compression of ['none', 'deflate'] as const) {
            const label = `${sampleType} ${JSON.stringify(layout)} ${interleave} ${compression}`;
            const bytes = encodeTiff({ width, height, data }, { sampleType, interleave, compression, ...layout, oddOffsets: true });
            if (compression === 'none') assert.ok(parseTiffLayout(bytes).offsets.every((offset) => offset % 2 === 1), label);
            // From a file: readFileSync gives a Buffer, whose slice() is a view, not a copy.
            const file = join(directory, 'odd.tif');
            await writeFile(file, bytes);
            for (const decoder of ['auto', 'geotiff.js'] as const) {
              const raster = await readGeoTiff(file, { decoder });
              assert.equal(raster.data.map((band) => Array.from(band)), data, `${label} ${decoder}`);
            }
          }
        }
      }
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});

test('a header declaring a huge raster is refused before decoding, in one line naming the file and the flag', async () => {
  const bomb = declaredSizeTiff(12000, 12000, 13);
  assert.ok(bomb.byteLength < 4096, `${bomb.byteLength} bytes`);
  for (const decoder of ['auto', 'geotiff.js'] as const) {
    const error = await rejects(decodeGeoTiff(bomb, 'bomb.tif', { decoder, maxPixels: 10_000 * 10_000 }));
    assert.is(error.code, ErrorCode.imageInvalid);
    assert.is(error.message, 'bomb.tif: declares 12000x12000 = 144000000 pixels, more than the limit of 100000000 (--max-image-pixels); if the image is real, raise the limit with --max-image-pixels 144000000');
  }
  // No limit given: still a one-line error, never "Invalid typed array length".
  const error = await rejects(decodeGeoTiff(declaredSizeTiff(100000, 100000, 1), 'huge.tif'));
  assert.match(error.message, /^huge\.tif: declares 100000x100000 = 10000000000 pixels per band, more than one array can hold/);
  const memory = await rejects(decodeGeoTiff(declaredSizeTiff(60000, 60000, 200), 'deep.tif'));
  assert.match(memory.message, /^deep\.tif: declares 60000x60000 x 200 bands = [\d.]+ GB of samples, more than this machine's memory/);
});

test('a chunk that inflates past a full chunk (a deflate bomb) is refused', async () => {
  const bytes = encodeTiff({ width: 16, height: 16, data: [new Array<number>(256).fill(3)] }, { sampleType: 'int16', compression: 'deflate', rowsPerStrip: 16 });
  const [offset] = parseTiffLayout(bytes).offsets;
  const bomb = deflateSync(new Uint8Array(64 << 20));
  const file = new Uint8Array(offset + bomb.byteLength);
  file.set(bytes.subarray(0, offset));
  file.set(bomb, offset);
  // StripByteCounts (279) is the only entry whose value we change; it is inline.
  const view = new DataView(file.buffer);
  for (let at = 10; at < 10 + 12 * view.getUint16(8, true); at += 12) if (view.getUint16(at, true) === 279) view.setUint32(at + 8, bomb.byteLength, true);
  const error = await rejects(decodeGeoTiff(file, 'bomb.tif'));
  assert.match(error.message, /^bomb\.tif: not a readable GeoTIFF \(chunk 0 inflates to more than the 512 bytes a 16x16 chunk holds\)$/);
});

test('a 64x64x13 int16 uncompressed tile decodes well under 1 ms', async () => {
  const data = Array.from({ length: 13 }, (_, band) => Array.from({ length: 64 * 64 }, (_, index) => (index * 31 + band * 7) % 5000));
  const bytes = encodeTiff({ width: 64, height: 64, data }, { sampleType: 'int16' });
  const times: number[] = [];
  for (let round = 0; round < 300; round++) {
    const started = performance.now();
    await decodeGeoTiff(bytes, 'tile.tif');
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const median = times[times.length >> 1];
  assert.ok(median < 1, `median ${median.toFixed(3)} ms`);
});

test.run();
