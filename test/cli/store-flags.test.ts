// The store's flags as a user types them and as a scheduler sets the environment:
// --shard I/N (1-based), --shard auto from a Slurm array or a Kubernetes Indexed Job,
// contradictions, and the default folder; every mistake one line.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, isUserError } from '../../core/errors.ts';
import { parseEvaluateArguments, type EvaluateCommandRequest } from '../../cli/commands/evaluate.ts';
import { shardOption, storeOptions } from '../../cli/store-flags.ts';

function usageError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(isUserError(error), String(error));
    assert.is(error.code, ErrorCode.usage);
    assert.not.match(error.message, /\n/);
    return error.message;
  }
  return assert.unreachable('expected a usage error') as never;
}

const parse = (argv: string[]): EvaluateCommandRequest => parseEvaluateArguments(argv) as EvaluateCommandRequest;

test('the store is on by default, in $XDG_CACHE_HOME/msclip-bench or ~/.cache/msclip-bench', () => {
  const saved = process.env.XDG_CACHE_HOME;
  try {
    process.env.XDG_CACHE_HOME = '/tmp/xdg-here';
    assert.equal(parse(['--model', 'x']).store, { dir: '/tmp/xdg-here/msclip-bench', cacheOnly: false, shard: undefined });
    delete process.env.XDG_CACHE_HOME;
    assert.is(parse(['--model', 'x']).store?.dir, join(homedir(), '.cache', 'msclip-bench'));
  } finally {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
  }
  assert.is(parse(['--model', 'x', '--cache-dir', '/data/store']).store?.dir, '/data/store');
  assert.is(parse(['--model', 'x', '--no-cache']).store, undefined);
  assert.is(parse(['--model', 'x', '--cache-only']).store?.cacheOnly, true);
});

test('--templates: a comma list or repeats, in order, duplicates once', () => {
  assert.equal(parse(['--model', 'x']).templates, ['msclip']);
  assert.equal(parse(['--model', 'x', '--templates', 'msclip,clip', '--templates', 'rs5m,clip']).templates, ['msclip', 'clip', 'rs5m']);
  assert.match(usageError(() => parse(['--model', 'x', '--templates', ','])), /--templates "," names nothing/);
});

test('--shard I/N: 1-based, I at most N, plain digits', () => {
  assert.equal(parse(['--model', 'x', '--shard', '2/3']).store?.shard, { index: 2, count: 3 });
  assert.equal(shardOption({ shard: '1/1' }), { index: 1, count: 1 });
  for (const text of ['0/3', '4/3', '1/0', '1of3', '1/3/4', 'a/b', '01/3', '-1/3', '1.5/3', '']) {
    assert.match(usageError(() => shardOption({ shard: text })), /^--shard must be I\/N with 1 <= I <= N \(1-based: --shard 1\/3, 2\/3, 3\/3\) or auto, got /);
  }
});

test('--shard auto: a Slurm array task (any first index and step), or a Kubernetes completion index', () => {
  const auto = { shard: 'auto' };
  assert.equal(shardOption(auto, { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_COUNT: '3' }), { index: 1, count: 3 });
  assert.equal(shardOption(auto, { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '3' }), { index: 3, count: 3 });
  assert.equal(shardOption(auto, { SLURM_ARRAY_TASK_ID: '14', SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_STEP: '2', SLURM_ARRAY_TASK_COUNT: '4' }), { index: 3, count: 4 });
  assert.equal(shardOption({ ...auto, 'shard-count': '5' }, { JOB_COMPLETION_INDEX: '4' }), { index: 5, count: 5 });
  assert.equal(shardOption({ ...auto, 'shard-count': '3' }, { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_COUNT: '3' }), { index: 3, count: 3 });
  assert.match(usageError(() => shardOption(auto, {})), /neither SLURM_ARRAY_TASK_ID \(a Slurm job array\) nor JOB_COMPLETION_INDEX \(a Kubernetes Indexed Job\) is set; give --shard I\/N instead/);
  assert.match(usageError(() => shardOption(auto, { JOB_COMPLETION_INDEX: '0' })), /needs --shard-count N/);
  assert.match(usageError(() => shardOption({ ...auto, 'shard-count': '4' }, { JOB_COMPLETION_INDEX: '4' })), /JOB_COMPLETION_INDEX=4, --shard-count 4/);
  assert.match(usageError(() => shardOption({ ...auto, 'shard-count': '2' }, { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '3' })), /--shard-count 2 disagrees with this Slurm array's 3 tasks/);
  assert.match(usageError(() => shardOption(auto, { SLURM_ARRAY_TASK_ID: 'x' })), /SLURM_ARRAY_TASK_ID="x" is not a whole number/);
  assert.match(usageError(() => shardOption(auto, { SLURM_ARRAY_TASK_ID: '1' })), /SLURM_ARRAY_TASK_COUNT is not set; give --shard-count N/);
});

test('contradictions are one line each', () => {
  assert.match(usageError(() => storeOptions({ 'no-cache': true, 'cache-only': true })), /--no-cache and --cache-only contradict each other/);
  assert.match(usageError(() => storeOptions({ 'no-cache': true, 'cache-dir': '/x' })), /--no-cache and --cache-dir contradict each other/);
  assert.match(usageError(() => parse(['--model', 'x', '--no-cache', '--shard', '1/2'])), /--no-cache and --shard contradict each other/);
  assert.match(usageError(() => parse(['--model', 'x', '--cache-only', '--shard', '1/2'])), /--shard and --cache-only contradict each other/);
  assert.match(usageError(() => parse(['--model', 'x', '--shard', '1/2', '--shard-count', '2'])), /--shard-count goes with --shard auto/);
  assert.match(usageError(() => parse(['--model', 'x', '--shard', 'auto', '--shard-count', '0'])), /--shard-count must be a positive integer/);
  assert.match(usageError(() => storeOptions({ 'cache-dir': '' })), /--cache-dir names no folder/);
});

test.run();
