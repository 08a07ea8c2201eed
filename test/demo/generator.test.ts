/**
 * The demo suite generator: deterministic bytes, the real on-disk formats (read back
 * through the project's own loaders), and scenes whose classes separate the way the
 * demo promises - some only outside the visible bands.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { suiteDigest } from '../../datasets/demo/digest.ts';
import { DEMO_GENERATOR_VERSION, generateDemoSuite } from '../../datasets/demo/generate.ts';
import { EUROSAT_DEMO_CLASSES, METERML_FOLDERS } from '../../datasets/demo/layouts.ts';
import { readGeoTiff } from '../../datasets/tiff/geotiff.ts';
import { METERML_CLASSES } from '../../datasets/meterml.ts';
import { BIGEARTHNET_19_CLASSES } from '../../datasets/bigearthnet-labels.ts';
import { listDataset, resolveDataset } from '../../datasets/registry.ts';
import { PINNED_SUITE } from '../../scripts/golden/demo-suite.ts';

const temporary: string[] = [];
async function generated(options: Omit<Parameters<typeof generateDemoSuite>[0], 'root'>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'demo-generator-'));
  temporary.push(root);
  await generateDemoSuite({ root, ...options });
  return root;
}
test.after(async () => {
  await Promise.all(temporary.map((root) => rm(root, { recursive: true, force: true })));
});

const small = PINNED_SUITE;

test('same seed, same bytes; another seed or split, other bytes', async () => {
  const first = await suiteDigest(await generated(small));
  const second = await suiteDigest(await generated(small));
  assert.is(first.sha256, second.sha256);
  // 2 EuroSAT tiles per class and its train.txt / test.txt, 7 METER-ML tiles (one per class: no split files), 3 + 2 BigEarthNet patches, 3 csvs.
  assert.is(first.files, 20 + 2 + 7 + 5 * 13 + 3);
  const otherSeed = await suiteDigest(await generated({ ...small, seed: 2 }));
  assert.is.not(otherSeed.sha256, first.sha256);
  const otherSplit = await suiteDigest(await generated({ ...small, split: 'train' }));
  assert.is.not(otherSplit.sha256, first.sha256);
});

test('the pinned suite matches the fixture of this generator version (bump DEMO_GENERATOR_VERSION when bytes change)', async () => {
  const fixture = JSON.parse(readFileSync(new URL('../fixtures/demo/suite-digest.json', import.meta.url), 'utf8')) as { version: number; sha256: string };
  assert.is(fixture.version, DEMO_GENERATOR_VERSION, 'fixture made by another generator version: run node --import tsx scripts/golden/demo-suite.ts');
  const digest = await suiteDigest(await generated(small));
  assert.is(digest.sha256, fixture.sha256, 'the generator changed its output: bump DEMO_GENERATOR_VERSION and rerun scripts/golden/demo-suite.ts');
});

test('the three datasets read back through the project loaders in the real formats', async () => {
  const root = await generated({ ...small, sizes: { eurosatPerClass: 2, metermlPerClass: 1, bigearthnetPatches: 4 } });
  const eurosat = await listDataset('EuroSAT_MS', root, { skipInvalid: false });
  assert.equal(eurosat.classes, Object.keys(EUROSAT_DEMO_CLASSES).map((folder) => folder.replace(/_/g, ' ').toLowerCase()));
  assert.is(eurosat.items.length, 20);
  const meterml = await listDataset('METERML_MS', root, { skipInvalid: false });
  assert.equal(meterml.classes, [...METERML_CLASSES]);
  assert.equal(meterml.items.map((item) => item.id.split('/')[0]), [...METERML_FOLDERS]);
  const bigearthnet = await listDataset('BigEarthNet_MS', root, { skipInvalid: false });
  assert.equal(bigearthnet.classes, [...BIGEARTHNET_19_CLASSES]);
  assert.is(bigearthnet.task, 'multi-label');
  assert.is(bigearthnet.items.length, 4);

  const cases = [
    { listing: eurosat, bands: 13, size: 64, type: 'int16' },
    { listing: meterml, bands: 12, size: 72, type: 'int16' },
  ];
  for (const { listing, bands, size, type } of cases) {
    const raster = await readGeoTiff(listing.items[0].files[0]);
    assert.is(raster.sampleType, type);
    assert.is(raster.fileBands, bands);
    assert.is(raster.width, size);
    assert.is(raster.height, size);
    const image = await resolveDataset(listing.dataset).module.read(listing.items[0]);
    assert.is(image.bands.length, bands);
    // Reflectance DNs: positive, below saturation of bright snow and clouds.
    for (const band of image.data) for (const value of band) assert.ok(value >= 0 && value < 12000, `${listing.dataset}: DN ${value}`);
  }
  // BigEarthNet stores every band at its own resolution: 120, 60 and 20 px.
  const sizes = new Map<string, number>();
  for (const file of bigearthnet.items[0].files) {
    const raster = await readGeoTiff(file);
    sizes.set(/_(B\w+)\.tif$/.exec(file)![1], raster.width);
  }
  assert.equal(Object.fromEntries(sizes), { B01: 20, B02: 120, B03: 120, B04: 120, B05: 60, B06: 60, B07: 60, B08: 120, B8A: 60, B09: 20, B11: 60, B12: 60 });
  const image = await resolveDataset('BigEarthNet_MS').module.read(bigearthnet.items[0]);
  assert.is(image.width, 120);
  assert.is(image.data.length, 12);
  const labels = JSON.parse(readFileSync(join(root, 'BigEarthNet', 'sentinel-2', bigearthnet.items[0].id, `${bigearthnet.items[0].id}_labels_metadata.json`), 'utf8')) as { labels: string[] };
  assert.ok(labels.labels.length >= 1);
});

/** Per-image median DN of each band (the dominant cover's value), from the EuroSAT-style files. */
async function bandMedians(root: string): Promise<{ folder: string; means: Map<string, number> }[]> {
  const listing = await listDataset('EuroSAT_MS', root, { skipInvalid: false });
  const module = resolveDataset('EuroSAT_MS').module;
  return Promise.all(listing.items.map(async (item) => {
    const image = await module.read(item);
    const median = (values: ArrayLike<number>): number => Float64Array.from(values).sort()[Math.floor(values.length / 2)];
    const means = new Map(image.bands.map((band, index) => [band, median(image.data[index])]));
    return { folder: item.id.split('/')[0], means };
  }));
}

