// Split files on the tiny benchmark tree (real tiffs from scripts/golden/datasets-cases.ts):
// ImageFolder train/val/test.txt matched by relative path or file stem, BigEarthNet's
// bigearthnet-{train,val,test}.csv matched by patch name, and the one-line errors.
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, UserError } from '../../core/errors.ts';
import { bigearthnet } from '../../datasets/bigearthnet.ts';
import { eurosat } from '../../datasets/eurosat.ts';
import { parseSplitCsv, readBigEarthNetSplits, readImageFolderSplits, resolveSplit, resolveSplits } from '../../datasets/splits.ts';
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
  await expectUserError(() => resolveSplits(splits, listed, 'patch-name'), /bigearthnet-test\.csv:1: .* is also in .*bigearthnet-train\.csv:1; an image belongs to one split only/);
  await expectUserError(() => resolveSplit([{ name: 'S2X_nope', file: 'bigearthnet-train.csv', line: 7 }], listed, 'patch-name'), /bigearthnet-train\.csv:7: "S2X_nope" matches no image of the dataset; expected a patch name/);
  await expectUserError(() => parseSplitCsv('a\n"b\n', 'bad.csv'), /^bad\.csv:\d+: not a readable csv/);
});

test.run();
