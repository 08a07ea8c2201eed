// End-to-end preprocessing against the reference's own transform pipelines
// (torchvision Resize/CenterCrop/Normalize, tifffile, and rasterio/GDAL for
// BigEarthNet), run by scripts/golden/datasets.py on the tree datasets-cases.ts
// writes: every value within 1e-4. Size-16 variants are stored whole; size-224
// ones (the real size) at 512 sampled positions per image plus the full mean.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describePreprocessing, prepareImage, preprocessingKey } from '../../preprocess/prepare.ts';
import { listDataset } from '../../datasets/registry.ts';
import type { DatasetListing } from '../../datasets/types.ts';
import type { PreprocessSpec } from '../../preprocess/spec.ts';
import { writeTrees } from '../../scripts/golden/datasets-cases.ts';

interface Variant {
  dataset: string;
  variant: string;
  spec: PreprocessSpec;
  values: string;
  indices?: string;
  perImage: number;
  stats: { mean: number; absMax: number }[];
}

const golden = new URL('../fixtures/datasets/golden/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', golden), 'utf8')) as { variants: Variant[] };
const TOLERANCE = 1e-4;

function float32s(name: string): Float32Array {
  const bytes = readFileSync(new URL(name, golden));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function uint32s(name: string): Uint32Array {
  const bytes = readFileSync(new URL(name, golden));
  return new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

let root = '';
const listings = new Map<string, DatasetListing>();

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'datasets-preprocess-'));
  await writeTrees(root);
  for (const name of ['EuroSAT_MS', 'METERML_MS', 'BigEarthNet_MS']) listings.set(name, await listDataset(name, root, { skipInvalid: false }));
});

test.after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('golden variants cover every dataset with MS and both RGB overflow modes', () => {
  const seen = new Set(manifest.variants.map((variant) => `${variant.dataset}/${variant.variant}`));
  for (const dataset of ['EuroSAT_MS', 'METERML_MS', 'BigEarthNet_MS']) {
    for (const variant of ['ms224', 'ms16', 'ms16-bilinear', 'rgb224-clip', 'rgb224-wrap', 'rgb16-clip', 'rgb16-wrap']) {
      assert.ok(seen.has(`${dataset}/${variant}`), `${dataset}/${variant}`);
    }
  }
});

for (const variant of manifest.variants) {
  test(`${variant.dataset} ${variant.variant}: matches the reference within ${TOLERANCE}`, async () => {
    const listing = listings.get(variant.dataset) as DatasetListing;
    const expected = float32s(variant.values);
    const indices = variant.indices === undefined ? undefined : uint32s(variant.indices);
    const size = variant.spec.size;
    const length = variant.spec.bands.length * size * size;
    assert.is(expected.length, variant.perImage * listing.items.length);
    // Two images per batch buffer, the second at an offset, as the evaluator fills batches.
    const batch = new Float32Array(2 * length).fill(Number.NaN);
    for (const [index, item] of listing.items.entries()) {
      const offset = (index % 2) * length;
      await prepareImage(variant.dataset, item, variant.spec, batch, offset);
      const output = batch.subarray(offset, offset + length);
      let worst = 0;
      let worstAt = -1;
      let sum = 0;
      for (let position = 0; position < variant.perImage; position++) {
        const at = indices === undefined ? position : indices[position];
        const difference = Math.abs(output[at] - expected[index * variant.perImage + position]);
        if (!(difference <= worst)) {
          worst = difference;
          worstAt = at;
        }
      }
      for (let at = 0; at < length; at++) sum += output[at];
      assert.ok(worst <= TOLERANCE, `${item.id}: max abs difference ${worst} at ${worstAt}`);
      assert.ok(Math.abs(sum / length - variant.stats[index].mean) <= TOLERANCE, `${item.id}: mean ${sum / length} vs ${variant.stats[index].mean}`);
    }
  });
}

const msSpec = (interpolation: 'bicubic' | 'bilinear'): PreprocessSpec => ({
  ...(manifest.variants.find((variant) => variant.variant === 'ms224') as Variant).spec,
  interpolation,
});

test('preprocessing keys: equal inputs share, different recipes do not', () => {
  assert.is(preprocessingKey('EuroSAT_MS', msSpec('bicubic')), preprocessingKey('EuroSAT', { ...msSpec('bicubic') }));
  assert.is.not(preprocessingKey('EuroSAT_MS', msSpec('bicubic')), preprocessingKey('EuroSAT_MS', msSpec('bilinear')));
  // BigEarthNet's MS resize is the dataset's (bilinear), whatever the model says.
  assert.is(preprocessingKey('BigEarthNet_MS', msSpec('bicubic')), preprocessingKey('BigEarthNet_MS', msSpec('bilinear')));
  assert.is.not(preprocessingKey('EuroSAT_MS', msSpec('bicubic')), preprocessingKey('METERML_MS', msSpec('bicubic')));
  const rgb = (manifest.variants.find((variant) => variant.variant === 'rgb224-clip') as Variant).spec;
  assert.is.not(preprocessingKey('METERML_MS', rgb), preprocessingKey('METERML_MS', { ...rgb, referenceRgbWrap: true }));
});

test('describePreprocessing: plain JSON with the recipe steps', () => {
  const ben = describePreprocessing('BigEarthNet_MS', msSpec('bicubic'));
  assert.equal(JSON.parse(JSON.stringify(ben)), ben);
  const ops = (description: Record<string, unknown>): string[] => (description.steps as { op: string }[]).map((step) => step.op);
  assert.equal(ops(ben), ['select-bands', 'to-float32', 'resize-shorter-side', 'normalize']);
  assert.is((ben.steps as { interpolation?: string }[])[2].interpolation, 'bilinear');
  assert.is((ben.read as { resampling: string }).resampling, 'gdal-bilinear');
  const rgb = describePreprocessing('METERML_RGB', (manifest.variants.find((variant) => variant.variant === 'rgb224-clip') as Variant).spec);
  assert.equal(ops(rgb), ['select-bands', 'rgb-to-uint8', 'to-float32', 'resize-shorter-side', 'center-crop', 'normalize']);
  assert.equal((rgb.steps as { bands?: string[] }[])[0].bands, ['B04', 'B03', 'B02']);
});

test.run();
