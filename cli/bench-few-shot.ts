/**
 * The few-shot part of `npm run bench` (issue 13's speed target), on a EuroSAT-sized
 * split of synthetic embeddings: 16,200 training and 5,400 test unit vectors of 512,
 * 10 classes (weak class clusters, so that fits take realistic iteration counts):
 *
 * 1. budgets 1, 2, 5, 10, 20, 50, 100 per class x 10 draws, kNN and logreg (C = 1):
 *    target under 60 s for both probes together;
 * 2. `all` (the whole training split) once per probe: target under 60 s more.
 * Medians over the repeats; embeddings come from memory, as from a warm store.
 */
import { planDraws, runCurve, type ProbeName } from '../tasks/few-shot/index.ts';
import { randomStream } from '../tasks/few-shot/sampling.ts';
import { median } from './bench-support.ts';

export const FEW_SHOT_BENCH = {
  train: 16200, test: 5400, dimension: 512, classes: 10, seeds: 10,
  budgets: [1, 2, 5, 10, 20, 50, 100], targetSeconds: 60, C: 1,
} as const;
const CLASS_SIGNAL = 0.12;

interface Timings {
  budgets: Record<ProbeName, number>;
  all: Record<ProbeName, number>;
  /** acc1 at 100 per class (mean over draws) and with all, per probe: a sanity check. */
  acc1: Record<string, number>;
}

function syntheticSplit(): { embeddings: Float32Array; labels: number[][] } {
  const { train, test, dimension, classes } = FEW_SHOT_BENCH;
  const random = randomStream('bench-few-shot', 0);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  const means = Array.from({ length: classes }, () => Float64Array.from({ length: dimension }, gaussian));
  const rows = train + test;
  const embeddings = new Float32Array(rows * dimension);
  const row = new Float64Array(dimension);
  for (let index = 0; index < rows; index++) {
    let squares = 0;
    for (let k = 0; k < dimension; k++) {
      row[k] = gaussian() + CLASS_SIGNAL * means[index % classes][k];
      squares += row[k] * row[k];
    }
    const norm = Math.sqrt(squares);
    for (let k = 0; k < dimension; k++) embeddings[index * dimension + k] = row[k] / norm;
  }
  return { embeddings, labels: Array.from({ length: rows }, (_, index) => [index % classes]) };
}

function timeOnce(split: ReturnType<typeof syntheticSplit>): Timings {
  const { train, test, dimension, classes, seeds, budgets, C } = FEW_SHOT_BENCH;
  const draws = planDraws({ labels: split.labels.slice(0, train), classCount: classes, labelKind: 'single-label', budgets, budgetKind: 'per-class', seeds });
  const base = {
    embeddings: split.embeddings, dimension, labels: split.labels, classes: Array.from({ length: classes }, (_, c) => `class ${c}`),
    labelKind: 'single-label' as const, testRows: Int32Array.from({ length: test }, (_, index) => train + index), C,
  };
  const timings: Timings = { budgets: { knn: 0, logreg: 0 }, all: { knn: 0, logreg: 0 }, acc1: {} };
  for (const probe of ['knn', 'logreg'] as const) {
    let started = performance.now();
    const results = runCurve({ ...base, probe, draws: draws.map((draw) => ({ trainRows: draw.trainIndices, seed: draw.seed })) });
    timings.budgets[probe] = (performance.now() - started) / 1000;
    const largest = results.filter((_, index) => draws[index].budget === budgets.at(-1));
    timings.acc1[`${probe} ${budgets.at(-1)}/class`] = largest.reduce((sum, result) => sum + result.metrics.acc1!, 0) / largest.length;
    started = performance.now();
    const [all] = runCurve({ ...base, probe, draws: [{ trainRows: Int32Array.from({ length: train }, (_, index) => index), seed: 0 }] });
    timings.all[probe] = (performance.now() - started) / 1000;
    timings.acc1[`${probe} all`] = all.metrics.acc1!;
  }
  return timings;
}

export interface FewShotBenchResult {
  summary: Record<string, unknown>;
  lines: string[];
}

export function benchFewShot(repeats: number, log: (line: string) => void): FewShotBenchResult {
  const { train, test, dimension, classes, seeds, budgets, targetSeconds } = FEW_SHOT_BENCH;
  log(`bench few-shot: ${train} training / ${test} test embeddings of ${dimension}, ${classes} classes; budgets ${budgets.join(',')} per class x ${seeds} draws, and all; median of ${repeats}`);
  const split = syntheticSplit();
  const runs: Timings[] = [];
  for (let run = 0; run < repeats; run++) {
    runs.push(timeOnce(split));
    const last = runs.at(-1)!;
    log(`  run ${run + 1}/${repeats}: budgets knn ${last.budgets.knn.toFixed(1)} s, logreg ${last.budgets.logreg.toFixed(1)} s; all knn ${last.all.knn.toFixed(1)} s, logreg ${last.all.logreg.toFixed(1)} s`);
  }
  const pick = (phase: 'budgets' | 'all', probe: ProbeName) => median(runs.map((run) => run[phase][probe]));
  const totals = { budgets: median(runs.map((run) => run.budgets.knn + run.budgets.logreg)), all: median(runs.map((run) => run.all.knn + run.all.logreg)) };
  const summary = {
    train, test, dimension, classes, seeds, budgets, repeats,
    seconds: {
      budgets: { knn: pick('budgets', 'knn'), logreg: pick('budgets', 'logreg'), total: totals.budgets },
      all: { knn: pick('all', 'knn'), logreg: pick('all', 'logreg'), total: totals.all },
    },
    acc1: runs[0].acc1,
  };
  const verdict = (seconds: number): string => (seconds < targetSeconds ? `under the ${targetSeconds} s target` : `OVER the ${targetSeconds} s target`);
  const lines = [
    `few-shot, budgets ${budgets[0]}..${budgets.at(-1)}/class x ${seeds} draws: knn ${summary.seconds.budgets.knn.toFixed(1)} s + logreg ${summary.seconds.budgets.logreg.toFixed(1)} s = ${totals.budgets.toFixed(1)} s (${verdict(totals.budgets)})`,
    `few-shot, all (${train} training) once:     knn ${summary.seconds.all.knn.toFixed(1)} s + logreg ${summary.seconds.all.logreg.toFixed(1)} s = ${totals.all.toFixed(1)} s (${verdict(totals.all)})`,
  ];
  return { summary, lines };
}
