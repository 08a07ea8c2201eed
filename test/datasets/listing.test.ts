// Listing order, class names and labels against the reference: torchvision's
// ImageFolder (EuroSAT_MS, METERML_MS with METER-ML's names by position) and the
// reference's BigEarthNet code (csv order, 43 -> 19 labels), run by
// scripts/golden/datasets.py on the tree that datasets-cases.ts writes.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BIGEARTHNET_43_CLASSES, LABEL_43_TO_19, labels19 } from '../../datasets/bigearthnet-labels.ts';
import { bandOfFile, parseSplitCsv } from '../../datasets/bigearthnet.ts';
import { compareCodePoints } from '../../datasets/image-folder.ts';
import { DATASETS, listDataset, resolveDataset } from '../../datasets/registry.ts';
import { L2A_BANDS } from '../../datasets/sentinel2.ts';
import { ErrorCode, UserError } from '../../core/errors.ts';
import { writeTrees } from '../../scripts/golden/datasets-cases.ts';

interface GoldenListing { classes: string[]; items: { id: string; labels: number[]; bands?: string[] }[] }
const manifest = JSON.parse(readFileSync(new URL('../fixtures/datasets/golden/manifest.json', import.meta.url), 'utf8')) as {
  trees: Record<string, string>;
  listing: Record<string, GoldenListing>;
};

let root = '';

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'datasets-listing-'));
  await writeTrees(root);
});

test.after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(folder, join(entry.parentPath, entry.name)));
}

test('the tree is byte for byte the one the reference listed', async () => {
  const files = await filesUnder(root);
  assert.equal(files.sort(), Object.keys(manifest.trees).sort());
  for (const file of files) {
    const digest = createHash('sha256').update(await readFile(join(root, file))).digest('hex');
    assert.is(digest, manifest.trees[file], file);
  }
});

for (const name of ['EuroSAT_MS', 'METERML_MS', 'BigEarthNet_MS']) {
  test(`${name}: classes, order and labels as the reference`, async () => {
    const listing = await listDataset(name, root, { skipInvalid: false });
    const golden = manifest.listing[name];
    assert.is(listing.dataset, name);
    assert.equal(listing.classes, golden.classes);
    assert.equal(listing.items.map((item) => item.id), golden.items.map((item) => item.id));
    assert.equal(listing.items.map((item) => item.labels), golden.items.map((item) => item.labels));
    assert.equal(listing.skipped, []);
    assert.is(listing.task, name === 'BigEarthNet_MS' ? 'multi-label' : 'single-label');
  });
}

test('BigEarthNet files come in the reference band order (B8A after B08)', async () => {
  const listing = await listDataset('BigEarthNet_MS', root, { skipInvalid: false });
  for (const [index, item] of listing.items.entries()) {
    const referenceOrder = manifest.listing.BigEarthNet_MS.items[index].bands?.map((band) => (band === 'B08A' ? 'B8A' : band));
    assert.equal(item.files.map((file) => bandOfFile(file)), referenceOrder);
    assert.equal(referenceOrder, [...L2A_BANDS]);
  }
});

test('43 -> 19 mapping: 32 mapped labels, 11 dropped, duplicates merged', () => {
  assert.is(Object.keys(LABEL_43_TO_19).length, 32);
  assert.is(BIGEARTHNET_43_CLASSES.length - Object.keys(LABEL_43_TO_19).length, 11);
  assert.equal(labels19(['Continuous urban fabric', 'Discontinuous urban fabric']), { labels: [0], unknown: [] });
  assert.equal(labels19(['Bare rock', 'Nope']), { labels: [], unknown: ['Nope'] });
});

test('split csv: first column, any line ending, blank lines ignored', () => {
  assert.equal(parseSplitCsv('a,b\r\nc\n\nd,e,f\n', 'x.csv'), [{ name: 'a', file: 'x.csv', line: 1 }, { name: 'c', file: 'x.csv', line: 2 }, { name: 'd', file: 'x.csv', line: 4 }]);
  // A byte-order mark is not part of the first name.
  assert.equal(parseSplitCsv('\ufeffa\nb\n', 'x.csv').map((entry) => entry.name), ['a', 'b']);
});

test('split csv: a patch listed twice, or a path out of the dataset, is one line naming the csv line', () => {
  const refused = (text: string, pattern: RegExp): void => {
    try {
      parseSplitCsv(text, 'split.csv');
      assert.unreachable(`accepted ${JSON.stringify(text)}`);
    } catch (error) {
      assert.instance(error, UserError);
      assert.is((error as UserError).code, ErrorCode.datasetInvalid);
      assert.match((error as UserError).message, pattern);
      assert.not.match((error as UserError).message, '\n');
    }
  };
  refused('a\nb\na\n', /^split\.csv:3: patch "a" is listed twice \(first on line 1\)/);
  refused('a\n../../elsewhere/patch\n', /^split\.csv:2: "\.\.\/\.\.\/elsewhere\/patch" is not a patch name/);
  refused('..\n', /^split\.csv:1: "\.\." is not a patch name/);
});

test('code-point order, as Python sorts str', () => {
  const names = ['\u00e9', 'z', 'e', 'Z', 'a-1', 'a/1', 'a', '\u{1F600}', '\uFF41'];
  assert.equal([...names].sort(compareCodePoints), ['Z', 'a', 'a-1', 'a/1', 'e', 'z', '\u00e9', '\uFF41', '\u{1F600}']);
});

test('registry: names, aliases, RGB aliases, did you mean', () => {
  assert.equal(DATASETS.map((module) => module.name), ['EuroSAT_MS', 'METERML_MS', 'BigEarthNet_MS']);
  assert.equal(DATASETS.map((module) => module.folder), ['EuroSAT_MS', 'METERML_MS', 'BigEarthNet']);
  assert.is(resolveDataset('bigearthnet').module.name, 'BigEarthNet_MS');
  assert.equal(resolveDataset('METERML_RGB'), { module: resolveDataset('METERML_MS').module, rgbAlias: true });
  assert.is(resolveDataset('BigEarthNet_RGB').rgbAlias, true);
  assert.is(resolveDataset('eurosat_ms').rgbAlias, false);
  try {
    resolveDataset('EuroSAT_RGB');
    assert.unreachable();
  } catch (error) {
    assert.instance(error, UserError);
    assert.is((error as UserError).code, ErrorCode.unknownName);
    assert.match((error as UserError).message, /unknown dataset "EuroSAT_RGB": did you mean "EuroSAT_MS"\?/);
  }
});

test.run();
