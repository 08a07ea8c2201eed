/**
 * models-demo/metrics.json: what the committed demo bundles score on the demo test
 * suite, and the two checks demo:train runs on a fresh training run - the demo
 * targets, and reproduction of the committed numbers within the file's tolerance.
 */
import type { DemoSizes } from '../../datasets/demo/generate.ts';
import type { DemoModelMetrics } from './evaluate-demo.ts';

export interface DemoMetricsFile {
  description: string;
  generator: { version: number; seed: number; test: DemoSizes; train: DemoSizes };
  templates: string;
  /** Largest accepted absolute difference of any compared metric (fractions 0..1). */
  tolerance: number;
  models: Record<string, DemoModelMetrics>;
  training: { seconds: Record<string, number>; threads: number };
}

/** The metrics reproduction is checked on: the leaderboard's axes and the non-visible classes. */
const COMPARED = ['acc1', 'mean_per_class_recall', 'mAP', 'Average_class_accuracy', 'Ave_mAP'] as const;

export interface CheckResult {
  ok: boolean;
  lines: string[];
}

const percent = (value: number): string => `${(100 * value).toFixed(1)}%`;

export function compareMetrics(committed: DemoMetricsFile, fresh: DemoMetricsFile): CheckResult {
  const lines: string[] = [];
  let ok = true;
  for (const [model, expected] of Object.entries(committed.models)) {
    const actual = fresh.models[model];
    if (!actual) {
      lines.push(`${model}: missing from this run`);
      ok = false;
      continue;
    }
    const pairs: [string, number | null | undefined, number | null | undefined][] = [['EuroSAT non-visible classes recall', expected.nonVisibleRecall, actual.nonVisibleRecall]];
    for (const [dataset, metrics] of Object.entries(expected.datasets)) {
      for (const key of COMPARED) if (key in metrics) pairs.push([`${dataset} ${key}`, metrics[key], actual.datasets[dataset]?.[key]]);
    }
    for (const [label, before, after] of pairs) {
      if (typeof before !== 'number' || typeof after !== 'number') continue;
      const difference = Math.abs(after - before);
      const within = difference <= committed.tolerance;
      ok &&= within;
      lines.push(`${within ? 'ok  ' : 'DIFF'} ${model} ${label}: committed ${percent(before)}, now ${percent(after)}`);
    }
  }
  return { ok, lines };
}

/**
 * The demo's promises: every model far above chance on every dataset (single-label
 * acc1 at least twice chance, retrieval mAP at least twice the positive rate,
 * multi-label class accuracy above the random-logit 0.5), and the MS model ahead of
 * the RGB one on the classes only non-visible bands separate.
 */
export function checkTargets(metrics: DemoMetricsFile, options: { ms?: string; rgb?: string } = {}): CheckResult {
  const lines: string[] = [];
  let ok = true;
  const check = (condition: boolean, line: string): void => {
    ok &&= condition;
    lines.push(`${condition ? 'target ok  ' : 'target MISS'} ${line}`);
  };
  for (const [model, result] of Object.entries(metrics.models)) {
    for (const [dataset, values] of Object.entries(result.datasets)) {
      const chance = result.chance[dataset];
      const classification = (values.acc1 ?? values.Average_class_accuracy) as number;
      const retrieval = (values.mAP ?? values.Ave_mAP) as number;
      const multiLabel = values.acc1 === undefined;
      const classificationGoal = multiLabel ? chance.classification : 2 * chance.classification;
      check(classification >= classificationGoal, `${model} ${dataset} ${multiLabel ? 'Average_class_accuracy' : 'acc1'} ${percent(classification)} (goal >= ${percent(classificationGoal)})`);
      check(retrieval >= 2 * chance.retrieval, `${model} ${dataset} ${multiLabel ? 'Ave_mAP' : 'mAP'} ${percent(retrieval)} (goal >= ${percent(2 * chance.retrieval)}, twice the positive rate)`);
    }
  }
  const ms = metrics.models[options.ms ?? 'Demo-MS-CLIP-Tiny'];
  const rgb = metrics.models[options.rgb ?? 'Demo-RGB-CLIP-Tiny'];
  if (ms && rgb) {
    check(ms.nonVisibleRecall > rgb.nonVisibleRecall, `MS beats RGB on the classes only non-visible bands separate: ${percent(ms.nonVisibleRecall)} vs ${percent(rgb.nonVisibleRecall)}`);
  }
  return { ok, lines };
}
