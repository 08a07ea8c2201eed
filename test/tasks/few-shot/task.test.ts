// The few-shot evaluation task as the runner drives it: plan (split, budgets folded into
// `all`, what to encode), then run on the requested rows (curves per probe, the record's
// fields, the zero-shot level on the same test images), with a fake text tower.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BundleManifest } from '../../../adapters/types.ts';
import { UserError } from '../../../core/errors.ts';
import { effectiveBudgets, type FewShotSettings } from '../../../tasks/few-shot/index.ts';
import { fewShot } from '../../../tasks/few-shot/task.ts';
import type { TaskImages, TaskInput, TaskOptions } from '../../../tasks/task.ts';
import { singleLabelData } from './synthetic.ts';

const DIMENSION = 8;
const CLASSES = 3;
const data = singleLabelData(60, DIMENSION, CLASSES, 1.2, 5);
const ids = data.labels.map((labels, row) => `class${labels[0]}/image_${row}.tif`);

const settings: FewShotSettings = { shots: [1, 2, 50], labels: [10], singleLabelBudget: 'per-class', seeds: 3, probes: ['logreg', 'knn'], C: 1, valLimit: 100 };
const options = (overrides: Partial<FewShotSettings> = {}): TaskOptions => ({ split: 'all', fewShot: { ...settings, ...overrides } });

/** The listing is the 60 rows; rows 0..44 are train.txt, 45..59 test.txt (listing order). */
function images(withSplits: boolean): TaskImages {
  const pool = (from: number, to: number, source: string) => ({ size: to - from, labels: data.labels.slice(from, to), source });
  return {
    dataset: 'Synthetic', labelKind: 'single-label', classes: data.classes, root: '/data/Synthetic',
    listing: pool(0, 60, '/data/Synthetic'),
    splits: withSplits ? { train: pool(0, 45, '/data/Synthetic/train.txt'), test: pool(45, 60, '/data/Synthetic/test.txt') } : {},
  };
}

/** A text tower whose class prompts embed as the class means: zero-shot then does well. */
const encoder = {
  manifest: { embeddingSize: DIMENSION } as BundleManifest,
  encodeTexts: (texts: readonly string[]) => {
    const out = new Float32Array(texts.length * DIMENSION);
    texts.forEach((text, index) => {
      const c = data.classes.findIndex((name) => text.includes(name));
      const members = data.labels.flatMap((labels, row) => (labels[0] === c ? [row] : []));
      for (const row of members) for (let k = 0; k < DIMENSION; k++) out[index * DIMENSION + k] += data.embeddings[row * DIMENSION + k] / members.length;
    });
    return Promise.resolve(out);
  },
};

/** What the runner hands a plan: rows = listing positions (every image encoded, in listing order). */
function inputFor(requests: { pool: string; positions: Int32Array }[], poolOffset: (pool: string) => number, skip = new Set<number>()): TaskInput {
  return {
    dataset: 'Synthetic', labelKind: 'single-label', classes: data.classes, labels: data.labels, embeddings: data.embeddings, ids,
    rows: requests.map((request) => Int32Array.from(request.positions, (position) => (skip.has(position + poolOffset(request.pool)) ? -1 : position + poolOffset(request.pool)))),
    encoder, templates: { name: 'test-templates', templates: ['a photo of {c}'], sha256: '0' },
  };
}
const offsets = (pool: string) => (pool === 'test' ? 45 : 0);

test('plan with split files: test, then the union of the draws; shots past every class fold into one "all" draw', () => {
  const plan = fewShot.plan(images(true), options());
  assert.equal(plan.requests.map((request) => request.pool), ['test', 'train']);
  assert.equal(Array.from(plan.requests[0].positions), Array.from({ length: 15 }, (_, index) => index));
  // 50 per class > the 15 each class has: measured as all (every training image).
  assert.equal(Array.from(plan.requests[1].positions), Array.from({ length: 45 }, (_, index) => index));
  const small = fewShot.plan(images(true), options({ shots: [1, 2] }));
  assert.ok(small.requests[1].positions.length <= 3 * 2 * CLASSES, 'only drawn images are encoded');
  assert.equal(effectiveBudgets([1, 2, 50, 100], 'per-class', [15, 15, 15], 45).budgets, [1, 2, 'all']);
  assert.equal(effectiveBudgets([1, 'all'], 'per-class', [15, 15], 30), { budgets: [1, 'all'] });
  assert.equal(effectiveBudgets([10, 500], 'total', [], 200).budgets, [10, 'all']);
});

