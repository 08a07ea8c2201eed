// User inputs: listing (sorted folders, skipped non-images, lists) and reading
// (band selection by count and by GDAL descriptions, both interleaves, .npy both ways),
// with tiles the test writes in the real formats; every bad input is one line naming the file.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeTiff } from '../../datasets/tiff/writer.ts';
import type { PreprocessSpec } from '../../preprocess/spec.ts';
import { listImages, prepareInputImage } from '../../preprocess/user-images.ts';
import { isUserError } from '../../core/errors.ts';
import { decodeNpy } from '../../core/npy.ts';
import { encodeNpy } from '../../core/npy.ts';
import { CLIP_MEAN, CLIP_STD, fixtures, MS_BANDS, MS_MEAN, MS_STD } from '../support/inference.ts';

const L1C = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B10', 'B11', 'B12'];
const L2A = L1C.filter((band) => band !== 'B10');
const MS: PreprocessSpec = { kind: 'multispectral', bands: MS_BANDS, size: 224, interpolation: 'bicubic', mean: MS_MEAN, std: MS_STD };
const RGB: PreprocessSpec = { kind: 'rgb', bands: ['red', 'green', 'blue'], size: 224, interpolation: 'bicubic', mean: CLIP_MEAN, std: CLIP_STD };
const root = mkdtempSync(join(tmpdir(), 'msclip-images-'));
const WIDTH = 30;
const HEIGHT = 26;

/** A deterministic reflectance value per (band, pixel); bands are told apart by name. */
function value(band: string, pixel: number): number {
  const code = L1C.indexOf(band) + 1;
  return (code * 977 + pixel * 131 + ((pixel * pixel) % 89) * code) % 6000;
}
const planes = (bands: readonly string[]): Int16Array[] => bands.map((band) => Int16Array.from({ length: WIDTH * HEIGHT }, (_, pixel) => value(band, pixel)));

async function prepared(file: string, spec: PreprocessSpec = MS): Promise<Float32Array> {
  const out = new Float32Array(spec.bands.length * 224 * 224);
  await prepareInputImage(file, spec, out, 0);
  return out;
}

async function expectOneLineError(run: () => Promise<unknown>, file: string, pattern?: RegExp): Promise<string> {
  try {
    await run();
  } catch (error) {
    assert.ok(isUserError(error), `expected a UserError, got ${String((error as Error)?.stack ?? error)}`);
    const message = (error as Error).message;
    assert.not.match(message, /\n/, 'one line');
    assert.ok(message.includes(file), `"${message}" names ${file}`);
    if (pattern) assert.match(message, pattern);
    return message;
  }
  assert.unreachable(`expected an error about ${file}`);
  return '';
}

const files = {
  model: join(root, 'model-order.tif'),
  l2a: join(root, 'l2a.tif'),
  l1c: join(root, 'l1c.tif'),
  bandFirst: join(root, 'band-first.tif'),
  described: join(root, 'described.tif'),
  eleven: join(root, 'eleven.tif'),
  missingB8A: join(root, 'missing-b8a.tif'),
  chw: join(root, 'chw.npy'),
  hwc: join(root, 'hwc.npy'),
  ambiguous: join(root, 'ambiguous.npy'),
  garbage: join(root, 'garbage.tif'),
  png: join(root, 'photo.png'),
};

