// Missing bands in the data path: an absent band is filled at its own position, before
// resizing and normalisation, by each policy; the others are untouched; the fill is part
// of the preprocessing key; bad conditions are one-line errors.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../../core/errors.ts';
import { generateTiles } from '../../datasets/demo/tiles.ts';
import { listDataset } from '../../datasets/registry.ts';
import { MSCLIP_BANDS } from '../../datasets/sentinel2.ts';
import type { DatasetListing } from '../../datasets/types.ts';
import { fillPolicyOf } from '../../preprocess/bands.ts';
import { describePreprocessing, prepareImage, preprocessingKey } from '../../preprocess/prepare.ts';
import type { PreprocessSpec } from '../../preprocess/spec.ts';

const SIZE = 32;
const SPEC: PreprocessSpec = {
  kind: 'multispectral', bands: [...MSCLIP_BANDS], size: SIZE, interpolation: 'bicubic',
  mean: MSCLIP_BANDS.map((_, band) => 1000 + 100 * band), std: MSCLIP_BANDS.map(() => 500),
};
const PLANE = SIZE * SIZE;
const work = mkdtempSync(join(tmpdir(), 'bands-'));
let listing: DatasetListing;
test.before(async () => {
  await generateTiles(work, 2);
  listing = await listDataset('EuroSAT_MS', work, { skipInvalid: false });
});
test.after(() => rmSync(work, { recursive: true, force: true }));

async function prepare(spec: PreprocessSpec): Promise<Float32Array> {
  const out = new Float32Array(MSCLIP_BANDS.length * PLANE);
  await prepareImage('EuroSAT_MS', listing.items[0], spec, out, 0);
  return out;
}
const plane = (pixels: Float32Array, band: number): Float32Array => pixels.subarray(band * PLANE, (band + 1) * PLANE);
const maxDifference = (a: ArrayLike<number>, b: ArrayLike<number>): number => Math.max(...Array.from(a, (value, index) => Math.abs(value - b[index])));

test('channel-mean fills 0 after normalisation; zero fills -mean/std; other bands untouched, at any position', async () => {
  const full = await prepare(SPEC);
  const b08 = MSCLIP_BANDS.indexOf('B08');
  const b02 = MSCLIP_BANDS.indexOf('B02');
  const channelMean = await prepare({ ...SPEC, missing: { bands: ['B08', 'B02'], fill: 'channel-mean' } });
  for (const band of [b08, b02]) assert.ok(maxDifference(plane(channelMean, band), new Float32Array(PLANE)) < 1e-5, `band ${band} not 0`);
  for (let band = 0; band < MSCLIP_BANDS.length; band++) {
    if (band !== b08 && band !== b02) assert.is(maxDifference(plane(channelMean, band), plane(full, band)), 0, `band ${band} changed`);
  }
  const zero = await prepare({ ...SPEC, missing: { bands: ['B08'], fill: 'zero' } });
  const expected = -SPEC.mean[b08] / SPEC.std[b08];
  assert.ok(maxDifference(plane(zero, b08), new Float32Array(PLANE).fill(expected)) < 1e-5);
});

test('pixel-mean fills each pixel with the mean of the bands present (before normalisation)', async () => {
  const full = await prepare(SPEC);
  const b11 = MSCLIP_BANDS.indexOf('B11');
  const b12 = MSCLIP_BANDS.indexOf('B12');
  const filled = await prepare({ ...SPEC, missing: { bands: ['B11', 'B12'], fill: 'pixel-mean' } });
  // Resizing is linear, so the filled plane is the mean of the present bands' resized raw values.
  const raw = (pixels: Float32Array, band: number): number[] => Array.from(plane(pixels, band), (value) => value * SPEC.std[band] + SPEC.mean[band]);
  const present = MSCLIP_BANDS.map((_, band) => band).filter((band) => band !== b11 && band !== b12);
  const mean = Array.from({ length: PLANE }, (_, index) => present.reduce((sum, band) => sum + raw(full, band)[index], 0) / present.length);
  for (const band of [b11, b12]) assert.ok(maxDifference(raw(filled, band), mean) < 0.05, `band ${band}`);
});

test('the fill is part of the preprocessing key and of the record\'s description', () => {
  const keys = new Set([
    preprocessingKey('EuroSAT_MS', SPEC),
    preprocessingKey('EuroSAT_MS', { ...SPEC, missing: { bands: ['B08'], fill: 'channel-mean' } }),
    preprocessingKey('EuroSAT_MS', { ...SPEC, missing: { bands: ['B08'], fill: 'zero' } }),
    preprocessingKey('EuroSAT_MS', { ...SPEC, missing: { bands: ['B11'], fill: 'zero' } }),
  ]);
  assert.is(keys.size, 4);
  const steps = describePreprocessing('EuroSAT_MS', { ...SPEC, missing: { bands: ['B08'], fill: 'zero' } }).steps as { op: string; bands?: string[]; fill?: string }[];
  assert.equal(steps.find((step) => step.op === 'fill-missing-bands'), { op: 'fill-missing-bands', bands: ['B08'], fill: 'zero', policy: "AddMeanChannels at the band's own position" });
});

test('a band the model lacks, or a condition that leaves no band, is a one-line error; reference spellings are accepted', async () => {
  for (const [bands, pattern] of [[['B01'], /B01 are not among the model's bands/], [[...MSCLIP_BANDS], /leaves no band/]] as [string[], RegExp][]) {
    try {
      await prepare({ ...SPEC, missing: { bands, fill: 'zero' } });
      assert.unreachable('accepted');
    } catch (error) {
      assert.instance(error, UserError);
      assert.match((error as UserError).message, pattern);
    }
  }
  assert.is(fillPolicyOf('channel_mean'), 'channel-mean');
  assert.is(fillPolicyOf('pixel_mean'), 'pixel-mean');
  assert.is(fillPolicyOf('zeros'), undefined);
});

test.run();
