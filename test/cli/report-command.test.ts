/**
 * `npm run report`: flags (repeatable and comma lists), --json on stdout, and user
 * mistakes as one `error: ...` line with exit code 1.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseReportArguments } from '../../cli/commands/report.ts';
import { isUserError } from '../../core/errors.ts';
import { buildReport } from '../../reports/build.ts';
import { writeTestResults } from '../reports/records.ts';

const command = join(import.meta.dirname, '..', '..', 'cli', 'main.ts');
const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', command, 'report', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

test('flags: defaults, repeated and comma-separated --results', () => {
  assert.equal(parseReportArguments([]), { results: ['results'], out: 'reports/site', baseline: undefined, bootstrap: { resamples: 1000, seed: 0 }, json: false });
  const request = parseReportArguments(['--results', 'a,b', '--results', 'c', '--out', 'site', '--baseline', 'X', '--bootstrap', '200', '--bootstrap-seed', '5', '--json']);
  assert.equal(request, { results: ['a', 'b', 'c'], out: 'site', baseline: 'X', bootstrap: { resamples: 200, seed: 5 }, json: true });
  assert.throws(() => parseReportArguments(['--bootstrap', '1.5']), (error: unknown) => isUserError(error) && /--bootstrap must be 0 or a positive integer/.test(error.message));
  assert.is(parseReportArguments(['--help']), 'help');
  assert.throws(() => parseReportArguments(['--result', 'a']), (error: unknown) => isUserError(error) && /Unknown option '--result'/.test(error.message));
});

test('an empty results folder is a user error naming the folder', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'msclip-empty-'));
  try {
    await buildReport({ results: [empty], out: join(empty, 'site') });
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.ok(isUserError(error));
    assert.ok((error as Error).message.includes(empty));
    assert.match((error as Error).message, /run npm run evaluate first/);
  }
});

test('CLI: --json summary on stdout, logs on stderr', () => {
  const { folders, root } = writeTestResults();
  const out = join(root, 'site');
  const result = run(['--results', folders.join(','), '--out', out, '--json']);
  assert.is(result.status, 0, result.stderr);
  const summary = JSON.parse(result.stdout) as { index: string; pages: string[]; records: number; superseded: number; baseline: string; headlines: { task: string; meanGap: number }[] };
  assert.is(summary.index, join(out, 'index.html'));
  assert.ok(existsSync(summary.index));
  assert.is(summary.pages.length, 4);
  assert.is(summary.records, 13);
  assert.is(summary.superseded, 1);
  assert.is(summary.baseline, 'Delta-RGB');
  assert.ok(Math.abs(summary.headlines[0].meanGap - 4.2) < 1e-9);
  assert.match(result.stderr, /Report: 13 records/);
});

test('CLI: a user mistake is one error line and exit code 1', () => {
  const { folders, root } = writeTestResults();
  const result = run(['--results', folders.join(','), '--out', join(root, 'site'), '--baseline', 'Delta-RBG']);
  assert.is(result.status, 1);
  const lines = result.stderr.trim().split('\n').filter((line) => line.startsWith('error:'));
  assert.is(lines.length, 1, result.stderr);
  assert.match(lines[0], /^error: unknown baseline model "Delta-RBG": did you mean "Delta-RGB"\?/);
  assert.not.match(result.stderr, /\n\s+at /, 'no stack trace');
});

test.run();