test('run: one result per probe, curve entries per (budget, seed), headline = mean at the largest budget, zero-shot level', async () => {
  const plan = fewShot.plan(images(true), options());
  const results = await plan.run(inputFor(plan.requests, offsets));
  assert.equal(results.map((result) => result.fields?.probe), ['logreg', 'knn']);
  const [logreg, knn] = results;
  const curve = logreg.fields!.curve as { budget: unknown; seed: number; train_ids: string[]; C: number | null; metrics: Record<string, number> }[];
  assert.equal(curve.map((entry) => `${String(entry.budget)}/${entry.seed}`), ['1/0', '1/1', '1/2', '2/0', '2/1', '2/2', 'all/0']);
  assert.equal(curve[0].train_ids.length, CLASSES);
  assert.ok(curve[0].train_ids.every((id) => Number(/image_(\d+)/.exec(id)![1]) < 45), 'training images come from train.txt');
  assert.is(curve[0].C, 1);
  assert.is((knn.fields!.curve as { C: unknown }[])[0].C, null);
  assert.equal(logreg.metrics, curve[6].metrics, 'the record\'s metrics: the mean at the largest budget (one draw of all)');
  const summary = logreg.fields!.curve_summary as { budget: unknown; labels_per_class: number; metrics: { acc1: { mean: number; std: number } } }[];
  assert.equal(summary.map((entry) => entry.budget), [1, 2, 'all']);
  assert.equal(summary.map((entry) => entry.labels_per_class), [1, 2, 15]);
  const oneShot = curve.slice(0, 3).map((entry) => entry.metrics.acc1);
  assert.ok(Math.abs(summary[0].metrics.acc1.mean - oneShot.reduce((a, b) => a + b) / 3) < 1e-12);
  assert.is(logreg.fields!.evaluation, 'few-shot');
  assert.equal(logreg.fields!.splits, { kind: 'files', train: '/data/Synthetic/train.txt', test: '/data/Synthetic/test.txt', train_images: 45, test_images: 15 });
  assert.equal(logreg.imageIds, ids.slice(45));
  const level = logreg.fields!.zero_shot_on_test as { templates: string; n_images: number; metrics: Record<string, number> };
  assert.is(level.templates, 'test-templates');
  assert.is(level.n_images, 15);
  assert.equal(Object.keys(level.metrics), ['acc1', 'mean_per_class_recall', 'macro_f1']);
  assert.ok(level.metrics.acc1 > 0.8, `class-mean prompts classify the clusters: ${level.metrics.acc1}`);
  assert.is(logreg.perClass.length, CLASSES);
  // Same seed, same draws: a second run is identical (timings aside).
  const again = await plan.run(inputFor(plan.requests, offsets));
  const strip = (outputs: typeof results) => outputs.map((output) => ({ ...output, fields: { ...output.fields, probe_seconds: 0, curve: (output.fields!.curve as object[]).map((entry) => ({ ...entry, seconds: 0 })) } }));
  assert.equal(strip(again), strip(results));
});

test('no split files: a seeded, stratified 80/20 split of the listing, recorded', async () => {
  const plan = fewShot.plan(images(false), options({ shots: [2], probes: ['knn'] }));
  assert.equal(plan.requests.map((request) => request.pool), ['listing', 'listing']);
  assert.is(plan.requests[0].positions.length, 12, '20% of 60, 4 per class');
  const [result] = await plan.run(inputFor(plan.requests, () => 0));
  assert.equal(result.fields!.splits, { kind: 'seeded', seed: 0, test_fraction: 0.2, of: '/data/Synthetic', train_images: 48, test_images: 12 });
  const testIds = new Set(result.imageIds);
  for (const entry of result.fields!.curve as { train_ids: string[] }[]) assert.ok(entry.train_ids.every((id) => !testIds.has(id)), 'no test image is trained on');
});

test('images skipped while encoding leave the draws and the test set, and are noted', async () => {
  const plan = fewShot.plan(images(true), options({ shots: [2], probes: ['knn'] }));
  const drawn = plan.requests[1].positions[0];
  const [result] = await plan.run(inputFor(plan.requests, offsets, new Set([drawn, 50])));
  assert.is(result.imageIds.length, 14);
  assert.match(String(result.fields!.notes), /1 test image\(s\) skipped/);
  assert.match(String(result.fields!.notes), /drawn training image\(s\) skipped/);
});

test('a train split without a test split, and --split test without one, are one-line errors', () => {
  const trainOnly = { ...images(true), splits: { train: images(true).splits.train! } };
  assert.throws(() => fewShot.plan(trainOnly, options()), (error: unknown) => error instanceof UserError && /train\.txt: a train split without a test split/.test(error.message));
  const zeroShot = (async () => (await import('../../../tasks/zero-shot/index.ts')).zeroShot)();
  return zeroShot.then((task) => {
    assert.throws(() => task.plan(images(false), { ...options(), split: 'test' }), /--split test needs the dataset's test split file/);
    assert.equal(task.plan(images(true), { ...options(), split: 'test' }).requests.map((request) => [request.pool, request.positions.length]), [['test', 15]]);
  });
});

test.run();
