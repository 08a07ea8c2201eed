// PNG inputs of RGB models against Pillow/torchvision golden files
// (scripts/golden/inference.py): the resampler alone, then the whole transform.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeNpy } from '../../core/npy.ts';
import { decodeJpeg, decodePng, preparePicture } from '../../preprocess/pictures.ts';
import { resizedShorterSide } from '../../preprocess/resample/torchvision.ts';
import { centerCropOffsets } from '../../preprocess/resample/torchvision.ts';
import { pilResizeBicubic, pilResizeNearest } from '../../preprocess/resample/pillow.ts';
import { isUserError } from '../../core/errors.ts';

const root = new URL('../fixtures/inference/pil/', import.meta.url).pathname;
const CLIP = { mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711] };

const resizeCases = readdirSync(join(root, 'resize')).filter((name) => name.endsWith('.png')).sort();

test('there are resize golden cases', () => {
  assert.ok(resizeCases.length >= 6);
});

for (const name of resizeCases) {
  test(`Pillow resize: ${name}`, () => {
    const picture = decodePng(readFileSync(join(root, 'resize', name)), name);
    const expected = decodeNpy(readFileSync(join(root, 'resize', name.replace('.png', '.expected.npy'))));
    const [height, width] = expected.shape;
    const resized = picture.mode === 'P' || picture.mode === '1'
      ? pilResizeNearest(picture, width, height)
      : pilResizeBicubic(picture, width, height, picture.mode === 'RGBA' || picture.mode === 'LA');
    assert.is(resized.width, width);
    assert.is(resized.height, height);
    let mismatches = 0;
    for (let index = 0; index < expected.data.length; index++) if (resized.data[index] !== Number(expected.data[index])) mismatches++;
    assert.is(mismatches, 0, `${mismatches} of ${expected.data.length} bytes differ`);
  });
}

const pipelineCases = readdirSync(join(root, 'pipeline')).filter((name) => name.endsWith('.png')).sort();

for (const name of pipelineCases) {
  test(`open_clip transform of a PNG: ${name}`, () => {
    const picture = decodePng(readFileSync(join(root, 'pipeline', name)), name);
    const out = new Float32Array(3 * 224 * 224);
    preparePicture(picture, { size: 224, ...CLIP }, out);
    const expected = decodeNpy(readFileSync(join(root, 'pipeline', name.replace('.png', '.expected.npy'))));
    const [, rows, columns] = expected.shape;
    let worst = 0;
    for (let channel = 0; channel < 3; channel++) {
      for (let row = 0; row < rows; row++) {
        for (let column = 0; column < columns; column++) {
          const want = Number(expected.data[(channel * rows + row) * columns + column]);
          const got = out[channel * 224 * 224 + row * 7 * 224 + column * 7];
          worst = Math.max(worst, Math.abs(want - got));
        }
      }
    }
    assert.ok(worst <= 1e-6, `max abs difference ${worst}`);
  });
}

test('JPEG (4:4:4) decodes within 4 levels of Pillow/libjpeg', () => {
  const picture = decodeJpeg(readFileSync(join(root, 'jpeg', 'q90-444.jpg')), 'q90-444.jpg');
  const expected = decodeNpy(readFileSync(join(root, 'jpeg', 'q90-444.expected.npy')));
  assert.equal([picture.height, picture.width, 3], expected.shape);
  let worst = 0;
  for (let pixel = 0; pixel < picture.width * picture.height; pixel++) {
    for (let channel = 0; channel < 3; channel++) worst = Math.max(worst, Math.abs(picture.data[pixel * 4 + channel] - Number(expected.data[pixel * 3 + channel])));
  }
  assert.ok(worst <= 4, `max difference ${worst} levels`);
});

test('torchvision size and crop rules (the shared ones preparePicture uses)', () => {
  assert.equal(resizedShorterSide(30, 40, 224), { width: 298, height: 224 });
  assert.equal(resizedShorterSide(47, 30, 224), { width: 224, height: 350 });
  // Offsets round half to even: (225 - 224) / 2 = 0.5 -> 0, 1.5 -> 2, 2.5 -> 2.
  assert.equal(centerCropOffsets(225, 227, 224), { top: 0, left: 2 });
  assert.equal(centerCropOffsets(229, 224, 224), { top: 2, left: 0 });
});

test('a corrupt PNG or JPEG is a one-line error naming the file', () => {
  for (const [decode, name] of [[decodePng, 'broken.png'], [decodeJpeg, 'broken.jpg']] as const) {
    try {
      decode(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]), name);
      assert.unreachable('should have thrown');
    } catch (error) {
      assert.ok(isUserError(error), String(error));
      assert.ok((error as Error).message.startsWith(`${name}: `));
      assert.not.match((error as Error).message, /\n/);
    }
  }
});

test('a PNG or JPEG declaring more pixels than the limit is refused before decoding', () => {
  const png = Buffer.from(readFileSync(join(root, 'resize', resizeCases[0])));
  png.writeUInt32BE(20000, 16);
  png.writeUInt32BE(20000, 20);
  let failure: unknown;
  try {
    decodePng(png, 'bomb.png', 100_000_000);
  } catch (error) {
    failure = error;
  }
  assert.ok(isUserError(failure), String(failure));
  assert.is((failure as Error).message, 'bomb.png: declares 20000x20000 = 400000000 pixels, more than the limit of 100000000 (--max-image-pixels); if the image is real, raise the limit with --max-image-pixels 400000000');
  const jpeg = readFileSync(join(root, 'jpeg', 'q90-444.jpg'));
  assert.throws(() => decodeJpeg(jpeg, 'small.jpg', 10), /small\.jpg: declares more than 10 pixels .*--max-image-pixels/);
});

test.run();
