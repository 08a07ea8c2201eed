/**
 * End-to-end parity of `npm run evaluate` with the reference harness's evaluation,
 * re-implemented in Python (scripts/parity/evaluate.py: torch Datasets, torchvision
 * transforms, open_clip tokenizer, torch model from the official-format checkpoint,
 * float32), on the tiny three-format benchmark tree (scripts/golden/datasets-cases.ts)
 * and a real-sized seeded random Llama3-MS-CLIP checkpoint with the bundle our
 * exporter made from it (scripts/parity/reference-case.ts). As issue 3 checks it:
 *
 *  - logits within 1e-3 of the reference's, per dataset, rows in the same order;
 *  - acc1, acc5, mean_per_class_recall, Average_class_accuracy identical (1e-12 for
 *    float summation order), mAP / Ave_mAP (and the _tm19 variants) within 1e-4;
 *  - the store's Parquet files, read by pandas: one row per image, embeddings within
 *    1e-5 of the torch model's;
 *  - the reference metric code (torchmetrics RetrievalMAP, sklearn, torch float32
 *    means, np.mean) run on OUR saved logits gives our record's
 *    metrics and per-class numbers to 1e-9.
 *
 * Needs the Python environment (made on first use) and, for BigEarthNet, rasterio in
 * the system Python (Debian's python3-rasterio); the bundle export is cached in
 * .cache/test-bundles (shared with test/adapters/parity.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ensurePythonEnvironment } from '../../adapters/export/python-env.mjs';
import { singleLabelMetrics } from '../../metrics/index.ts';
import { type ResultRecord } from '../../records/records.ts';
import { decodeNpy } from '../../core/npy.ts';
import { writeTrees } from '../../scripts/golden/datasets-cases.ts';
import { prepareReferenceCase, REFERENCE_MODEL, type ReferenceCase } from '../../scripts/parity/reference-case.ts';
import { projectRoot } from '../support/inference.ts';

const LOGIT_TOLERANCE = 1e-3;
/** The stored (L2-normalised) image embeddings against the torch model's. */
const EMBEDDING_TOLERANCE = 1e-5;
const RETRIEVAL_TOLERANCE = 1e-4;
/** Count-based metrics are identical; the slack only absorbs the summation order of a mean. */
const COUNT_TOLERANCE = 1e-12;
const RECOMPUTED_TOLERANCE = 1e-9;
const DATASETS = ['EuroSAT_MS', 'METERML_MS', 'BigEarthNet_MS'];

const log = (line: string): void => console.log(`  ${line}`);
const python = ensurePythonEnvironment({ quiet: true });
const work = mkdtempSync(join(tmpdir(), 'evaluate-parity-'));
const tree = join(work, 'tree');
let reference: ReferenceCase;

interface PythonDataset {
  task: string;
  n_images: number;
  classes: string[];
  metrics: Record<string, number | null>;
  per_class: Record<string, Record<string, number>>;
  diagnostics: Record<string, number>;
}
interface PythonSummary { seconds: number; datasets: Record<string, PythonDataset>; skipped: Record<string, string> }
interface RecomputedRecord { record: string; dataset: string; metrics: Record<string, number | null>; per_class: Record<string, Record<string, number>>; diagnostics: Record<string, number> }

const ours = new Map<string, { record: ResultRecord; path: string }>();
let pythonSummary: PythonSummary;

