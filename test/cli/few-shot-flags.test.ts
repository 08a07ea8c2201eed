// evaluate's few-shot and split flags -> the tasks' settings: defaults from
// cli/defaults.ts, comma lists, `all`, --labels alone switching single-label datasets to
// total budgets, the CLIP_benchmark aliases, and one-line usage errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseEvaluateArguments, type EvaluateCommandRequest } from '../../cli/commands/evaluate.ts';
import { DEFAULTS } from '../../cli/defaults.ts';
import { TASKS } from '../../tasks/index.ts';

const parse = (...argv: string[]): EvaluateCommandRequest => {
  const request = parseEvaluateArguments(['--model', 'Demo-MS-CLIP-Tiny', '--demo', ...argv]);
  if (request === 'help') throw new Error('help');
  return request;
};

test('defaults: zero-shot on every image; few-shot budgets, seeds, probes and C from cli/defaults.ts', () => {
  const request = parse();
  assert.equal(request.tasks, ['zero-shot']);
  assert.is(request.split, 'all');
  assert.equal(request.fewShot, {
    shots: [1, 2, 5, 10, 20, 50, 100, 'all'], labels: [10, 20, 50, 100, 200, 500, 1000], singleLabelBudget: 'per-class',
    seeds: 10, probes: ['logreg', 'knn'], C: 'auto', valLimit: DEFAULTS.fewShotValLimit,
  });
});

test('comma lists, repeats, aliases and all', () => {
  const request = parse('--task', 'linear_probe,zeroshot_classification', '--shots', '1,2', '--shots', 'all', '--seeds', '3', '--probe', 'knn', '--probe-c', '0.5', '--split', 'test');
  assert.equal(request.tasks.map((name) => TASKS.find(name).name), ['few-shot', 'zero-shot']);
  assert.equal(request.fewShot.shots, [1, 2, 'all']);
  assert.is(request.fewShot.singleLabelBudget, 'per-class');
  assert.equal([request.fewShot.seeds, request.fewShot.probes, request.fewShot.C, request.split], [3, ['knn'], 0.5, 'test']);
  const labelsOnly = parse('--labels', '5,50');
  assert.equal([labelsOnly.fewShot.labels, labelsOnly.fewShot.singleLabelBudget], [[5, 50], 'total']);
  assert.is(parse('--labels', '5', '--shots', '1').fewShot.singleLabelBudget, 'per-class');
});

test('bad values are one-line usage errors', () => {
  for (const [argv, pattern] of [
    [['--shots', '1,two'], /^--shots: "two" is not a budget/],
    [['--shots', '0'], /^--shots: "0" is not a budget/],
    [["--labels", ","], /^--labels "," names nothing/],
    [['--seeds', '0'], /^--seeds must be a positive integer/],
    [['--probe', 'svm'], /^unknown probe "svm":/],
    [['--probe', 'kn'], /did you mean "knn"\?/],
    [['--probe-c', '0'], /^--probe-c must be "auto" or a positive number/],
    [['--probe-c', 'big'], /^--probe-c must be "auto" or a positive number/],
    [['--split', 'val'], /^--split must be "test"/],
  ] as [string[], RegExp][]) {
    assert.throws(() => parse(...argv), (error: Error) => pattern.test(error.message) && !error.message.includes('\n'), argv.join(' '));
  }
  assert.throws(() => TASKS.find('few-shots'), /did you mean "few-shot"\?/);
});

test.run();
