// Split files on the tiny benchmark tree (real tiffs from scripts/golden/datasets-cases.ts):
// ImageFolder train/val/test.txt matched by relative path or file stem, BigEarthNet's
// bigearthnet-{train,val,test}.csv matched by patch name, and the one-line errors.
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, UserError } from '../../core/errors.ts';
import { bigearthnet } from '../../datasets/bigearthnet.ts';
import { eurosat } from '../../datasets/eurosat.ts';
import { imageFolderSplits, parseSplitCsv, readBigEarthNetSplits, readImageFolderSplits, resolveSplit, resolveSplits } from '../../datasets/splits.ts';
import type { DatasetItem } from '../../datasets/types.ts';
import { BIGEARTHNET_PATCHES, writeTrees } from '../../scripts/golden/datasets-cases.ts';

let root = '';
let eurosatRoot = '';
let items: DatasetItem[] = [];

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'datasets-splits-'));
  await writeTrees(root);
  eurosatRoot = join(root, 'EuroSAT_MS');
  items = (await eurosat.list(eurosatRoot, { skipInvalid: false })).items;
});

test.after(async () => {
  await rm(root, { recursive: true, force: true });
});

const ids = (indices: Int32Array | undefined): string[] => Array.from(indices ?? [], (index) => items[index].id);

async function expectUserError(action: () => unknown, pattern: RegExp): Promise<void> {
  try {
    await action();
  } catch (error) {
    assert.instance(error, UserError);
    assert.is((error as UserError).code, ErrorCode.datasetInvalid);
    assert.match((error as Error).message, pattern);
    assert.not.match((error as Error).message, /\n/, 'one line');
    return;
  }
  assert.unreachable(`expected an error matching ${pattern}`);
}

test('no split files: no splits', async () => {
  assert.equal(await readImageFolderSplits(eurosatRoot), {});
});

test('ImageFolder: relative paths and bare names, matched by stem; order kept; blank lines and CRLF ignored', async () => {
  await writeFile(join(eurosatRoot, 'train.txt'), 'AnnualCrop/b.tif\r\nB_2.jpg\r\n\r\nForest/sub/x.tif\r\n  Sea_Lake/\u00e9.jpg  \r\n');
  await writeFile(join(eurosatRoot, 'test.txt'), 'img.tif\nForest-old/a.tif\n./river/1.tif\n');
  const splits = await readImageFolderSplits(eurosatRoot);
  assert.equal(Object.keys(splits), ['train', 'test']);
  assert.equal(splits.train!.map((entry) => entry.line), [1, 2, 4, 5]);
  const resolved = resolveSplits(splits, items, 'image-folder');
  assert.equal(ids(resolved.train), ['AnnualCrop/b.tif', 'AnnualCrop/B_2.tif', 'Forest/sub/x.tif', 'Sea_Lake/\u00e9.tif']);
  assert.equal(ids(resolved.test), ['Forest/img.tif', 'Forest-old/a.tif', 'river/1.tif']);
  assert.is(resolved.val, undefined);
});

test('ImageFolder: unknown, ambiguous, repeated and shared entries are one-line errors naming file and line', async () => {
  const file = join(eurosatRoot, 'val.txt');
  const resolveVal = async () => resolveSplit((await readImageFolderSplits(eurosatRoot)).val!, items, 'image-folder');
  await writeFile(file, 'e.tif\nForest/nothere.tif\n');
  await expectUserError(resolveVal, new RegExp(`^${file}:2: "Forest/nothere.tif" matches no image of the dataset; expected a path relative`));
  await writeFile(file, 'Forest/e.tif\n'); // the stem exists, but in another folder
  await expectUserError(resolveVal, /val\.txt:1: "Forest\/e.tif" matches no image/);
  await writeFile(file, 'a.tif\n');
  await expectUserError(resolveVal, /val\.txt:1: "a.tif" matches 2 images \(AnnualCrop\/a.TIF, Forest-old\/a.tif\); write the path relative/);
  await writeFile(file, 'z.tif\nSea_Lake/z.tif\n');
  await expectUserError(resolveVal, /val\.txt:2: "Sea_Lake\/z.tif" is listed twice \(also line 1: "z.tif"\)/);
  await writeFile(file, '\n\n');
  await expectUserError(() => readImageFolderSplits(eurosatRoot), /val\.txt: lists no images/);
  await writeFile(file, 'river/1.tif\n'); // also in test.txt
  await expectUserError(async () => resolveSplits(await readImageFolderSplits(eurosatRoot), items, 'image-folder'), /test\.txt:3: ".\/river\/1.tif" is also in .*val\.txt:1; an image belongs to one split only/);
  await unlink(file);
});