function run(command: string, args: string[]): { stdout: string; seconds: number } {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: projectRoot, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, CI: 'true' } });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stderr}`);
  return { stdout: result.stdout, seconds };
}

function npy(file: string): { data: Float32Array | Int32Array | Uint8Array; shape: number[] } {
  const array = decodeNpy(readFileSync(file), file);
  return { data: array.data as Float32Array | Int32Array | Uint8Array, shape: array.shape };
}

function close(actual: number | null | undefined, expected: number | null | undefined, tolerance: number): boolean {
  if (actual === null || actual === undefined || expected === null || expected === undefined) return (actual ?? null) === (expected ?? null);
  return Math.abs(actual - expected) <= tolerance;
}

/** The smallest decision margin in the reference's logits: top-1 minus top-2, or |logit - mean of the others|. */
function smallestMargin(logits: Float32Array, n: number, k: number, multiLabel: boolean): number {
  let smallest = Infinity;
  for (let image = 0; image < n; image++) {
    const row = Array.from(logits.subarray(image * k, (image + 1) * k));
    if (multiLabel) {
      const total = row.reduce((sum, value) => sum + value, 0);
      for (const value of row) smallest = Math.min(smallest, Math.abs(value - (total - value) / (k - 1)));
    } else {
      const sorted = [...row].sort((a, b) => b - a);
      smallest = Math.min(smallest, sorted[0] - sorted[1]);
    }
  }
  return smallest;
}

test.before(async () => {
  await writeTrees(tree);
  reference = await prepareReferenceCase({ work, log });
});

test.after(() => {
  rmSync(work, { recursive: true, force: true });
});

test('both harnesses evaluate the tree (templates clip)', () => {
  const ourRun = run(process.execPath, [
    '--import', 'tsx', join(projectRoot, 'cli/main.ts'), 'evaluate', '--model', REFERENCE_MODEL, '--models-dir', reference.modelsDir,
    '--dataset-dir', tree, '--templates', 'clip', '--device', 'cpu', '--save-logits', '--save-path', join(work, 'ours'), '--no-export', '--no-report', '--json',
    '--cache-dir', join(work, 'store'),
  ]);
  const summary = JSON.parse(ourRun.stdout) as { results: { dataset: string; record: string }[]; failed: number };
  assert.is(summary.failed, 0);
  for (const result of summary.results) ours.set(result.dataset, { record: JSON.parse(readFileSync(result.record, 'utf8')) as ResultRecord, path: result.record });
  assert.equal([...ours.keys()].sort(), [...DATASETS].sort());

  const pythonRun = run(python, ['scripts/parity/evaluate.py', '--checkpoint', reference.checkpoint, '--dataset-dir', tree, '--templates', 'clip', '--save-logits', join(work, 'python'), '--json']);
  pythonSummary = JSON.parse(pythonRun.stdout) as PythonSummary;
  for (const [dataset, reason] of Object.entries(pythonSummary.skipped)) log(`NOTE: ${dataset} not compared: ${reason}`);
  log(`wall clock (cold processes, 2 x 23 images + 93 prompts): ours ${ourRun.seconds.toFixed(1)} s, reference re-implementation ${pythonRun.seconds.toFixed(1)} s`);
});

for (const dataset of DATASETS) {
  test(`${dataset}: logits within ${LOGIT_TOLERANCE} of the reference, metrics equal`, () => {
    const expected = pythonSummary.datasets[dataset];
    if (expected === undefined) {
      assert.ok(pythonSummary.skipped[dataset], `${dataset} missing from the reference run`);
      return;
    }
    const { record, path } = ours.get(dataset)!;
    const listing = JSON.parse(readFileSync(join(work, 'python', `${dataset}.json`), 'utf8')) as { classes: string[]; images: string[] };
    assert.equal(record.classes, listing.classes, 'class names and order');
    assert.equal(record.images, listing.images, 'image rows in the same order');
    assert.is(record.task, expected.task);

    const theirs = npy(join(work, 'python', `${dataset}.logits.npy`));
    const mine = npy(`${path}.logits.npy`);
    assert.equal(mine.shape, theirs.shape);
    assert.equal([...npy(`${path}.targets.npy`).data], [...npy(join(work, 'python', `${dataset}.targets.npy`)).data], 'targets');
    let largest = 0;
    for (let index = 0; index < theirs.data.length; index++) largest = Math.max(largest, Math.abs(mine.data[index] - theirs.data[index]));
    const [n, k] = theirs.shape;
    const margin = smallestMargin(theirs.data as Float32Array, n, k, record.task === 'multi-label');
    log(`${dataset}: ${n} x ${k} logits, max |ours - reference| ${largest.toExponential(2)}, smallest reference decision margin ${margin.toExponential(2)}`);
    assert.ok(largest <= LOGIT_TOLERANCE, `${dataset}: logits differ by ${largest}`);

    const counted = record.task === 'multi-label' ? ['Average_class_accuracy'] : ['acc1', 'acc5', 'mean_per_class_recall'];
    const retrieval = record.task === 'multi-label' ? ['Ave_mAP', 'Ave_mAP_tm19'] : ['mAP', 'mAP_tm19'];
    for (const key of counted) assert.ok(close(record.metrics[key], expected.metrics[key], COUNT_TOLERANCE), `${dataset} ${key}: ours ${record.metrics[key]}, reference ${expected.metrics[key]} (smallest margin ${margin})`);
    for (const key of retrieval) assert.ok(close(record.metrics[key], expected.metrics[key], RETRIEVAL_TOLERANCE), `${dataset} ${key}: ours ${record.metrics[key]}, reference ${expected.metrics[key]}`);
  });
}

test(`the store's Parquet files, read by pandas: one row per image, embeddings within ${EMBEDDING_TOLERANCE} of the reference model's`, () => {
  // Every dataset the reference run compared; the store holds exactly its images, once.
  const compared = DATASETS.filter((dataset) => pythonSummary.datasets[dataset] !== undefined);
  assert.ok(compared.includes('EuroSAT_MS') && compared.includes('METERML_MS'), `compared: ${compared.join(', ')}`);
  const script = [
    'import glob, json, sys',
    'import numpy as np, pandas as pd',
    'store, python, datasets = sys.argv[1], sys.argv[2], sys.argv[3].split(",")',
    'out = {}',
    'for dataset in datasets:',
    '    files = glob.glob(f"{store}/embeddings/images/{dataset}/*/*.parquet")',
    '    frame = pd.concat([pd.read_parquet(file) for file in files])',
    '    ids = json.load(open(f"{python}/{dataset}.json"))["images"]',
    '    reference = np.load(f"{python}/{dataset}.embeddings.npy")',
    '    rows = frame.set_index("id").loc[ids, "embedding"]',
    '    ours = np.stack(rows.to_numpy()).astype(np.float32)',
    '    out[dataset] = {"files": len(files), "rows": len(frame), "unique": int(frame["id"].nunique()), "images": len(ids),',
    '                    "shape": list(ours.shape), "max_diff": float(np.abs(ours - reference).max()), "dtype": str(np.stack(rows.to_numpy()).dtype)}',
    'print(json.dumps(out))',
  ].join('\n');
  const checked = JSON.parse(run(python, ['-c', script, join(work, 'store'), join(work, 'python'), compared.join(',')]).stdout) as Record<string, { files: number; rows: number; unique: number; images: number; shape: number[]; max_diff: number; dtype: string }>;
  for (const dataset of compared) {
    const entry = checked[dataset];
    log(`${dataset}: ${entry.rows} stored rows in ${entry.files} file(s), max |store - reference| ${entry.max_diff.toExponential(2)}`);
    assert.is(entry.rows, entry.images, `${dataset}: one row per image`);
    assert.is(entry.unique, entry.images, `${dataset}: no image twice`);
    assert.equal(entry.shape, [entry.images, 512]);
    assert.is(entry.dtype, 'float32');
    assert.ok(entry.max_diff <= EMBEDDING_TOLERANCE, `${dataset}: stored embeddings differ from the reference model's by ${entry.max_diff}`);
  }
});

