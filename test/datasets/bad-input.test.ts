// Each bad input of issue 3 part 7 gets a one-line UserError naming the file and
// what is expected; --skip-invalid (ListOptions.skipInvalid) lists it instead.
import { cp, mkdtemp, mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { prepareImage } from '../../preprocess/prepare.ts';
import { listDataset, resolveDataset } from '../../datasets/registry.ts';
import { L2A_BANDS, MSCLIP_BANDS } from '../../datasets/sentinel2.ts';
import { encodeTiff } from '../../datasets/tiff/writer.ts';
import type { PreprocessSpec } from '../../preprocess/spec.ts';
import { ErrorCode, UserError, type ErrorCode as Code } from '../../core/errors.ts';
import { BIGEARTHNET_PATCHES, writeTrees } from '../../scripts/golden/datasets-cases.ts';

const MS_SPEC: PreprocessSpec = {
  kind: 'multispectral', bands: [...MSCLIP_BANDS], size: 224, interpolation: 'bicubic',
  mean: new Array<number>(10).fill(1000), std: new Array<number>(10).fill(1000),
};

let pristine = '';
let root = '';

test.before(async () => {
  pristine = await mkdtemp(join(tmpdir(), 'datasets-bad-'));
  await writeTrees(pristine);
});

test.before.each(async () => {
  root = await mkdtemp(join(tmpdir(), 'datasets-bad-case-'));
  await cp(pristine, root, { recursive: true });
});

test.after.each(async () => {
  await rm(root, { recursive: true, force: true });
});

test.after(async () => {
  await rm(pristine, { recursive: true, force: true });
});

async function expectError(promise: Promise<unknown>, code: Code, file: string, pattern: RegExp): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, UserError, String(error));
    const userError = error as UserError;
    assert.is(userError.code, code, userError.message);
    assert.ok(userError.message.includes(file), `"${userError.message}" should name ${file}`);
    assert.match(userError.message, pattern);
    assert.not.match(userError.message, /\n/);
    return userError;
  }
  throw new Error(`expected a UserError matching ${pattern}`);
}

async function prepareFirst(dataset: string, file: string): Promise<void> {
  const listing = await listDataset(dataset, root, { skipInvalid: false });
  const item = listing.items.find((entry) => entry.files[0] === file);
  assert.ok(item, `listed ${file}`);
  await prepareImage(dataset, item, MS_SPEC, new Float32Array(10 * 224 * 224), 0);
}

for (const name of ['EuroSAT_MS', 'METERML_MS', 'BigEarthNet_MS']) {
  test(`${name}: missing dataset folder`, async () => {
    const { module } = resolveDataset(name);
    const folder = join(root, module.folder);
    await rm(folder, { recursive: true });
    await expectError(listDataset(name, root, { skipInvalid: true }), ErrorCode.datasetMissing, folder, /dataset folder not found; .* is expected as /);
  });
}

