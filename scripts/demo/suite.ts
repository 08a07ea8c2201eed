/**
 * The TypeScript half of `npm run demo:train`: generates demo splits and turns them
 * into training tensors with the evaluator's own loaders and preprocessing, so the
 * demo models learn from exactly the inputs they are evaluated on.
 *
 *   suite.ts generate --split train --out DIR [--seed N]   write a split (fresh folder)
 *   suite.ts ensure                                         the cached test suite; prints its folder
 *   suite.ts tensors --data DIR --split S --out DIR         preprocess a split for both demo models
 *
 * `tensors` writes, per dataset, <dataset>.<view>.npy (float16, [n, channels, 64, 64];
 * view "ms" or "rgb") and one listing.json with each dataset's prompt class names and
 * every image's id and label indices, in the loaders' listing order. The loaders
 * list BigEarthNet's test split (bigearthnet-test.csv); for another split the patches
 * come from bigearthnet-<split>.csv and are read by the same BigEarthNet module.
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_MODEL_ENTRIES } from '../../adapters/demo-models.ts';
import { ensureDemoSuite, generateDemoSuite, type DemoSplit } from '../../datasets/demo/generate.ts';
import type { DatasetItem, DatasetListing } from '../../datasets/types.ts';
import type { PreprocessSpec } from '../../preprocess/spec.ts';
import { encodeFloat16Npy } from './npy.ts';

const log = (line: string): void => console.error(`[demo] ${line}`);

function viewSpecs(): { view: string; spec: PreprocessSpec }[] {
  return DEMO_MODEL_ENTRIES.map((entry) => ({
    view: entry.image.kind === 'rgb' ? 'rgb' : 'ms',
    spec: entry.image,
  }));
}

/** BigEarthNet listed from bigearthnet-<split>.csv, with the module's own band-file and label rules. */
async function listBigEarthNetSplit(dataDir: string, split: DemoSplit): Promise<DatasetListing> {
  const { BIGEARTHNET_19_CLASSES, labels19 } = await import('../../datasets/bigearthnet-labels.ts');
  const { BIGEARTHNET_IMAGE_FOLDER, bandOfFile, parseSplitCsv } = await import('../../datasets/bigearthnet.ts');
  const root = join(dataDir, 'BigEarthNet');
  const items: DatasetItem[] = [];
  for (const { name } of parseSplitCsv(await readFile(join(root, `bigearthnet-${split}.csv`), 'utf8'))) {
    const folder = join(root, BIGEARTHNET_IMAGE_FOLDER, name);
    const entries = await readdir(folder);
    const files = entries.filter((entry) => bandOfFile(entry) !== undefined).map((entry) => join(folder, entry));
    const metadata = JSON.parse(await readFile(join(folder, `${name}_labels_metadata.json`), 'utf8')) as { labels: string[] };
    items.push({ id: name, files, labels: labels19(metadata.labels).labels });
  }
  return { dataset: 'BigEarthNet_MS', task: 'multi-label', root, classes: [...BIGEARTHNET_19_CLASSES], items, skipped: [], demo: true };
}

async function writeTensors(dataDir: string, split: DemoSplit, outDir: string): Promise<void> {
  // Loaded here so that `generate` does not need the evaluator's modules.
  const { prepareImage } = await import('../../preprocess/prepare.ts');
  const { DEFAULT_DATASETS, listDataset } = await import('../../datasets/registry.ts');
  await mkdir(outDir, { recursive: true });
  const listing: { name: string; task: string; classes: string[]; ids: string[]; labels: number[][] }[] = [];
  for (const dataset of DEFAULT_DATASETS) {
    const started = performance.now();
    const listed = dataset === 'BigEarthNet_MS' && split !== 'test' ? await listBigEarthNetSplit(dataDir, split) : await listDataset(dataset, dataDir, { skipInvalid: false });
    listing.push({ name: listed.dataset, task: listed.task, classes: listed.classes, ids: listed.items.map((item) => item.id), labels: listed.items.map((item) => item.labels) });
    for (const { view, spec } of viewSpecs()) {
      const perImage = spec.bands.length * spec.size * spec.size;
      const pixels = new Float32Array(listed.items.length * perImage);
      const parallel = 16;
      for (let start = 0; start < listed.items.length; start += parallel) {
        await Promise.all(listed.items.slice(start, start + parallel).map((item, offset) => prepareImage(listed.dataset, item, spec, pixels, (start + offset) * perImage)));
      }
      await writeFile(join(outDir, `${listed.dataset}.${view}.npy`), encodeFloat16Npy(pixels, [listed.items.length, spec.bands.length, spec.size, spec.size]));
    }
    log(`${listed.dataset}: ${listed.items.length} images preprocessed in ${((performance.now() - started) / 1000).toFixed(1)}s`);
  }
  await writeFile(join(outDir, 'listing.json'), `${JSON.stringify({ datasets: listing })}\n`);
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: { split: { type: 'string', default: 'train' }, out: { type: 'string' }, data: { type: 'string' }, seed: { type: 'string' } },
  });
  const split = values.split as DemoSplit;
  if (!['train', 'val', 'test'].includes(split)) throw new Error(`--split must be train, val or test, not ${split}`);
  if (command === 'generate') {
    if (!values.out) throw new Error('generate needs --out DIR');
    const root = resolve(values.out);
    await rm(root, { recursive: true, force: true });
    await mkdir(root, { recursive: true });
    await generateDemoSuite({ root, split, seed: values.seed === undefined ? undefined : Number(values.seed), log });
  } else if (command === 'ensure') {
    console.log(await ensureDemoSuite({ log }));
  } else if (command === 'tensors') {
    if (!values.data || !values.out) throw new Error('tensors needs --data DIR --out DIR');
    await writeTensors(resolve(values.data), split, resolve(values.out));
  } else {
    throw new Error('usage: suite.ts generate|ensure|tensors (see the comment at the top of scripts/demo/suite.ts)');
  }
}

main().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