// Band conditions: the reference re-implementation fills the same model bands on the raw
// tensor before Resize and Normalize (AddMeanChannels' policies at each band's position).
for (const [flags, dropped, fill] of [
  [['--drop-bands', 'B08', '--fill', 'channel-mean'], ['B08'], 'channel-mean'],
  [['--keep-bands', 'rgb', '--fill', 'zero'], ['B05', 'B06', 'B07', 'B08', 'B8A', 'B11', 'B12'], 'zero'],
] as const) {
  test(`band condition ${flags.join(' ')}: logits within ${LOGIT_TOLERANCE} of the reference with the same bands filled, accuracies equal`, () => {
    const label = `${dropped.join('-')}-${fill}`;
    const datasets = ['EuroSAT_MS', 'METERML_MS'];
    const ourRun = run(process.execPath, [
      '--import', 'tsx', join(projectRoot, 'cli/main.ts'), 'evaluate', '--model', REFERENCE_MODEL, '--models-dir', reference.modelsDir, '--datasets', datasets.join(','),
      '--dataset-dir', tree, '--templates', 'clip', '--device', 'cpu', '--save-path', join(work, `ours-${label}`), '--no-export', '--no-report', '--bootstrap', '0', '--json', ...flags,
    ]);
    const summary = JSON.parse(ourRun.stdout) as { results: { dataset: string; record: string; condition?: { dropped: string[]; fill: string } }[] };
    run(python, ['scripts/parity/evaluate.py', '--checkpoint', reference.checkpoint, '--dataset-dir', tree, '--datasets', datasets.join(','), '--templates', 'clip', '--save-logits', join(work, `python-${label}`), '--drop-bands', dropped.join(','), '--fill', fill, '--json']);
    for (const dataset of datasets) {
      const result = summary.results.find((entry) => entry.dataset === dataset && entry.condition !== undefined);
      assert.ok(result, `${dataset}: no condition record`);
      assert.equal(result.condition!.dropped, [...dropped]);
      const record = JSON.parse(readFileSync(result.record, 'utf8')) as ResultRecord;
      const theirs = npy(join(work, `python-${label}`, `${dataset}.logits.npy`));
      const mine = npy(`${result.record}.logits.npy`);
      let largest = 0;
      for (let index = 0; index < theirs.data.length; index++) largest = Math.max(largest, Math.abs(mine.data[index] - theirs.data[index]));
      log(`${dataset} with ${dropped.join(' ')} missing (${fill}): max |ours - reference| ${largest.toExponential(2)}`);
      assert.ok(largest <= LOGIT_TOLERANCE, `${dataset}: logits differ by ${largest}`);
      const expected = (JSON.parse(readFileSync(join(work, `python-${label}`, `${dataset}.json`), 'utf8')) as { images: string[] }).images;
      assert.equal(record.images, expected, 'image rows in the same order');
      const [n, k] = theirs.shape;
      const theirMetrics = singleLabelMetrics(theirs.data as Float32Array, n, k, npy(join(work, `python-${label}`, `${dataset}.targets.npy`)).data as Int32Array).metrics;
      for (const key of ['acc1', 'acc5', 'mean_per_class_recall']) assert.ok(close(record.metrics[key], theirMetrics[key], COUNT_TOLERANCE), `${dataset} ${key}: ours ${record.metrics[key]}, reference ${theirMetrics[key]}`);
      for (const key of ['mAP', 'mAP_tm19']) assert.ok(close(record.metrics[key], theirMetrics[key], RETRIEVAL_TOLERANCE), `${dataset} ${key}`);
    }
  });
}

