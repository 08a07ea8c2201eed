/**
 * The embedding store end to end, on the demo suite (two demo models; EuroSAT_MS
 * single-label and BigEarthNet_MS multi-label):
 * - another template set on a filled store adds nothing to it and encodes nothing;
 * - a three-set run stores one row per image and writes three records per model and
 *   dataset, each equal to that set's own run;
 * - a run killed with SIGKILL part-way and started again encodes only what is missing
 *   and writes records identical to an uninterrupted run's (metrics, intervals, logits);
 * - three --shard i/3 runs, then --cache-only: records identical to an unsharded run's;
 * - --cache-only with an embedding missing: one error line naming what is missing.
 */
import { taskOptionsFromFlags } from '../../cli/few-shot-flags.ts';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULTS } from '../../cli/defaults.ts';
import { readStoreTable } from '../../embeddings/store-file.ts';
import type { ResultRecord } from '../../records/records.ts';
import { runEvaluation, type EvaluationRequest, type EvaluationSummary } from '../../runner/evaluate.ts';
import { projectRoot } from '../support/inference.ts';
import { filesUnder } from '../support/files.ts';
import { recordFilesUnder, recordScores } from '../support/record-scores.ts';

const work = mkdtempSync(join(tmpdir(), 'msclip-store-e2e-'));
const DATASETS = ['EuroSAT_MS', 'BigEarthNet_MS'];
const IMAGES = { EuroSAT_MS: 400, BigEarthNet_MS: 150 } as const;
const BATCH = 16;
let runs = 0;

function request(overrides: Partial<EvaluationRequest>): EvaluationRequest {
  return {
    models: [], templates: ['msclip'], tasks: ['zero-shot'], datasets: DATASETS,
    datasetDir: DEFAULTS.datasetDir, modelsDir: DEFAULTS.modelsDir, device: 'cpu',
    batchSize: BATCH, workers: 0, maxImagePixels: DEFAULTS.maxImagePixels,
    savePath: join(work, `results-${++runs}`), saveLogits: true, bootstrap: { resamples: 100, seed: 0 },
    skipInvalid: false, allowExport: false, demo: true, quiet: true, ...taskOptionsFromFlags({}), ...overrides,
  };
}

const evaluate = (overrides: Partial<EvaluationRequest>): Promise<EvaluationSummary> => runEvaluation(request(overrides), () => undefined);

/** What must not change with how a run was cut up: per (model, dataset, template set). */
function scores(summary: EvaluationSummary): Map<string, unknown> {
  assert.is(summary.failed, 0, JSON.stringify(summary.errors));
  return recordScores(summary.results.map((result) => result.record));
}

function provenanceOf(summary: EvaluationSummary): { model: string; dataset: string; templates: string; encoded: number; from_store: number }[] {
  return summary.results.map((result) => {
    const record = JSON.parse(readFileSync(result.record, 'utf8')) as ResultRecord & { provenance: { embeddings: { encoded: number; from_store: number } } };
    const { encoded, from_store } = record.provenance.embeddings;
    return { model: record.model, dataset: record.dataset, templates: record.templates, encoded, from_store };
  });
}

/** Every image chunk file of a store, and its rows per key folder. */
function storeRows(dir: string): { files: string[]; rowsPerKey: number[] } {
  const files = filesUnder(join(dir, 'embeddings', 'images'), '.parquet');
  const rows = new Map<string, number>();
  for (const file of files) {
    const table = readStoreTable(file, 'image');
    if (typeof table === 'string') throw new Error(`${file} ${table}`);
    const folder = join(file, '..');
    rows.set(folder, (rows.get(folder) ?? 0) + table.rows.ids.length);
  }
  return { files, rowsPerKey: [...rows.values()].sort((a, b) => a - b) };
}

/** One row per image per model: each demo model has its own key per dataset. */
const ONE_ROW_PER_IMAGE = [IMAGES.BigEarthNet_MS, IMAGES.BigEarthNet_MS, IMAGES.EuroSAT_MS, IMAGES.EuroSAT_MS];

let reference: Map<string, unknown>;

test.before(async () => {
  // The uninterrupted run every other run is held to: no store at all.
  reference = scores(await evaluate({ templates: ['msclip', 'clip', 'rs5m'] }));
});

test.after(() => {
  rmSync(work, { recursive: true, force: true });
});

const only = (scored: Map<string, unknown>, set: string): Map<string, unknown> => new Map([...scored].filter(([key]) => key.endsWith(`/${set}`)));

test('another template set on a filled store adds nothing and encodes nothing', async () => {
  const dir = join(work, 'store-templates');
  const first = await evaluate({ store: { dir } });
  assert.equal(scores(first), only(reference, 'msclip'));
  const filled = storeRows(dir);
  assert.equal(filled.rowsPerKey, ONE_ROW_PER_IMAGE);
  const second = await evaluate({ store: { dir }, templates: ['clip'] });
  assert.equal(scores(second), only(reference, 'clip'));
  assert.equal(storeRows(dir), filled, 'no image file added');
  for (const entry of provenanceOf(second)) assert.equal([entry.encoded, entry.from_store], [0, IMAGES[entry.dataset as keyof typeof IMAGES]], JSON.stringify(entry));
});