/** Leave-one-out nearest class centroid (features standardised) accuracy within the given classes. */
function nearestCentroidAccuracy(samples: { folder: string; features: number[] }[], folders: readonly string[]): number {
  const kept = samples.filter((sample) => folders.includes(sample.folder));
  const dimensions = kept[0].features.length;
  const mean = Array.from({ length: dimensions }, (_, d) => kept.reduce((sum, sample) => sum + sample.features[d], 0) / kept.length);
  const std = Array.from({ length: dimensions }, (_, d) => Math.sqrt(kept.reduce((sum, sample) => sum + (sample.features[d] - mean[d]) ** 2, 0) / kept.length) || 1);
  const scaled = kept.map((sample) => ({ folder: sample.folder, features: sample.features.map((value, d) => (value - mean[d]) / std[d]) }));
  let correct = 0;
  scaled.forEach((sample, index) => {
    let best = '';
    let bestDistance = Infinity;
    for (const folder of folders) {
      const others = scaled.filter((other, otherIndex) => other.folder === folder && otherIndex !== index);
      const centroid = Array.from({ length: dimensions }, (_, d) => others.reduce((sum, other) => sum + other.features[d], 0) / others.length);
      const distance = centroid.reduce((sum, value, d) => sum + (value - sample.features[d]) ** 2, 0);
      if (distance < bestDistance) {
        bestDistance = distance;
        best = folder;
      }
    }
    if (best === sample.folder) correct++;
  });
  return correct / scaled.length;
}

test('only the non-visible bands separate snow from cloud, healthy from stressed crops, broadleaf from conifer', async () => {
  const root = await generated({ split: 'test', seed: 3, sizes: { eurosatPerClass: 10, metermlPerClass: 0, bigearthnetPatches: 0 } });
  const images = await bandMedians(root);
  const msBands = ['B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B11', 'B12'];
  // The RGB view as the reference builds it: B04 B03 B02 clipped to 0..2000.
  // Spectral shape (each band over the image's sum) rather than brightness, which the
  // share of the dominant cover varies.
  const shape = (values: number[]): number[] => values.map((value) => value / values.reduce((sum, other) => sum + other, 0));
  const rgb = images.map(({ folder, means }) => ({ folder, features: shape(['B04', 'B03', 'B02'].map((band) => Math.min(2000, means.get(band)!))) }));
  const ms = images.map(({ folder, means }) => ({ folder, features: shape(msBands.map((band) => means.get(band)!)) }));
  const pairs = [['Snow', 'Cloud'], ['Healthy_Crops', 'Stressed_Crops'], ['Broadleaf_Forest', 'Coniferous_Forest']];
  const scores = pairs.map((pair) => ({ pair: pair.join('/'), ms: nearestCentroidAccuracy(ms, pair), rgb: nearestCentroidAccuracy(rgb, pair) }));
  for (const { pair, ms: withMs, rgb: withRgb } of scores) assert.ok(withMs > withRgb, `${pair}: multispectral ${withMs} vs RGB ${withRgb}`);
  const average = (key: 'ms' | 'rgb'): number => scores.reduce((sum, score) => sum + score[key], 0) / scores.length;
  // A pair is 0.5 by guessing: the multispectral medians separate the pairs, the RGB view barely.
  assert.ok(average('ms') >= 0.85, `multispectral separates the pairs: ${JSON.stringify(scores)}`);
  assert.ok(average('rgb') <= 0.65, `RGB should not separate the pairs: ${JSON.stringify(scores)}`);
  // SWIR is what tells snow from cloud: every snow tile is darker in B11 than every cloud tile.
  const b11 = (folder: string) => images.filter((image) => image.folder === folder).map((image) => image.means.get('B11')!);
  assert.ok(Math.max(...b11('Snow')) < Math.min(...b11('Cloud')));
  // All ten classes together: the multispectral medians beat the RGB view clearly.
  const all = Object.keys(EUROSAT_DEMO_CLASSES);
  const msAll = nearestCentroidAccuracy(ms, all);
  const rgbAll = nearestCentroidAccuracy(rgb, all);
  assert.ok(msAll >= rgbAll + 0.15, `all classes: multispectral ${msAll} vs RGB ${rgbAll}`);
});

test.run();
