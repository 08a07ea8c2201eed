import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fitLogisticProbe } from '../../../tasks/few-shot/logreg-probe.ts';
import { multiLabelData, singleLabelData } from './synthetic.ts';

const single = singleLabelData(80, 10, 5, 1.0, 11);

test('single-label: only the classes of the draw are fitted and predicted; absent ones score 0', () => {
  const trainRows = Array.from({ length: 60 }, (_, index) => index).filter((row) => single.labels[row][0] !== 2 && single.labels[row][0] !== 4);
  const probe = fitLogisticProbe({ pool: single, trainRows, labelKind: 'single-label', classCount: 5, C: 1 });
  assert.equal(probe.outputClasses, [0, 1, 3]);
  const { predictions, scores } = probe.predict([60, 61, 62, 63, 64, 65]);
  assert.ok(Array.from(predictions).every((c) => [0, 1, 3].includes(c)));
  for (let test = 0; test < 6; test++) {
    const row = Array.from(scores.subarray(test * 5, test * 5 + 5));
    assert.is(row[2], 0);
    assert.is(row[4], 0);
    assert.ok(Math.abs(row.reduce((sum, value) => sum + value, 0) - 1) < 1e-12);
    assert.is(predictions[test], row.indexOf(Math.max(...row)));
  }
});

test('single-label with two classes: sklearn\'s binary fit, the higher class when the decision is > 0', () => {
  const trainRows = [0, 3, 5, 8, 10, 13, 15, 18];
  const probe = fitLogisticProbe({ pool: single, trainRows, labelKind: 'single-label', classCount: 5, C: 1 });
  assert.equal(probe.outputClasses, [3]);
  assert.is(probe.model!.outputs, 1);
  const { predictions, scores } = probe.predict([20, 23, 25]);
  for (let test = 0; test < 3; test++) {
    assert.ok(Math.abs(scores[test * 5] + scores[test * 5 + 3] - 1) < 1e-15);
    assert.is(predictions[test], scores[test * 5 + 3] > 0.5 ? 3 : 0);
  }
});

test('single-label with one class: every image gets it, and a note says why', () => {
  const probe = fitLogisticProbe({ pool: single, trainRows: [1, 6, 11], labelKind: 'single-label', classCount: 5, C: 1 });
  assert.is(probe.model, undefined);
  assert.match(probe.notes[0], /only class 1/);
  const { predictions, scores } = probe.predict([0, 2]);
  assert.equal(Array.from(predictions), [1, 1]);
  assert.equal(Array.from(scores), [0, 1, 0, 0, 0, 0, 1, 0, 0, 0]);
});

test('multi-label: one binary fit per class; a class constant in the draw is predicted as that constant', () => {
  const multi = multiLabelData(60, 10, 4, 0.4, 5);
  const trainRows = Array.from({ length: 40 }, (_, index) => index);
  const labels = multi.labels.map((row, index) => (index < 40 ? row.filter((c) => c !== 3) : row)); // class 3 absent from training
  const probe = fitLogisticProbe({ pool: { ...multi, labels }, trainRows, labelKind: 'multi-label', classCount: 4, C: 1 });
  assert.equal(probe.outputClasses, [0, 1, 2]);
  assert.match(probe.notes[0], /classes 3 are all absent/);
  const { predictions, scores } = probe.predict([40, 41, 42]);
  for (let test = 0; test < 3; test++) {
    assert.is(predictions[test * 4 + 3], 0);
    assert.is(scores[test * 4 + 3], 0);
    for (let c = 0; c < 3; c++) assert.is(predictions[test * 4 + c], scores[test * 4 + c] > 0.5 ? 1 : 0);
  }
});

test.run();