test('three template sets: one image pass, one row per image, three records per model and dataset', async () => {
  const dir = join(work, 'store-sweep');
  const sweep = await evaluate({ store: { dir }, templates: ['msclip', 'clip', 'rs5m'] });
  assert.is(sweep.results.length, 2 * 2 * 3);
  assert.equal(scores(sweep), reference);
  assert.equal(storeRows(dir).rowsPerKey, ONE_ROW_PER_IMAGE);
  const cached = readdirSync(join(dir, 'embeddings', 'text'));
  assert.is(cached.length, 2 * 2 * 3, 'class embeddings per text tower, template set and classes');
  // Encoded once, by the first record's pass; every record says so.
  for (const entry of provenanceOf(sweep)) assert.equal([entry.encoded, entry.from_store], [IMAGES[entry.dataset as keyof typeof IMAGES], 0], JSON.stringify(entry));
});

test('a run killed with SIGKILL part-way, started again, encodes only what is missing and writes identical records', async () => {
  const dir = join(work, 'store-killed');
  // Chunks of two batches, so the kill falls between many chunk files.
  const killed = request({ store: { dir, chunkRows: 2 * BATCH } });
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'test/support/evaluate-child.ts'), JSON.stringify(killed)], { cwd: projectRoot, stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const countFiles = (): number => {
    try {
      return storeRows(dir).files.length;
    } catch {
      return 0;
    }
  };
  const started = Date.now();
  let files = countFiles();
  while (files < 3 && child.exitCode === null && Date.now() - started < 120_000) {
    await new Promise((resolve) => setTimeout(resolve, 15));
    files = countFiles();
  }
  child.kill('SIGKILL');
  assert.is(await exited, 'SIGKILL', 'the run was killed before it finished');
  assert.ok(files >= 3 && files < 4 * 13, `killed part-way: ${files} chunk files`);
  const restarted = await evaluate({ store: { dir, chunkRows: 2 * BATCH }, savePath: killed.savePath });
  assert.equal(scores(restarted), only(reference, 'msclip'));
  const provenance = provenanceOf(restarted);
  assert.ok(provenance.some((entry) => entry.from_store > 0), 'the first run\'s chunks were used');
  assert.ok(provenance.some((entry) => entry.encoded > 0), 'the rest was encoded');
  for (const entry of provenance) assert.is(entry.encoded + entry.from_store, IMAGES[entry.dataset as keyof typeof IMAGES]);
  assert.equal(storeRows(dir).rowsPerKey, ONE_ROW_PER_IMAGE, 'nothing encoded twice');
});

test('three --shard i/3 runs, then --cache-only: the unsharded records; a missing share is one line naming it', () => {
  const dir = join(work, 'store-shards');
  const cli = (args: string[]): { status: number | null; stderr: string } => spawnSync(process.execPath, [
    '--import', 'tsx', join(projectRoot, 'cli/main.ts'), 'evaluate', '--demo', '--datasets', DATASETS.join(','), '--batch-size', String(BATCH), '--workers', '0',
    '--bootstrap', '100', '--no-report', '--device', 'cpu', '--cache-dir', dir, ...args,
  ], { cwd: projectRoot, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  const shardOutput = join(work, 'shard-records');
  for (const shard of ['1/3', '2/3']) {
    const run = cli(['--shard', shard, '--save-path', shardOutput]);
    assert.is(run.status, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`Shard ${shard}: its embeddings are in .*; no records written`));
  }
  assert.throws(() => readdirSync(shardOutput), /ENOENT/, 'a shard writes no records');
  const early = cli(['--cache-only', '--save-path', join(work, 'early')]);
  assert.is(early.status, 1);
  const errors = early.stderr.split('\n').filter((line) => line.startsWith('error: '));
  assert.is(errors.length, 2 * 2, early.stderr);
  assert.match(errors[0], /^error: EuroSAT_MS: --cache-only: Demo-MS-CLIP-Tiny: 144 of 400 image\(s\) not in the store \(.*\): ".*", .* and 139 more; run without --cache-only to encode them, or finish the --shard runs that own them$/);
  const last = cli(['--shard', '3/3', '--save-path', shardOutput]);
  assert.is(last.status, 0, last.stderr);
  const scored = cli(['--cache-only', '--json', '--save-path', join(work, 'scored')]);
  assert.is(scored.status, 0, scored.stderr);
  assert.match(scored.stderr, /EuroSAT_MS x Demo-MS-CLIP-Tiny \(400 of 400 cached, 0 encoded\)/);
  assert.equal(recordScores(recordFilesUnder(join(work, 'scored'))), only(reference, 'msclip'));
});

test.run();