test.before(async () => {
  const image = (bands: readonly string[]) => ({ width: WIDTH, height: HEIGHT, data: planes(bands) });
  await writeTiff(files.model, image(MS_BANDS), { sampleType: 'uint16', interleave: 'pixel' });
  await writeTiff(files.l2a, image(L2A), { sampleType: 'int16', interleave: 'pixel' });
  await writeTiff(files.l1c, image(L1C), { sampleType: 'uint16', interleave: 'pixel', compression: 'deflate' });
  await writeTiff(files.bandFirst, image(MS_BANDS), { sampleType: 'int16', interleave: 'band', tile: { width: 16, height: 16 } });
  // Bands in a shuffled order, named by GDAL descriptions (B2-style spellings included).
  const shuffled = ['B12', 'B8A', 'B01', 'B02', 'B11', 'B03', 'B04', 'B05', 'B09', 'B06', 'B07', 'B08'];
  await writeTiff(files.described, image(shuffled), { sampleType: 'int16', descriptions: shuffled.map((band) => band.replace(/^B0/, 'B')) });
  await writeTiff(files.eleven, image(L2A.slice(0, 11)), { sampleType: 'int16' });
  const withoutB8A = L2A.filter((band) => band !== 'B8A');
  await writeTiff(files.missingB8A, image(withoutB8A), { sampleType: 'int16', descriptions: withoutB8A });
  const chw = new Float32Array(MS_BANDS.length * WIDTH * HEIGHT);
  planes(MS_BANDS).forEach((plane, band) => chw.set(plane, band * WIDTH * HEIGHT));
  writeFileSync(files.chw, encodeNpy(chw, [MS_BANDS.length, HEIGHT, WIDTH]));
  const hwc = new Float32Array(L2A.length * WIDTH * HEIGHT);
  planes(L2A).forEach((plane, band) => plane.forEach((sample, pixel) => { hwc[pixel * L2A.length + band] = sample; }));
  writeFileSync(files.hwc, encodeNpy(hwc, [HEIGHT, WIDTH, L2A.length]));
  writeFileSync(files.ambiguous, encodeNpy(new Float32Array(12 * 5 * 12), [12, 5, 12]));
  writeFileSync(files.garbage, 'this is not a tiff\n');
  writeFileSync(files.png, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
});

test('every supported layout of the same bands gives the same model input', async () => {
  const reference = await prepared(files.model);
  assert.is(reference.length, 10 * 224 * 224);
  for (const file of [files.l2a, files.l1c, files.bandFirst, files.described, files.chw, files.hwc]) {
    const out = await prepared(file);
    let worst = 0;
    for (let index = 0; index < out.length; index++) worst = Math.max(worst, Math.abs(out[index] - reference[index]));
    assert.is(worst, 0, `${file} differs by ${worst}`);
  }
});

test('model inputs of the fixture tiles equal the reference preprocessing (torchvision)', async () => {
  const folder = join(fixtures, 'tiles');
  const { images } = await listImages(folder);
  const expected = decodeNpy(readFileSync(join(fixtures, 'tiles-inputs.expected.npy')));
  assert.equal(expected.shape, [images.length, 10, 16, 16]);
  let worst = 0;
  for (const [index, image] of images.entries()) {
    const out = await prepared(image.path);
    for (let band = 0; band < 10; band++) {
      for (let row = 0; row < 16; row++) {
        for (let column = 0; column < 16; column++) {
          const want = Number(expected.data[((index * 10 + band) * 16 + row) * 16 + column]);
          worst = Math.max(worst, Math.abs(out[band * 224 * 224 + row * 14 * 224 + column * 14] - want));
        }
      }
    }
  }
  assert.ok(worst <= 1e-4, `max abs difference ${worst}`);
});

test('an RGB model reads B04 B03 B02 of a multispectral tile', async () => {
  const fromL2A = await prepared(files.l2a, RGB);
  const fromL1C = await prepared(files.l1c, RGB);
  assert.equal(Array.from(fromL2A.subarray(0, 50)), Array.from(fromL1C.subarray(0, 50)));
  assert.ok(fromL2A.some((value) => value !== fromL2A[0]));
});

test('wrong band count, missing band, ambiguous array, unreadable file, PNG for MS: one line naming the file', async () => {
  await expectOneLineError(() => prepared(files.eleven), files.eleven, /11 bands; expected 13 \(L1C\), 12 \(L2A\), 10/);
  await expectOneLineError(() => prepared(files.missingB8A), files.missingB8A, /missing B8A/);
  await expectOneLineError(() => prepared(files.ambiguous), files.ambiguous, /ambiguous/);
  await expectOneLineError(() => prepared(files.garbage), files.garbage, /not a readable GeoTIFF/);
  await expectOneLineError(() => prepared(files.png), files.png, /PNG\/JPEG .* RGB only/);
  await expectOneLineError(() => prepared(join(root, 'nope.tif')), join(root, 'nope.tif'));
});

test('folders are listed in code-point order; non-images, folders and hidden files are skipped', async () => {
  const folder = join(root, 'listing');
  mkdirSync(join(folder, 'sub'), { recursive: true });
  for (const name of ['b.tif', 'B.tif', 'a.npy', 'é.png', 'Z.TIFF', 'readme.md', '.hidden.tif', 'c.jpeg']) writeFileSync(join(folder, name), '');
  const listing = await listImages(folder);
  assert.equal(listing.images.map((image) => image.name), ['B.tif', 'Z.TIFF', 'a.npy', 'b.tif', 'c.jpeg', 'é.png']);
  assert.equal(listing.images[0].path, join(folder, 'B.tif'));
  assert.equal(listing.skipped.map((entry) => entry.file), [join(folder, 'readme.md'), join(folder, 'sub')]);
  assert.match(listing.skipped[0].reason, /not an image file/);
});

test('an empty folder, a missing path and an empty list are one-line errors', async () => {
  const empty = join(root, 'empty');
  mkdirSync(empty, { recursive: true });
  writeFileSync(join(empty, 'notes.txt'), 'x');
  await expectOneLineError(() => listImages(empty), empty, /no images found \(1 other file/);
  await expectOneLineError(() => listImages(join(root, 'missing-folder')), join(root, 'missing-folder'), /no such file or folder/);
  const list = join(root, 'empty-list.txt');
  writeFileSync(list, '\n# nothing\n');
  await expectOneLineError(() => listImages(list), list, /empty/);
});

test('list files keep their order, resolve paths against their folder and reject typos', async () => {
  const folder = join(root, 'lists');
  mkdirSync(join(folder, 'tiles'), { recursive: true });
  writeFileSync(join(folder, 'tiles', 'x.tif'), '');
  writeFileSync(join(folder, 'tiles', 'a.tif'), '');
  writeFileSync(join(folder, 'list.txt'), 'tiles/x.tif\n# a comment\n\ntiles/a.tif\n');
  writeFileSync(join(folder, 'list.yaml'), `images:\n  - tiles/x.tif\n  - ${join(folder, 'tiles', 'a.tif')}\n`);
  const text = await listImages(join(folder, 'list.txt'));
  assert.equal(text.images.map((image) => image.name), ['tiles/x.tif', 'tiles/a.tif']);
  assert.equal(text.images[0].path, join(folder, 'tiles', 'x.tif'));
  const yaml = await listImages(join(folder, 'list.yaml'));
  assert.equal(yaml.images.map((image) => image.path), [join(folder, 'tiles', 'x.tif'), join(folder, 'tiles', 'a.tif')]);
  writeFileSync(join(folder, 'typo.txt'), 'tiles/x.tif\ntiles/y.tif\n');
  await expectOneLineError(() => listImages(join(folder, 'typo.txt')), join(folder, 'tiles', 'y.tif'), /no such file \(listed in/);
});

test.run();
