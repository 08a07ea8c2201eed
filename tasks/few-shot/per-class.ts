/**
 * A few-shot record's `per_class`: each class's values averaged over the draws of the
 * largest budget (draws where a value is undefined are left out of its mean).
 *
 * - accuracy: single-label, the class's recall (the reference's class accuracy);
 *   multi-label, the share of test images whose 0/1 decision for the class is right;
 * - precision, recall, F1 of the probe's decisions;
 * - ap: the class's average precision ranking every test image by the probe's score
 *   (sklearn's average_precision_score, as macro_mAP), not the zero-shot AP@100;
 *   ap_tm19 is undefined here.
 */
import { precisionRecallF1 } from '../../metrics/classification.ts';
import { averagePrecision, type PerClass } from '../../metrics/index.ts';
import type { TaskInput } from '../task.ts';
import type { ProbeResult } from './probe.ts';

type Values = Omit<PerClass, 'ap_tm19'>;

function drawPerClass(result: ProbeResult, input: Pick<TaskInput, 'labels' | 'labelKind' | 'classes'>, testRows: ArrayLike<number>): Values[] {
  const classCount = input.classes.length;
  const tests = testRows.length;
  const relevant = new Uint8Array(tests * classCount);
  for (let image = 0; image < tests; image++) for (const label of input.labels[testRows[image]]) relevant[image * classCount + label] = 1;
  const decided = new Uint8Array(tests * classCount);
  if (input.labelKind === 'single-label') {
    const predictions = result.predictions as Int32Array;
    for (let image = 0; image < tests; image++) decided[image * classCount + predictions[image]] = 1;
  } else {
    decided.set(result.predictions);
  }
  return input.classes.map((_, c) => {
    let truePositives = 0;
    let predicted = 0;
    let actual = 0;
    let agreeing = 0;
    const scores = new Float64Array(tests);
    const column = new Uint8Array(tests);
    for (let image = 0; image < tests; image++) {
      const at = image * classCount + c;
      predicted += decided[at];
      actual += relevant[at];
      truePositives += decided[at] & relevant[at];
      agreeing += decided[at] === relevant[at] ? 1 : 0;
      scores[image] = result.scores[at];
      column[image] = relevant[at];
    }
    const values = precisionRecallF1({ truePositives, predicted, actual });
    const accuracy = input.labelKind === 'single-label' ? (actual > 0 ? truePositives / actual : NaN) : agreeing / tests;
    return { accuracy, ap: averagePrecision(scores, column), ...values };
  });
}

export function perClassOfDraws(results: readonly ProbeResult[], input: Pick<TaskInput, 'labels' | 'labelKind' | 'classes'>, testRows: ArrayLike<number>): PerClass[] {
  const draws = results.map((result) => drawPerClass(result, input, testRows));
  const mean = (values: number[]): number => {
    const finite = values.filter(Number.isFinite);
    return finite.length === 0 ? NaN : finite.reduce((sum, value) => sum + value, 0) / finite.length;
  };
  return input.classes.map((_, c) => ({
    accuracy: mean(draws.map((draw) => draw[c].accuracy)),
    ap: mean(draws.map((draw) => draw[c].ap)),
    ap_tm19: NaN,
    precision: mean(draws.map((draw) => draw[c].precision)),
    recall: mean(draws.map((draw) => draw[c].recall)),
    f1: mean(draws.map((draw) => draw[c].f1)),
  }));
}
