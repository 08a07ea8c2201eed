/**
 * `--probe-c auto`: the logistic regression's C, chosen per draw from a log grid:
 *
 * 1. with a `val` split: fit the draw at every C, score on `val`;
 * 2. else, when every class has at least 2 images in the draw (multi-label: 2 positive
 *    images): a seeded, stratified 80/20 fold of the draw (at least one image of each
 *    class held out and one kept), fit the kept part, score the held-out part;
 * 3. else C = 1 (sklearn's default), and the result says why.
 *
 * Score: acc1 (single-label) or macro mAP (multi-label, classes with a held-out positive;
 * multi-label folds are not stratified); ties go to the lower mean log loss, then to the
 * smaller C (more regularisation).
 */
import { multiLabelPredictionMetrics, singleLabelPredictionMetrics } from '../../metrics/predictions.ts';
import { fitLogisticProbe, type Pool } from './logreg-probe.ts';
import { seededSplit } from './sampling.ts';
import type { LabelKind } from './types.ts';

/** 1e-3 .. 1e3, one point per decade. */
export const C_GRID = [1e-3, 1e-2, 1e-1, 1, 10, 100, 1000] as const;
export const DEFAULT_C = 1;
const FOLD_FRACTION = 0.2;
/** Probabilities are clipped here in the log loss (sklearn's log_loss clips at eps too). */
const PROBABILITY_FLOOR = 1e-15;

export interface CCandidate {
  C: number;
  score: number | null;
  logLoss: number;
}

export interface CSelection {
  C: number;
  /** `fixed`: given; `val` / `fold`: chosen on that split; `default`: 1, nothing to choose on. */
  source: 'fixed' | 'val' | 'fold' | 'default';
  grid?: CCandidate[];
  note?: string;
}

export interface SelectCOptions {
  pool: Pool;
  trainRows: ArrayLike<number>;
  valRows?: ArrayLike<number>;
  labelKind: LabelKind;
  classCount: number;
  /** The draw's seed: names the fold's random stream. */
  seed: number;
}

function evaluate(options: SelectCOptions, fitRows: ArrayLike<number>, scoreRows: ArrayLike<number>, C: number): CCandidate {
  const { pool, labelKind, classCount } = options;
  const probe = fitLogisticProbe({ pool, trainRows: fitRows, labelKind, classCount, C });
  const { predictions, scores } = probe.predict(scoreRows);
  const n = scoreRows.length;
  let loss = 0;
  if (labelKind === 'single-label') {
    const targets = Int32Array.from(scoreRows, (row) => pool.labels[row][0]);
    targets.forEach((target, index) => { loss -= Math.log(Math.max(scores[index * classCount + target], PROBABILITY_FLOOR)); });
    return { C, score: singleLabelPredictionMetrics(predictions as Int32Array, targets, classCount).acc1, logLoss: loss / n };
  }
  const targets = new Uint8Array(n * classCount);
  Array.from(scoreRows).forEach((row, index) => { for (const label of pool.labels[row]) targets[index * classCount + label] = 1; });
  for (let index = 0; index < targets.length; index++) {
    const p = Math.min(Math.max(scores[index], PROBABILITY_FLOOR), 1 - PROBABILITY_FLOOR);
    loss -= targets[index] ? Math.log(p) : Math.log(1 - p);
  }
  const metrics = multiLabelPredictionMetrics(predictions as Uint8Array, scores, targets, n, classCount);
  return { C, score: metrics.macro_mAP, logLoss: loss / targets.length };
}

const better = (a: CCandidate, b: CCandidate): boolean => {
  const scoreA = a.score ?? -Infinity;
  const scoreB = b.score ?? -Infinity;
  if (scoreA !== scoreB) return scoreA > scoreB;
  if (a.logLoss !== b.logLoss) return a.logLoss < b.logLoss;
  return a.C < b.C;
};

function choose(grid: CCandidate[], source: 'val' | 'fold'): CSelection {
  const best = grid.reduce((winner, candidate) => (better(candidate, winner) ? candidate : winner));
  return { C: best.C, source, grid };
}

export function selectC(options: SelectCOptions): CSelection {
  const { pool, trainRows, valRows, labelKind, classCount, seed } = options;
  if (valRows !== undefined && valRows.length > 0) {
    return choose(C_GRID.map((C) => evaluate(options, trainRows, valRows, C)), 'val');
  }
  const perClass = new Int32Array(classCount);
  for (const row of Array.from(trainRows)) for (const label of pool.labels[row]) perClass[label]++;
  const short = [...perClass.keys()].filter((classIndex) => perClass[classIndex] < 2);
  if (short.length > 0) {
    return {
      C: DEFAULT_C, source: 'default',
      note: `C = ${DEFAULT_C}: no val split and ${short.length} class${short.length === 1 ? ' has' : 'es have'} fewer than 2 images in the training draw (classes ${short.join(', ')})`,
    };
  }
  const drawLabels = Array.from(trainRows, (row) => pool.labels[row]);
  const { kept, heldOut } = seededSplit({ labels: drawLabels, classCount, labelKind, fraction: FOLD_FRACTION, purpose: 'fold', seed });
  const fitRows = Array.from(kept, (position) => trainRows[position]);
  const scoreRows = Array.from(heldOut, (position) => trainRows[position]);
  return choose(C_GRID.map((C) => evaluate(options, fitRows, scoreRows, C)), 'fold');
}
