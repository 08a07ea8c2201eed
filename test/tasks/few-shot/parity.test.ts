/**
 * Our few-shot probes against scikit-learn (scripts/parity/fewshot.py) on the same
 * embeddings and training rows, as issue 13 checks them:
 *  - kNN: identical test predictions (and, multi-label, identical neighbour shares);
 *  - logistic regression: coefficients close, at most one test prediction different;
 *  - the metrics of our predictions equal sklearn's metrics of the same predictions.
 * Single-label (7 classes; also 2 classes, sklearn's binary fit), multi-label (6 labels),
 * draws from planDraws. Skipped, with the reason, when the Python environment is missing.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ensurePythonEnvironment } from '../../../adapters/export/python-env.mjs';
import { encodeNpy } from '../../../core/npy.ts';
import { fitLogisticProbe } from '../../../tasks/few-shot/logreg-probe.ts';
import { planDraws, runCurve, trainTestSplit, type Budget, type BudgetKind, type ProbeResult } from '../../../tasks/few-shot/index.ts';
import type { LabelKind } from '../../../tasks/few-shot/types.ts';
import { projectRoot } from '../../support/inference.ts';
import { multiLabelData, singleLabelData, type Synthetic } from './synthetic.ts';

const COEFFICIENT_TOLERANCE = 1e-4; // relative to the largest |coefficient| (at least 1)
const METRIC_TOLERANCE = 1e-12;

function findPython(): { python?: string; reason?: string } {
  try {
    const python = ensurePythonEnvironment({ quiet: true });
    const check = spawnSync(python, ['-c', 'import sklearn, numpy'], { encoding: 'utf8' });
    return check.status === 0 ? { python } : { reason: `scikit-learn does not import in ${python}` };
  } catch (error) {
    return { reason: (error as Error).message };
  }
}

interface PythonCase {
  name: string;
  predictions: (number | number[])[];
  scores?: number[][];
  coef?: number[] | number[][];
  fitted?: number[];
  metrics: Record<string, number | null | number[]>;
  metrics_of_ours: Record<string, number | null | number[]>;
}

interface Scenario {
  name: string;
  data: Synthetic;
  labelKind: LabelKind;
  budgets: Budget[];
  budgetKind: BudgetKind;
  seeds: number;
  Cs: number[];
}

interface Prepared {
  scenario: Scenario;
  folder: string;
  testCount: number;
  ours: { name: string; probe: 'knn' | 'logreg'; C: number; trainRows: number[]; result: ProbeResult }[];
}

/** Runs our probes on the scenario's draws and writes the case folder for fewshot.py. */
function prepare(scenario: Scenario, work: string): Prepared {
  const { data, labelKind } = scenario;
  const classCount = data.classes.length;
  const { train, test: testRows } = trainTestSplit(data.labels, classCount, labelKind, 0);
  const draws = planDraws({ labels: Array.from(train, (row) => data.labels[row]), classCount, labelKind, budgets: scenario.budgets, budgetKind: scenario.budgetKind, seeds: scenario.seeds });
  const curveDraws = draws.map((draw) => ({ trainRows: Array.from(draw.trainIndices, (index) => train[index]), seed: draw.seed }));
  const base = { embeddings: data.embeddings, dimension: data.dimension, labels: data.labels, classes: data.classes, labelKind, testRows, draws: curveDraws };

  const ours: Prepared['ours'] = [];
  runCurve({ ...base, probe: 'knn', C: 1 }).forEach((result, index) => {
    ours.push({ name: `knn ${draws[index].budget}/${draws[index].seed}`, probe: 'knn', C: 1, trainRows: curveDraws[index].trainRows, result });
  });
  for (const C of scenario.Cs) {
    runCurve({ ...base, probe: 'logreg', C }).forEach((result, index) => {
      ours.push({ name: `logreg C=${C} ${draws[index].budget}/${draws[index].seed}`, probe: 'logreg', C, trainRows: curveDraws[index].trainRows, result });
    });
  }
  const folder = join(work, scenario.name.replace(/[^a-z0-9]+/gi, '-'));
  mkdirSync(folder);
  writeFileSync(join(folder, 'embeddings.npy'), encodeNpy(data.embeddings, [data.labels.length, data.dimension]));
  const unflatten = rowsOf(testRows.length, classCount);
  writeFileSync(join(folder, 'case.json'), JSON.stringify({
    label_kind: labelKind, classes: classCount, labels: data.labels,
    cases: ours.map(({ name, probe, C, trainRows, result }) => ({
      name, probe, C, train: trainRows, test: Array.from(testRows),
      ours: labelKind === 'single-label'
        ? { predictions: Array.from(result.predictions) }
        : { predictions: unflatten(result.predictions), scores: unflatten(result.scores) },
    })),
  }));
  return { scenario, folder, testCount: testRows.length, ours };
}

const rowsOf = (rows: number, columns: number) => (values: ArrayLike<number>): number[][] =>
  Array.from({ length: rows }, (_, row) => Array.from(values).slice(row * columns, (row + 1) * columns));

