// The out-of-the-box run: `npm run evaluate` with the built-in demo evaluates both
// demo bundles on the three demo datasets, marks everything as demo, and builds the
// leaderboard. (`--demo` forces it even when a benchmark_datasets/ folder exists here.)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readRecords } from '../../records/records.ts';
import { projectRoot } from '../support/inference.ts';

const work = mkdtempSync(join(tmpdir(), 'demo-run-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

test('demo run: 2 models x 3 datasets, demo-marked records and pages, MS beats RGB', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'evaluate', '--demo', '--save-path', join(work, 'results'), '--report-dir', join(work, 'site'), '--json'], { cwd: projectRoot, encoding: 'utf8' });
  assert.is(run.status, 0, run.stderr);
  assert.match(run.stderr, /^Running the built-in demo/m);
  const summary = JSON.parse(run.stdout) as { demo: boolean; results: { model: string; dataset: string; metrics: Record<string, number> }[]; report: string };
  assert.ok(summary.demo);
  assert.is(summary.results.length, 6);
  const records = readRecords([join(work, 'results')]).map((loaded) => loaded.record);
  assert.is(records.length, 6);
  for (const record of records) assert.ok(record.demo, `${record.model} ${record.dataset} marked demo`);
  const score = (model: string, dataset: string, key: string): number => records.find((record) => record.model === model && record.dataset === dataset)!.metrics[key]!;
  for (const model of ['Demo-MS-CLIP-Tiny', 'Demo-RGB-CLIP-Tiny']) {
    assert.ok(score(model, 'EuroSAT_MS', 'acc1') >= 0.2, `${model} EuroSAT acc1 at least twice chance`);
    assert.ok(score(model, 'METERML_MS', 'acc1') >= 2 / 7, `${model} METER-ML acc1 at least twice chance`);
  }
  assert.ok(score('Demo-MS-CLIP-Tiny', 'EuroSAT_MS', 'acc1') > score('Demo-RGB-CLIP-Tiny', 'EuroSAT_MS', 'acc1') + 0.1);
  assert.ok(existsSync(summary.report));
  const page = readFileSync(summary.report, 'utf8');
  // The visible heading says so (the stylesheet mentions "demo" on every page, so a bare /demo/ proves nothing).
  assert.match(page, /<h1>msclip-bench leaderboard <span class="badge demo"[^>]*>includes demo results<\/span><\/h1>/);
  assert.ok(existsSync(join(work, 'site', 'radar.png')));
});

test.run();