test('the reference metric definitions on our saved logits give our metrics to 1e-9', () => {
  const recomputed = JSON.parse(run(python, ['scripts/parity/evaluate.py', '--metrics-from-logits', join(work, 'ours')]).stdout) as { records: RecomputedRecord[] };
  assert.is(recomputed.records.length, DATASETS.length);
  for (const entry of recomputed.records) {
    const { record } = ours.get(entry.dataset)!;
    assert.equal(Object.keys(entry.metrics).sort(), Object.keys(record.metrics).sort(), `${entry.dataset}: metric names`);
    for (const [key, value] of Object.entries(entry.metrics)) {
      assert.ok(close(record.metrics[key], value, RECOMPUTED_TOLERANCE), `${entry.dataset} ${key}: ours ${record.metrics[key]}, reference ${value}`);
    }
    for (const [name, fields] of Object.entries(entry.per_class)) {
      for (const [field, value] of Object.entries(fields)) {
        const mine = record.per_class[name]?.[field as keyof ResultRecord['per_class'][string]];
        assert.ok(close(mine, value, RECOMPUTED_TOLERANCE), `${entry.dataset} ${name} ${field}: ours ${mine}, reference ${value}`);
      }
    }
    // With tied logits torch.topk's order, not ours, would decide some AP values.
    assert.is(entry.diagnostics.columns_with_tied_scores, 0, `${entry.dataset}: no class column has tied logits`);
    log(`${entry.dataset}: metrics recomputed from our logits agree; a float64 AP would differ by ${entry.diagnostics.max_ap_difference_float64.toExponential(2)}`);
  }
});

// The published harness's own metric functions (zeroshot_eval.py from a checkout of
// IBM/MS-CLIP, loaded by scripts/parity/published_metrics.py) on our saved logits,
// with the paper-era and the installed torchmetrics. Needs that checkout, which the
// project cannot download in CI: set MSCLIP_REFERENCE_REPO to run it.
const publishedRepo = process.env.MSCLIP_REFERENCE_REPO;
// Without the checkout the test is skipped (counted as skipped, never as passed).
if (!publishedRepo) log('skipped: set MSCLIP_REFERENCE_REPO to a checkout of github.com/IBM/MS-CLIP to compare with the published metric code');
(publishedRepo ? test : test.skip)('the published reference metric code on our saved logits gives our numbers (MSCLIP_REFERENCE_REPO)', () => {
  if (!publishedRepo) return;
  for (const era of ['paper', 'installed']) {
    const result = spawnSync(python, ['scripts/parity/published_metrics.py', '--reference-repo', publishedRepo, '--torchmetrics', era, join(work, 'ours')], { cwd: projectRoot, encoding: 'utf8' });
    assert.is(result.status, 0, `${era}: ${result.stdout.slice(-2000)} ${result.stderr.slice(-2000)}`);
    const published = JSON.parse(result.stdout) as { records: { dataset: string; identical: boolean; max_abs_difference: number; compared: Record<string, unknown> }[] };
    assert.is(published.records.length, DATASETS.length);
    for (const entry of published.records) {
      assert.ok(entry.max_abs_difference <= RECOMPUTED_TOLERANCE, `${era} ${entry.dataset}: ${entry.max_abs_difference}`);
      log(`${entry.dataset} (${era} torchmetrics): ${Object.keys(entry.compared).length} numbers, ${entry.identical ? 'bit-identical' : `max difference ${entry.max_abs_difference}`}`);
    }
  }
});

test.run();