test('corrupt tiff: garbage bytes', async () => {
  const file = join(root, 'EuroSAT_MS/AnnualCrop/b.tif');
  await writeFile(file, 'GIF89a not a tiff');
  await expectError(prepareFirst('EuroSAT_MS', file), ErrorCode.imageInvalid, file, /not a readable GeoTIFF \(no TIFF byte-order mark/);
});

test('truncated tiff', async () => {
  const file = join(root, 'EuroSAT_MS/AnnualCrop/b.tif');
  const bytes = encodeTiff({ width: 64, height: 64, data: new Array<number[]>(13).fill(new Array<number>(4096).fill(7)) }, { sampleType: 'int16' });
  await writeFile(file, bytes.subarray(0, bytes.length - 100));
  await expectError(prepareFirst('EuroSAT_MS', file), ErrorCode.imageInvalid, file, /not a readable GeoTIFF \(strip \d+ ends at byte \d+ but the file has \d+ \(truncated\?\)\)/);
});

test('wrong band count: a 12-band tile in EuroSAT_MS', async () => {
  const file = join(root, 'EuroSAT_MS/river/1.tif');
  await writeFile(file, encodeTiff({ width: 8, height: 8, data: new Array<number[]>(12).fill(new Array<number>(64).fill(1)) }, { sampleType: 'uint16' }));
  await expectError(prepareFirst('EuroSAT_MS', file), ErrorCode.imageInvalid, file, /has 12 bands, expected 13 \(EuroSAT_MS L1C: B01 .* B12\)/);
});

test('wrong band count: a 13-band tile in METERML_MS', async () => {
  const file = join(root, 'METERML_MS/Mines/tile.tif');
  await writeFile(file, encodeTiff({ width: 8, height: 8, data: new Array<number[]>(13).fill(new Array<number>(64).fill(1)) }, { sampleType: 'uint16' }));
  await expectError(prepareFirst('METERML_MS', file), ErrorCode.imageInvalid, file, /has 13 bands, expected 12/);
});

test('an empty class folder; skipped (class kept) under skipInvalid', async () => {
  const folder = join(root, 'EuroSAT_MS/Pasture');
  await mkdir(folder);
  await expectError(listDataset('EuroSAT_MS', root, { skipInvalid: false }), ErrorCode.datasetInvalid, folder, /class folder has no \.tif images/);
  const listing = await listDataset('EuroSAT_MS', root, { skipInvalid: true });
  assert.equal(listing.skipped, [{ file: folder, reason: 'empty class folder' }]);
  assert.ok(listing.classes.includes('pasture'));
});

test('a non-tiff image in an ImageFolder dataset', async () => {
  const file = join(root, 'METERML_MS/Landfills/photo.png');
  await writeFile(file, 'png');
  await expectError(listDataset('METERML_MS', root, { skipInvalid: false }), ErrorCode.datasetInvalid, file, /not a GeoTIFF; METERML_MS images must be \.tif files/);
  const listing = await listDataset('METERML_MS', root, { skipInvalid: true });
  assert.equal(listing.skipped.map((entry) => entry.file), [file]);
});

test('METER-ML needs exactly its 7 class folders', async () => {
  await rm(join(root, 'METERML_MS/Negative'), { recursive: true });
  const folder = join(root, 'METERML_MS');
  await expectError(listDataset('METERML_MS', root, { skipInvalid: true }), ErrorCode.datasetInvalid, folder, /found 6 class folders .* expected 7/);
});

const patch = BIGEARTHNET_PATCHES[1];
const patchFolder = (): string => join(root, 'BigEarthNet/sentinel-2', patch);

test('BigEarthNet: a patch with a missing band; skipped under skipInvalid', async () => {
  await unlink(join(patchFolder(), `${patch}_B8A.tif`));
  await expectError(listDataset('BigEarthNet_MS', root, { skipInvalid: false }), ErrorCode.datasetInvalid, patchFolder(), new RegExp(`band file ${patch}_B8A\\.tif missing; every patch needs the 12 L2A bands`));
  const listing = await listDataset('BigEarthNet_MS', root, { skipInvalid: true });
  assert.equal(listing.items.map((item) => item.id), [BIGEARTHNET_PATCHES[0], BIGEARTHNET_PATCHES[2]]);
  assert.equal(listing.skipped, [{ file: patchFolder(), reason: 'missing B8A' }]);
});

test('BigEarthNet: a patch without its labels file', async () => {
  await unlink(join(patchFolder(), `${patch}_labels_metadata.json`));
  await expectError(listDataset('BigEarthNet_MS', root, { skipInvalid: false }), ErrorCode.datasetInvalid, patchFolder(), /no labels file; expected one .*_labels_metadata\.json/);
});

test('BigEarthNet: a labels file with an unknown label', async () => {
  const file = join(patchFolder(), `${patch}_labels_metadata.json`);
  await writeFile(file, JSON.stringify({ labels: ['Bare rocks'] }));
  await expectError(listDataset('BigEarthNet_MS', root, { skipInvalid: false }), ErrorCode.datasetInvalid, file, /unknown label "Bare rocks"/);
});

test('BigEarthNet: a name in the csv with no folder', async () => {
  const csv = join(root, 'BigEarthNet/bigearthnet-test.csv');
  await writeFile(csv, `${BIGEARTHNET_PATCHES[0]}\nS2A_NOT_THERE_1_2\n`);
  await expectError(listDataset('BigEarthNet_MS', root, { skipInvalid: false }), ErrorCode.datasetInvalid, `${csv}:2`, /patch "S2A_NOT_THERE_1_2" has no folder/);
});

test('BigEarthNet: no test csv; train and val csvs are not needed', async () => {
  const csv = join(root, 'BigEarthNet/bigearthnet-test.csv');
  await unlink(csv);
  await expectError(listDataset('BigEarthNet_MS', root, { skipInvalid: false }), ErrorCode.datasetMissing, csv, /split file not found/);
  await cp(join(pristine, 'BigEarthNet/bigearthnet-test.csv'), csv);
  await unlink(join(root, 'BigEarthNet/bigearthnet-train.csv'));
  await unlink(join(root, 'BigEarthNet/bigearthnet-val.csv'));
  assert.is((await listDataset('BigEarthNet_MS', root, { skipInvalid: false })).items.length, 3);
});

test('BigEarthNet: a multi-band file where one band is expected', async () => {
  const file = join(patchFolder(), `${patch}_B02.tif`);
  await writeFile(file, encodeTiff({ width: 120, height: 120, data: [new Array(14400).fill(1), new Array(14400).fill(2)] }, { sampleType: 'uint16' }));
  const listing = await listDataset('BigEarthNet_MS', root, { skipInvalid: false });
  const item = listing.items.find((entry) => entry.id === patch);
  assert.ok(item);
  await expectError(prepareImage('BigEarthNet_MS', item, MS_SPEC, new Float32Array(10 * 224 * 224), 0), ErrorCode.imageInvalid, file, /has 2 bands, expected 1/);
});

test('a model band the dataset lacks', async () => {
  const listing = await listDataset('METERML_MS', root, { skipInvalid: false });
  const spec = { ...MS_SPEC, bands: ['B02', 'B10'], mean: [0, 0], std: [1, 1] };
  try {
    await prepareImage('METERML_MS', listing.items[0], spec, new Float32Array(2 * 224 * 224), 0);
    assert.unreachable();
  } catch (error) {
    assert.instance(error, UserError);
    assert.is((error as UserError).code, ErrorCode.modelInput);
    assert.is((error as UserError).message, `the model reads band B10, which METERML_MS does not have (it has ${L2A_BANDS.join(' ')})`);
  }
});

test('two class folders giving the same class name are refused, naming both', async () => {
  const eurosat = join(root, 'EuroSAT_MS');
  for (const folder of ['BARE SOIL', 'Bare_Soil']) {
    await mkdir(join(eurosat, folder));
    await writeFile(join(eurosat, folder, 'a.tif'), encodeTiff({ width: 4, height: 4, data: new Array<number[]>(13).fill(new Array<number>(16).fill(1)) }, { sampleType: 'uint16' }));
  }
  for (const skipInvalid of [false, true]) {
    await expectError(listDataset('EuroSAT_MS', root, { skipInvalid }), ErrorCode.datasetInvalid, eurosat,
      /class folders "BARE SOIL" and "Bare_Soil" both give the class name "bare soil"; rename or merge one of the two folders/);
  }
});

test('names from data are quoted: a newline in a folder name cannot split the line', async () => {
  const folder = join(root, 'EuroSAT_MS', 'Annual\nCrop "x"');
  await mkdir(folder);
  const shown = JSON.stringify(folder);
  await expectError(listDataset('EuroSAT_MS', root, { skipInvalid: false }), ErrorCode.datasetInvalid, shown, /class folder has no \.tif images; remove the folder/);
  await writeFile(join(folder, 'photo.png'), 'png');
  await expectError(listDataset('EuroSAT_MS', root, { skipInvalid: false }), ErrorCode.datasetInvalid, JSON.stringify(join(folder, 'photo.png')), /not a GeoTIFF/);
  await rm(join(folder, 'photo.png'));
  const tile = join(folder, 'tile.tif');
  await writeFile(tile, 'not a tiff');
  await expectError(prepareFirst('EuroSAT_MS', tile), ErrorCode.imageInvalid, JSON.stringify(tile), /not a readable GeoTIFF/);
  // METER-ML lists its class folders: each quoted.
  await mkdir(join(root, 'METERML_MS', 'Extra\nFolder'));
  await expectError(listDataset('METERML_MS', root, { skipInvalid: false }), ErrorCode.datasetInvalid, '"Extra\\nFolder"', /found 8 class folders/);
});

test('BigEarthNet: a labels file starting with a byte-order mark is read; other invisible characters are shown', async () => {
  const file = join(patchFolder(), `${patch}_labels_metadata.json`);
  const before = (await listDataset('BigEarthNet_MS', root, { skipInvalid: false })).items.find((item) => item.id === patch);
  await writeFile(file, `\uFEFF${JSON.stringify({ labels: ['Coniferous forest', 'Sea and ocean'] })}`);
  const after = (await listDataset('BigEarthNet_MS', root, { skipInvalid: false })).items.find((item) => item.id === patch);
  assert.equal(after?.labels, [9, 18]);
  assert.ok(before);
  await writeFile(file, `\u200B{"labels": []}`);
  const error = await expectError(listDataset('BigEarthNet_MS', root, { skipInvalid: false }), ErrorCode.datasetInvalid, file, /not valid JSON \(.*\\u200b/);
  assert.not.match(error.message, /\u200B/);
});

// Root reads every folder whatever its mode, so the permission check only runs as a normal user.
const asRoot = process.getuid?.() === 0;
if (asRoot) console.log('  skipped: an unreadable class folder cannot be made as root (root lists any folder)');
(asRoot ? test.skip : test)('a class folder that cannot be listed: one line naming it', async () => {
  const { chmod } = await import('node:fs/promises');
  const folder = join(root, 'EuroSAT_MS', 'Forest');
  await chmod(folder, 0o000);
  try {
    await expectError(listDataset('EuroSAT_MS', root, { skipInvalid: false }), ErrorCode.datasetInvalid, folder, /cannot be listed \(EACCES\)/);
  } finally {
    await chmod(folder, 0o755);
  }
});

test.run();