function compare(prepared: Prepared, cases: PythonCase[]): void {
  const { scenario, ours } = prepared;
  const { data, labelKind } = scenario;
  const classCount = data.classes.length;
  const unflatten = rowsOf(prepared.testCount, classCount);
  assert.is(cases.length, ours.length, 'one sklearn result per case');
  let logregDifferences = 0;
  let largestCoefficientError = 0;
  cases.forEach((reference, index) => {
    const { name, probe, C, trainRows, result } = ours[index];
    const where = `${scenario.name} ${name}`;
    const predicted = labelKind === 'single-label' ? Array.from(result.predictions) : unflatten(result.predictions);
    const differing = predicted.filter((value, row) => JSON.stringify(value) !== JSON.stringify(reference.predictions[row])).length;
    if (probe === 'knn') {
      assert.is(differing, 0, `${where}: ${differing} kNN predictions differ from sklearn`);
      if (reference.scores) assert.equal(unflatten(result.scores), reference.scores, `${where}: neighbour shares`);
    } else {
      assert.ok(differing <= 1, `${where}: ${differing} logreg predictions differ from sklearn (at most 1 allowed)`);
      logregDifferences += differing;
      const probeFit = fitLogisticProbe({ pool: data, trainRows, labelKind, classCount, C });
      const expectedOutputs = labelKind === 'single-label' && reference.fitted!.length === 2 ? [reference.fitted![1]] : reference.fitted;
      assert.equal(probeFit.outputClasses, labelKind === 'single-label' && reference.fitted!.length === 1 ? [] : expectedOutputs, `${where}: fitted classes`);
      const theirs = (reference.coef ?? []).flat();
      const mine = probeFit.model ? Array.from(probeFit.model.weights) : [];
      assert.is(mine.length, theirs.length, `${where}: coefficient count`);
      const scale = Math.max(1, ...theirs.map(Math.abs));
      const error = Math.max(0, ...theirs.map((value, k) => Math.abs(value - mine[k])));
      largestCoefficientError = Math.max(largestCoefficientError, error / scale);
      assert.ok(error <= COEFFICIENT_TOLERANCE * scale, `${where}: coefficients differ by ${error} (scale ${scale})`);
    }
    for (const [key, value] of Object.entries(result.metrics)) {
      const expected = reference.metrics_of_ours[key] as number | null;
      if (value === null || expected === null) assert.is(value, expected, `${where}: ${key}`);
      else assert.ok(Math.abs(value - expected) <= METRIC_TOLERANCE, `${where}: ${key} ${value} vs sklearn ${expected}`);
    }
    if (labelKind === 'multi-label') {
      assert.equal(result.excludedClasses, (reference.metrics_of_ours.excluded as number[]).map((c) => data.classes[c]), `${where}: excluded classes`);
    }
  });
  console.log(`  ${scenario.name}: ${cases.length} cases; logreg predictions differing from sklearn: ${logregDifferences}; largest coefficient error ${largestCoefficientError.toExponential(2)} (relative)`);
}

const { python, reason } = findPython();
const scenarios: Scenario[] = [
  { name: 'single-label, 7 classes', data: singleLabelData(700, 40, 7, 0.3), labelKind: 'single-label', budgets: [1, 2, 5, 20, 'all'], budgetKind: 'per-class', seeds: 3, Cs: [1, 0.05] },
  { name: 'single-label, 2 classes', data: singleLabelData(300, 24, 2, 0.25, 3), labelKind: 'single-label', budgets: [1, 5, 'all'], budgetKind: 'per-class', seeds: 3, Cs: [1, 20] },
  { name: 'single-label, total budgets', data: singleLabelData(400, 32, 5, 0.4, 4), labelKind: 'single-label', budgets: [3, 10, 60], budgetKind: 'total', seeds: 3, Cs: [1] },
  { name: 'multi-label, 6 labels', data: multiLabelData(500, 32, 6, 0.3), labelKind: 'multi-label', budgets: [10, 40, 'all'], budgetKind: 'total', seeds: 3, Cs: [1, 0.2] },
];

if (python === undefined) {
  console.log(`  SKIPPED: no scikit-learn to compare with (${reason})`);
  for (const scenario of scenarios) test.skip(scenario.name, () => {});
} else {
  // One Python process for every scenario: importing sklearn is most of its time.
  const work = mkdtempSync(join(tmpdir(), 'fewshot-parity-'));
  const prepared = scenarios.map((scenario) => prepare(scenario, work));
  let results: { cases: PythonCase[] }[] = [];
  test.before(() => {
    const run = spawnSync(python, [join(projectRoot, 'scripts/parity/fewshot.py'), ...prepared.map((entry) => entry.folder)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`fewshot.py failed:\n${run.stderr}`);
    results = (JSON.parse(run.stdout) as { results: { cases: PythonCase[] }[] }).results;
  });
  test.after(() => rmSync(work, { recursive: true, force: true }));
  prepared.forEach((entry, index) => test(entry.scenario.name, () => compare(entry, results[index].cases)));
}

test.run();