test('BigEarthNet: the three csvs, first column by patch name (csv-parse: quotes, extra columns)', async () => {
  const bigearthnetRoot = join(root, 'BigEarthNet');
  await writeFile(join(bigearthnetRoot, 'bigearthnet-val.csv'), `"${BIGEARTHNET_PATCHES[2]}",S1_x\n\n`);
  const splits = await readBigEarthNetSplits(bigearthnetRoot);
  assert.equal(Object.keys(splits), ['train', 'val', 'test']);
  const listed = (await bigearthnet.list(bigearthnetRoot, { skipInvalid: false })).items; // the test csv's patches
  assert.equal(Array.from(resolveSplit(splits.test!, listed, 'patch-name')), [0, 1, 2]);
  assert.equal(Array.from(resolveSplit(splits.val!, listed, 'patch-name')), [2]);
  assert.equal(Array.from(resolveSplit(splits.train!, listed, 'patch-name')), [0]);
  // The golden tree's train csv names a test patch: a leak, refused.
  await expectUserError(() => Promise.resolve().then(() => resolveSplits(splits, listed, 'patch-name')), /bigearthnet-test\.csv:1: .* is also in .*bigearthnet-train\.csv:1; an image belongs to one split only/);
  await expectUserError(() => Promise.resolve().then(() => resolveSplit([{ name: 'S2X_nope', file: 'bigearthnet-train.csv', line: 7 }], listed, 'patch-name')), /bigearthnet-train\.csv:7: "S2X_nope" matches no image of the dataset; expected a patch name/);
  await expectUserError(() => Promise.resolve().then(() => parseSplitCsv('a\n"b\n', 'bad.csv')), /^bad\.csv:\d+: not a readable csv/);
});

test('ImageFolder pools: listing indices in listing order; a subset listing leaves out the entries it lacks', async () => {
  await writeFile(join(eurosatRoot, 'train.txt'), 'river/1.tif\nAnnualCrop/b.tif\n');
  await writeFile(join(eurosatRoot, 'test.txt'), 'img.tif\n');
  const pools = await imageFolderSplits(eurosatRoot, items, 'error');
  assert.equal(ids(pools.train!.indices), ['AnnualCrop/b.tif', 'river/1.tif']);
  assert.is(pools.train!.size, 2);
  assert.is(pools.train!.file, join(eurosatRoot, 'train.txt'));
  const subset = items.filter((entry) => entry.id !== 'river/1.tif');
  await expectUserError(() => imageFolderSplits(eurosatRoot, subset, 'error'), /train\.txt:1: "river\/1.tif" matches no image/);
  assert.equal((await imageFolderSplits(eurosatRoot, subset, 'skip')).train!.size, 1);
  await unlink(join(eurosatRoot, 'train.txt'));
  await unlink(join(eurosatRoot, 'test.txt'));
});

test('BigEarthNet pools: test = the listing; train listed on demand (only the asked patches); an empty csv is no split; a shared patch is refused', async () => {
  const bigearthnetRoot = join(root, 'BigEarthNet');
  const csv = (split: string) => join(bigearthnetRoot, `bigearthnet-${split}.csv`);
  const saved = await Promise.all(['train', 'val', 'test'].map((split) => readFile(csv(split), 'utf8')));
  try {
    const listing = await bigearthnet.list(bigearthnetRoot, { skipInvalid: false });
    // The golden tree's train csv names a test patch.
    await expectUserError(() => bigearthnet.splits(bigearthnetRoot, listing, { missing: 'error' }), /bigearthnet-train\.csv:1: patch ".*" is also in .*bigearthnet-test\.csv:1; a patch belongs to one split only/);
    await writeFile(csv('test'), `${BIGEARTHNET_PATCHES[2]}\n`);
    await writeFile(csv('train'), `${BIGEARTHNET_PATCHES[1]}\nS2X_no_such_patch\n${BIGEARTHNET_PATCHES[0]}\n`);
    await writeFile(csv('val'), '');
    const one = await bigearthnet.list(bigearthnetRoot, { skipInvalid: false });
    const pools = await bigearthnet.splits(bigearthnetRoot, one, { missing: 'error' });
    assert.equal(Object.keys(pools).sort(), ['test', 'train']);
    assert.equal(Array.from(pools.test!.indices!), [0]);
    assert.is(pools.train!.size, 3);
    assert.is(pools.train!.indices, undefined);
    const listed = await pools.train!.list!([2, 1], { skipInvalid: true });
    assert.equal(listed.items.map((entry) => entry?.id), [BIGEARTHNET_PATCHES[0], undefined]);
    assert.is(listed.skipped[0].reason, 'patch folder missing');
    assert.equal(listed.items[0]!.labels, listing.items[0].labels, 'labels read with the patch');
    await expectUserError(() => pools.train!.list!([1], { skipInvalid: false }), /bigearthnet-train\.csv:2: patch "S2X_no_such_patch" has no folder/);
  } finally {
    await Promise.all(['train', 'val', 'test'].map((split, index) => writeFile(csv(split), saved[index])));
  }
});

test.run();
