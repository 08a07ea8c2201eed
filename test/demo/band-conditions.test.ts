// Missing bands on the demo: dropping the SWIR bands costs the multispectral demo model
// its snow/cloud separation (the demo scenes tell them apart only through SWIR), the
// full-band record stays beside the condition's, the RGB model is "not applicable", and
// bad conditions are one-line errors.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readRecords } from '../../records/records.ts';
import { projectRoot } from '../support/inference.ts';

const work = mkdtempSync(join(tmpdir(), 'band-conditions-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

function evaluate(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli/main.ts'), 'evaluate', '--demo', '--no-report', '--datasets', 'EuroSAT_MS', ...args], { cwd: projectRoot, encoding: 'utf8' });
}

test('--drop-bands swir costs the MS demo model its snow/cloud recall; full-band and condition records side by side', () => {
  const results = join(work, 'results');
  const run = evaluate(['--save-path', results, '--drop-bands', 'swir', '--fill', 'channel-mean']);
  assert.is(run.status, 0, run.stderr);
  assert.match(run.stderr, /Demo-RGB-CLIP-Tiny: band conditions not applicable/);
  const records = readRecords([results]).map((loaded) => loaded.record).filter((record) => record.model === 'Demo-MS-CLIP-Tiny');
  assert.is(records.length, 2);
  const full = records.find((record) => record.condition === undefined)!;
  const swir = records.find((record) => record.condition !== undefined)!;
  assert.equal(swir.condition, { dropped: ['B11', 'B12'], fill: 'channel-mean', label: 'drop swir' });
  const snowCloud = (record: typeof full): number => ((record.per_class.snow.recall ?? 0) + (record.per_class.cloud.recall ?? 0)) / 2;
  assert.ok(snowCloud(full) >= 0.9, `full-band snow/cloud recall ${snowCloud(full)}`);
  assert.ok(snowCloud(swir) <= snowCloud(full) - 0.3, `without SWIR: ${snowCloud(swir)} vs ${snowCloud(full)}`);
  assert.ok((swir.metrics.acc1 ?? 1) < (full.metrics.acc1 ?? 0), 'accuracy did not drop');
});

test('a band the model lacks, a condition that drops every band and an empty condition are one-line errors', () => {
  for (const [args, pattern] of [
    [['--drop-bands', 'B01'], /^error: unknown band "B01":/m],
    [['--drop-bands', 'B11,B21'], /^error: unknown band "B21": did you mean "B11"\?/m],
    [['--keep-bands', 'B02', '--drop-bands', 'B02,B03,B04,B05,B06,B07,B08,B8A,B11,B12'], /^error: condition "drop B02,B03,B04,B05,B06,B07,B08,B8A,B11,B12" leaves no band/m],
    [['--drop-bands', ','], /^error: --drop-bands "," names no band/m],
    [['--fill', 'mean'], /^error: unknown fill policy "mean"/m],
  ] as [string[], RegExp][]) {
    const run = evaluate(['--save-path', join(work, 'bad'), ...args]);
    assert.is(run.status, 1, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, pattern);
    assert.not.match(run.stderr, /\n\s+at /);
  }
});

test('few-shot probes run under a condition too: train and test with the same bands missing', () => {
  const results = join(work, 'few-shot');
  const run = evaluate(['--save-path', results, '--task', 'few-shot', '--drop-bands', 'swir', '--shots', '1,2', '--seeds', '2', '--probe', 'knn', '--bootstrap', '0']);
  assert.is(run.status, 0, run.stderr);
  const records = readRecords([results]).map((loaded) => loaded.record).filter((record) => record.model === 'Demo-MS-CLIP-Tiny');
  const full = records.find((record) => record.evaluation === 'few-shot' && record.condition === undefined);
  const swir = records.find((record) => record.evaluation === 'few-shot' && record.condition !== undefined);
  assert.ok(full && swir, `records: ${records.map((record) => `${String(record.evaluation)} ${JSON.stringify(record.condition)}`).join('; ')}`);
  assert.equal((swir.condition as { dropped: string[] }).dropped, ['B11', 'B12']);
  assert.equal((swir.curve as unknown[]).length, (full.curve as unknown[]).length);
  assert.match(String((swir.provenance.preprocessing as { steps: { op: string }[] }).steps.map((step) => step.op)), /fill-missing-bands/);
});

test.run();
