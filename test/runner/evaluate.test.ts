// End to end: `npm run evaluate` on a tiny benchmark tree in all three formats that
// this test writes, with tiny real ONNX bundles. Checks records (README, "Result records"), the
// CSV, saved logits (metrics recomputed from them), order invariance of the worker
// pipeline, shared decoding across models, and the bad-input contract.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { listDataset } from '../../datasets/registry.ts';
import { bootstrapIntervals, multiLabelMetrics, recordStatistic, singleLabelMetrics, streamOf } from '../../metrics/index.ts';
import { readRecords, writeRecord, type ResultRecord } from '../../records/records.ts';
import { decodeNpy } from '../../core/npy.ts';
import { writeTrees } from '../../scripts/golden/datasets-cases.ts';
import { makeTinyModels, projectRoot } from '../support/inference.ts';

const work = mkdtempSync(join(tmpdir(), 'evaluate-e2e-'));
const tree = join(work, 'tree');
const { modelsDir } = makeTinyModels();

/** No store: these tests compare fresh encodings (test/runner/store.test.ts tests the store). */
function evaluate(args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli/main.ts'), 'evaluate', '--models-dir', modelsDir, '--dataset-dir', tree, '--no-export', '--no-cache', ...args], {
    cwd: projectRoot, encoding: 'utf8', env: { ...process.env, CI: 'true' },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function recordsUnder(folder: string): ResultRecord[] {
  return readRecords([folder]).map((loaded) => loaded.record);
}

function logitsOf(recordPath: string): { logits: Float32Array; shape: number[]; targets: Int32Array | Uint8Array; targetShape: number[] } {
  const logits = decodeNpy(readFileSync(`${recordPath}.logits.npy`));
  const targets = decodeNpy(readFileSync(`${recordPath}.targets.npy`));
  return { logits: logits.data as Float32Array, shape: logits.shape, targets: targets.data as Int32Array | Uint8Array, targetShape: targets.shape };
}

test.before(async () => {
  await writeTrees(tree);
});

test.after(() => {
  rmSync(work, { recursive: true, force: true });
});

test('two models x three datasets: records, CSV, logits and JSON summary', () => {
  const out = join(work, 'run-a');
  const run = evaluate(['--model', 'Llama3-MS-CLIP-Base', '--model', 'ViT-B-16', '--save-path', out, '--save-logits', '--report-dir', join(work, 'site-a'), '--json']);
  assert.is(run.status, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as { results: { record: string; model: string; dataset: string }[]; failed: number; report: string };
  assert.is(summary.failed, 0);
  assert.is(summary.results.length, 6);
  assert.ok(existsSync(summary.report), 'leaderboard page written');
  assert.match(run.stderr, /acc1 \/ class-acc/, 'summary table printed on stderr');

  for (const result of summary.results) {
    const record = JSON.parse(readFileSync(result.record, 'utf8')) as ResultRecord;
    assert.is(record.schema, 1);
    assert.is(record.model, result.model);
    assert.is(record.templates, 'msclip');
    assert.is(record.demo, false);
    assert.ok(record.provenance.bundle_sha256['image.onnx'], 'bundle hash recorded');
    assert.ok(record.provenance.templates_sha256.length === 64);
    assert.ok(typeof record.provenance.date === 'string');
    assert.is(record.provenance.image_kind, result.model === 'ViT-B-16' ? 'rgb' : 'multispectral');
    const listing = record.images!;
    assert.is(listing.length, record.n_images);
    assert.ok(existsSync(result.record.replace(/\.json$/, '.csv')), 'key,value CSV beside the record');
    const csv = readFileSync(result.record.replace(/\.json$/, '.csv'), 'utf8').trim().split('\n');
    assert.is(csv[0], 'key,value');

    // Metrics recomputed from the saved logits equal the record's.
    const saved = logitsOf(result.record);
    assert.equal(saved.shape, [record.n_images, record.classes.length]);
    const recomputed = record.task === 'multi-label'
      ? multiLabelMetrics(saved.logits, record.n_images, record.classes.length, saved.targets as Uint8Array)
      : singleLabelMetrics(saved.logits, record.n_images, record.classes.length, saved.targets as Int32Array);
    for (const [key, value] of Object.entries(record.metrics)) assert.is(recomputed.metrics[key], value, `${record.model} ${record.dataset} ${key}`);
    for (const value of saved.logits) assert.ok(Math.abs(value) <= 100 + 1e-3, 'logits are 100 x cosine');

    // Bootstrap intervals (default 1000 resamples, seed 0) for every metric, reproducible
    // from the saved logits. (A percentile interval need not contain the estimate: AP on
    // a dozen images is biased under resampling.)
    assert.equal(record.ci_method, { level: 0.95, resamples: 1000, seed: 0, kind: 'percentile' });
    assert.equal(Object.keys(record.ci!), Object.keys(record.metrics));
    for (const [key, value] of Object.entries(record.metrics)) {
      const interval = record.ci![key];
      if (value === null) {
        assert.is(interval, null, `${key}: no interval for a null metric`);
        continue;
      }
      assert.ok(interval![0] >= 0 && interval![0] <= interval![1] && interval![1] <= 1, `${record.dataset} ${key}: [${interval?.join(', ')}]`);
    }
    const statistic = recordStatistic(record.task, saved.logits, record.n_images, record.classes.length, saved.targets);
    assert.equal(bootstrapIntervals(statistic, { resamples: 1000, seed: 0, stream: streamOf(record.dataset) }).ci, record.ci, 'intervals recomputed from the saved logits');
  }
  const eurosat = JSON.parse(readFileSync(summary.results.find((r) => r.dataset === 'EuroSAT_MS')!.record, 'utf8')) as ResultRecord;
  assert.equal(eurosat.classes, ['annualcrop', 'forest', 'forest-old', 'sea lake', 'river'], 'code-point order: "Sea_Lake" before "river"');
  assert.is(eurosat.images![0], 'AnnualCrop/B_2.tif', 'code-point order: "B_2" before "a.TIF" and "b.tif"');
  const bigearthnet = summary.results.find((r) => r.dataset === 'BigEarthNet_MS' && r.model === 'ViT-B-16')!;
  const multi = JSON.parse(readFileSync(bigearthnet.record, 'utf8')) as ResultRecord;
  assert.is(multi.task, 'multi-label');
  assert.is(multi.classes.length, 19);
  assert.ok('Average_class_accuracy' in multi.metrics && 'Ave_mAP' in multi.metrics);
});

test('logits and intervals by default; --no-save-logits and --bootstrap 0 turn them off', () => {
  const byDefault = join(work, 'run-default');
  assert.is(evaluate(['--model', 'Llama3-MS-CLIP-Base', '--datasets', 'METERML_MS', '--save-path', byDefault, '--no-report', '--bootstrap', '50', '--bootstrap-seed', '7']).status, 0);
  const [written] = readRecords([byDefault]);
  assert.ok(existsSync(`${written.path}.logits.npy`) && existsSync(`${written.path}.targets.npy`), 'logits and targets beside the record');
  assert.is(written.record.images!.length, written.record.n_images);
  assert.equal(written.record.ci_method, { level: 0.95, resamples: 50, seed: 7, kind: 'percentile' });

  const off = join(work, 'run-off');
  const run = evaluate(['--model', 'Llama3-MS-CLIP-Base', '--datasets', 'METERML_MS', '--save-path', off, '--no-report', '--no-save-logits', '--bootstrap', '0']);
  assert.is(run.status, 0, run.stderr);
  const [plain] = readRecords([off]);
  assert.not.ok(existsSync(`${plain.path}.logits.npy`) || existsSync(`${plain.path}.targets.npy`), 'no .npy');
  assert.is(plain.record.images, undefined);
  assert.is(plain.record.ci, undefined);
  assert.is(plain.record.ci_method, undefined);
  assert.equal(plain.record.metrics, written.record.metrics, 'the metrics do not depend on either flag');

  const both = evaluate(['--save-logits', '--no-save-logits']);
  assert.is(both.status, 1);
  assert.match(both.stderr, /^error: --save-logits and --no-save-logits contradict each other/m);
  const negative = evaluate(['--bootstrap', '-1']);
  assert.is(negative.status, 1);
  assert.match(negative.stderr, /^error: .*bootstrap/m);
});

test('worker threads, batch size and shared decoding do not change a single logit', () => {
  const shared = join(work, 'run-shared');
  const alone = join(work, 'run-alone');
  const first = evaluate(['--model', 'Llama3-MS-CLIP-Base,ViT-B-16', '--datasets', 'EuroSAT_MS,BigEarthNet_MS', '--save-path', shared, '--save-logits', '--no-report', '--batch-size', '3', '--workers', '2']);
  assert.is(first.status, 0, first.stderr);
  const second = evaluate(['--model', 'Llama3-MS-CLIP-Base', '--datasets', 'EuroSAT_MS,BigEarthNet_MS', '--save-path', alone, '--save-logits', '--no-report', '--batch-size', '64', '--workers', '0']);
  assert.is(second.status, 0, second.stderr);
  const find = (folder: string, dataset: string): string => readRecords([folder]).find((loaded) => loaded.record.model === 'Llama3-MS-CLIP-Base' && loaded.record.dataset === dataset)!.path;
  for (const dataset of ['EuroSAT_MS', 'BigEarthNet_MS']) {
    const a = logitsOf(find(shared, dataset)).logits;
    const b = logitsOf(find(alone, dataset)).logits;
    assert.is(a.length, b.length);
    let max = 0;
    for (let index = 0; index < a.length; index++) max = Math.max(max, Math.abs(a[index] - b[index]));
    assert.ok(max < 1e-4, `${dataset}: max |difference| ${max}`);
  }
});

test('a corrupt tiff fails its dataset in one line, writes nothing for it, others still run', () => {
  const broken = join(work, 'tree-broken');
  rmSync(broken, { recursive: true, force: true });
  spawnSync('cp', ['-r', tree, broken]);
  const file = join(broken, 'EuroSAT_MS/Forest/img.tif');
  writeFileSync(file, readFileSync(file).subarray(0, 300));
  const out = join(work, 'run-broken');
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli/main.ts'), 'evaluate', '--models-dir', modelsDir, '--dataset-dir', broken, '--no-export', '--model', 'Llama3-MS-CLIP-Base', '--save-path', out, '--no-report'], { encoding: 'utf8', cwd: projectRoot });
  assert.is(run.status, 1);
  const errors = run.stderr.split('\n').filter((line) => line.startsWith('error:'));
  assert.is(errors.length, 1, run.stderr);
  assert.ok(errors[0].includes(file), errors[0]);
  assert.not.match(run.stderr, /\n\s+at /, 'no stack trace');
  const datasets = recordsUnder(out).map((record) => record.dataset).sort();
  assert.equal(datasets, ['BigEarthNet_MS', 'METERML_MS']);
  const leftovers = readdirSync(out, { recursive: true }).map(String).filter((name) => name.includes('EuroSAT'));
  assert.equal(leftovers, [], 'no partial EuroSAT files');

  const skipped = join(work, 'run-skip');
  const again = spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli/main.ts'), 'evaluate', '--models-dir', modelsDir, '--dataset-dir', broken, '--no-export', '--model', 'Llama3-MS-CLIP-Base', '--datasets', 'EuroSAT_MS', '--save-path', skipped, '--no-report', '--skip-invalid'], { encoding: 'utf8', cwd: projectRoot });
  assert.is(again.status, 0, again.stderr);
  const [record] = recordsUnder(skipped);
  assert.is(record.n_images, 11);
  assert.is(record.skipped!.length, 1);
  assert.ok(record.skipped![0].file.includes('img.tif'));
});

test('unknown model and dataset names: did-you-mean in one line', () => {
  const model = evaluate(['--model', 'Llama3-MS-CLP-Base', '--no-report']);
  assert.is(model.status, 1);
  assert.match(model.stderr, /^error: unknown model "Llama3-MS-CLP-Base": did you mean "Llama3-MS-CLIP-Base"\?/m);
  const dataset = evaluate(['--model', 'ViT-B-16', '--datasets', 'EuroSat_M', '--no-report']);
  assert.is(dataset.status, 1);
  assert.match(dataset.stderr, /^error: unknown dataset "EuroSat_M": did you mean/m);
  const flag = evaluate(['--modle', 'x']);
  assert.is(flag.status, 1);
  assert.match(flag.stderr, /^error: .*--modle/m);
});

test('a template set that cuts every class name off is refused before any image is encoded', () => {
  const templates = join(work, 'long.json');
  writeFileSync(templates, JSON.stringify([`${'a very long and detailed description of a satellite scene '.repeat(9)}showing {c}.`]));
  const out = join(work, 'run-long');
  const run = evaluate(['--model', 'Llama3-MS-CLIP-Base', '--datasets', 'EuroSAT_MS', '--templates', templates, '--save-path', out, '--no-report']);
  assert.is(run.status, 1, run.stderr);
  const errors = run.stderr.split('\n').filter((line) => line.startsWith('error:'));
  assert.is(errors.length, 1, run.stderr);
  assert.match(errors[0], /^error: template set "long\.json": classes "[^"]+" and "[^"]+" get the same prompts once cut to the text tower's 77 tokens, so the model cannot tell them apart; shorten the templates/);
  assert.not.match(run.stderr, /\n\s+at /, 'no stack trace');
  assert.not.match(run.stderr, /EuroSAT_MS x /, 'no image was encoded');
  assert.equal(existsSync(out) ? recordsUnder(out) : [], [], 'no record');
});

test('records are never overwritten', async () => {
  const out = join(work, 'run-exclusive');
  const listing = await listDataset('METERML_MS', tree, { skipInvalid: false });
  const record: ResultRecord = {
    schema: 1, model: 'M', dataset: listing.dataset, task: 'single-label', templates: 'msclip', demo: false, classes: listing.classes, n_images: 0,
    metrics: {}, per_class: {}, timings: { seconds: 1, images_per_second: 0 },
    provenance: { package_version: '0', git_commit: null, bundle_sha256: {}, preprocessing: {}, templates_sha256: '', device: 'cpu', date: '' },
  };
  writeRecord(out, 'run-1', record);
  assert.throws(() => writeRecord(out, 'run-1', record), /already exists: records are never overwritten/);
});

test.run();
