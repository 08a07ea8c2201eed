// The TIFF writer: every case of scripts/golden/datasets-cases.ts was read back by
// tifffile (all but LZW, which it cannot decode without imagecodecs) and by GDAL
// when the golden files were made; the manifest keeps the sha256 of each verified
// file. Here we re-encode and compare bytes, and read back with both our decoders.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeGeoTiff } from '../../datasets/tiff/geotiff.ts';
import { lzwEncode } from '../../datasets/tiff/lzw.ts';
import { encodeTiff, gdalMetadataXml } from '../../datasets/tiff/writer.ts';
import { SAMPLE_TYPES } from '../../datasets/tiff/tags.ts';
import { encodeWriterCase, writerCaseData, writerCases } from '../../scripts/golden/datasets-cases.ts';

interface VerifiedCase { name: string; sha256: string; tifffile: boolean | string; gdal: boolean }
const manifest = JSON.parse(readFileSync(new URL('../fixtures/datasets/golden/manifest.json', import.meta.url), 'utf8')) as { writer: VerifiedCase[] };
const verified = new Map(manifest.writer.map((entry) => [entry.name, entry]));

test('every writer case was verified by GDAL, and by tifffile unless LZW', () => {
  const cases = writerCases();
  assert.is(verified.size, cases.length);
  for (const entry of cases) {
    const record = verified.get(entry.name);
    assert.ok(record, entry.name);
    assert.is(record.gdal, true, entry.name);
    if (entry.options.compression === 'lzw') assert.type(record.tifffile, 'string');
    else assert.is(record.tifffile, true, entry.name);
  }
  const compressions = new Set(cases.map((entry) => entry.options.compression));
  assert.equal([...compressions].sort(), ['deflate', 'lzw', 'none']);
});

for (const entry of writerCases()) {
  test(`writer case ${entry.name}: same bytes as the verified file, reads back`, async () => {
    const bytes = encodeWriterCase(entry);
    const digest = createHash('sha256').update(bytes).digest('hex');
    assert.is(digest, verified.get(entry.name)?.sha256, 'bytes differ from the file tifffile/GDAL verified: rerun scripts/golden/datasets.py');
    const expected = writerCaseData(entry).map((band) => {
      const typed = SAMPLE_TYPES[entry.options.sampleType].create(band.length);
      typed.set(band);
      return Array.from(typed);
    });
    for (const decoder of ['auto', 'geotiff.js'] as const) {
      const raster = await decodeGeoTiff(bytes, entry.name, { decoder });
      assert.is(raster.sampleType, entry.options.sampleType);
      assert.is(raster.interleave, entry.options.interleave ?? 'pixel');
      assert.equal(raster.data.map((band) => Array.from(band)), expected, decoder);
      if (entry.options.descriptions) assert.equal(raster.descriptions, entry.options.descriptions);
    }
  });
}

test('LZW: empty input and long runs round-trip through geotiff.js', async () => {
  assert.equal(Array.from(lzwEncode(new Uint8Array(0))), [0x80, 0x40, 0x40]); // Clear, EOI in 9 bits
  const runs = Array.from({ length: 64 * 64 }, (_, index) => (index >> 9) * 1000);
  const bytes = encodeTiff({ width: 64, height: 64, data: [runs] }, { sampleType: 'uint16', compression: 'lzw', rowsPerStrip: 64 });
  const raster = await decodeGeoTiff(bytes, 'runs.tif');
  assert.equal(Array.from(raster.data[0]), runs);
});

test('GDAL metadata escapes descriptions the way GDAL does (twice)', () => {
  assert.match(gdalMetadataXml(['B&1']), /role="description">B&amp;amp;1<\/Item>/);
});

test('bad writer input is refused', () => {
  assert.throws(() => encodeTiff({ width: 2, height: 2, data: [[1, 2, 3]] }, { sampleType: 'int16' }), /3 values, 4 expected/);
  assert.throws(() => encodeTiff({ width: 2, height: 2, data: [[1, 2, 3, 4]] }, { sampleType: 'int16', tile: { width: 10, height: 16 } }), /multiples of 16/);
  assert.throws(() => encodeTiff({ width: 2, height: 2, data: [] }, { sampleType: 'int16' }), /at least one band/);
});

test.run();
