// Flag parsing as a hostile user types it: numbers in plain decimal only, a dash value
// explained for what the flag takes, list flags given but empty, --workers capped at
// the core count with a note; every mistake one line.
import { availableParallelism } from 'node:os';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, isUserError, type UserError } from '../../core/errors.ts';
import { listFlag, modelFlags, parseFlags, positiveIntegerFlag, workersFlag } from '../../cli/flags.ts';
import { parseEvaluateArguments } from '../../cli/commands/evaluate.ts';

function userError(run: () => unknown): UserError {
  try {
    run();
  } catch (error) {
    if (isUserError(error)) {
      assert.is(error.code, ErrorCode.usage);
      assert.not.match(error.message, /\n/);
      return error;
    }
    throw error;
  }
  return assert.unreachable('expected a UserError') as never;
}

test('positive integers: plain decimal digits only', () => {
  assert.is(positiveIntegerFlag('16', 'batch-size', 64), 16);
  assert.is(positiveIntegerFlag(undefined, 'batch-size', 64), 64);
  for (const text of ['0x10', '1e3', '010', ' 5', '5 ', '', '0', '-1', '1.5', '+3', '1_000', '99999999999999999999']) {
    const error = userError(() => positiveIntegerFlag(text, 'batch-size', 64));
    assert.is(error.message, `--batch-size must be a positive integer in plain decimal digits, got ${JSON.stringify(text)}`);
  }
});

test('--workers: 0 or a positive integer, capped at the core count with a note', () => {
  const notes: string[] = [];
  assert.is(workersFlag('0', (line) => notes.push(line)), 0);
  assert.is(workersFlag(undefined, (line) => notes.push(line)), undefined);
  assert.is(workersFlag('1000', (line) => notes.push(line)), availableParallelism());
  assert.equal(notes, [`note: --workers 1000 is more than the ${availableParallelism()} cores of this machine; using ${availableParallelism()}`]);
  for (const text of ['0x2', '1e1', '02', '-1', 'all']) assert.match(userError(() => workersFlag(text)).message, /^--workers must be 0 or a positive integer in plain decimal digits/);
  // Without --workers, a bad MSCLIP_WORKERS is refused while the flags are read; --workers wins over it.
  const saved = process.env.MSCLIP_WORKERS;
  try {
    process.env.MSCLIP_WORKERS = 'all';
    assert.match(userError(() => workersFlag(undefined)).message, /^MSCLIP_WORKERS="all" is not a whole number/);
    assert.is(workersFlag('1'), 1);
  } finally {
    if (saved === undefined) delete process.env.MSCLIP_WORKERS;
    else process.env.MSCLIP_WORKERS = saved;
  }
});

test('a number flag followed by a negative number says what it takes, not parseArgs\' --flag=-XYZ hint', () => {
  const flags = { ...modelFlags, workers: { type: 'string' } } as const;
  assert.is(userError(() => parseFlags(['--batch-size', '-1'], flags, 'evaluate')).message, '--batch-size must be a positive integer, got "-1" (see: npm run evaluate -- --help)');
  assert.is(userError(() => parseFlags(['--workers', '-3'], flags, 'evaluate')).message, '--workers must be 0 or a positive integer, got "-3" (see: npm run evaluate -- --help)');
  assert.is(userError(() => parseFlags(['--models-dir', '-x'], flags, 'evaluate')).message, '--models-dir "-x": a value starting with "-" looks like a flag; write --models-dir=-x if it is the value (see: npm run evaluate -- --help)');
  // The explicit form reaches the number check.
  assert.is(userError(() => positiveIntegerFlag(parseFlags(['--batch-size=-1'], flags, 'evaluate').values['batch-size'], 'batch-size', 64)).message, '--batch-size must be a positive integer in plain decimal digits, got "-1"');
});

test('a list flag given but naming nothing is an error, not the default', () => {
  assert.equal(listFlag(undefined, 'datasets'), []);
  assert.equal(listFlag(['a,b', ' b ,c'], 'datasets'), ['a', 'b', 'c']);
  assert.is(userError(() => listFlag(',,', 'datasets')).message, '--datasets ",," names nothing; give names separated by commas, or leave the flag out for the default');
  assert.match(userError(() => parseEvaluateArguments(['--datasets', ',,'])).message, /^--datasets ",," names nothing/);
  assert.match(userError(() => parseEvaluateArguments(['--model', ' , '])).message, /^--model " , " names nothing/);
  assert.match(userError(() => parseEvaluateArguments(['--batch-size', '0x10'])).message, /^--batch-size must be a positive integer in plain decimal digits, got "0x10"$/);
  assert.match(userError(() => parseEvaluateArguments(['--max-image-pixels', '1e9'])).message, /^--max-image-pixels must be a positive integer/);
  const request = parseEvaluateArguments(['--max-image-pixels', '200000000', '--model', 'Llama3-MS-CLIP-Base']);
  assert.ok(request !== 'help');
  assert.is(request.maxImagePixels, 200_000_000);
});

test.run();
