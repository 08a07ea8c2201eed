import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { C_GRID, selectC } from '../../../tasks/few-shot/select-c.ts';
import { singleLabelData } from './synthetic.ts';

const data = singleLabelData(120, 16, 3, 0.6, 21);
const trainRows = Array.from({ length: 30 }, (_, index) => index);

test('the grid is 1e-3..1e3 by decades', () => {
  assert.equal([...C_GRID], [0.001, 0.01, 0.1, 1, 10, 100, 1000]);
});

test('with val: every C scored on val, the best (acc1, then log loss) chosen', () => {
  const valRows = Array.from({ length: 40 }, (_, index) => 80 + index);
  const selection = selectC({ pool: data, trainRows, valRows, labelKind: 'single-label', classCount: 3, seed: 0 });
  assert.is(selection.source, 'val');
  assert.is(selection.grid!.length, 7);
  const best = Math.max(...selection.grid!.map((candidate) => candidate.score!));
  const winners = selection.grid!.filter((candidate) => candidate.score === best);
  assert.is(selection.C, winners.reduce((a, b) => (b.logLoss < a.logLoss ? b : a)).C);
});

test('without val: a seeded fold of the draw, the same choice every time', () => {
  const first = selectC({ pool: data, trainRows, labelKind: 'single-label', classCount: 3, seed: 4 });
  assert.is(first.source, 'fold');
  assert.equal(selectC({ pool: data, trainRows, labelKind: 'single-label', classCount: 3, seed: 4 }), first);
});

test('a class with fewer than 2 images in the draw: C = 1, and the note says why', () => {
  const selection = selectC({ pool: data, trainRows: [0, 1, 2, 3, 6], labelKind: 'single-label', classCount: 3, seed: 0 });
  assert.is(selection.C, 1);
  assert.is(selection.source, 'default');
  assert.match(selection.note!, /2 classes have fewer than 2 images in the training draw \(classes 1, 2\)/);
});

test.run();
