import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { knnClassify } from '../../../tasks/few-shot/knn.ts';
import { randomStream } from '../../../tasks/few-shot/sampling.ts';

const range = (count: number, start = 0): number[] => Array.from({ length: count }, (_, index) => start + index);

test('equal similarities: the earlier training row is the neighbour; a tied vote goes to the lower class', () => {
  // Rows 0..5 are training images pointing at (0, 1), their classes 3 2 1 1 2 0; row 6
  // (class 4) points elsewhere; the test row 7 points at (0, 1) too.
  const embeddings = Float32Array.from([0, 1, 0, 2, 0, 3, 0, 1, 0, 1, 0, 1, 1, 0, 0, 5]);
  const labels = [[3], [2], [1], [1], [2], [0], [4], [0]];
  const classify = (draw: number[]) => knnClassify({ embeddings, dimension: 2, labels, classCount: 5, labelKind: 'single-label', testRows: [7], draws: [draw] })[0];
  // k = 5 of 7: rows 0-4 (classes 3 2 1 1 2): classes 1 and 2 tie with 2 votes, 1 wins.
  const first = classify(range(7));
  assert.is(first.neighbours, 5);
  assert.is(first.predictions[0], 1);
  assert.equal(Array.from(first.scores), [0, 0.4, 0.4, 0.2, 0]);
  // Training order decides: reversed, rows 6 5 4 3 2 1 0 -> neighbours 5 4 3 2 1 (classes 0 2 1 1 2).
  assert.equal(Array.from(classify(range(7).reverse()).scores), [0.2, 0.4, 0.4, 0, 0]);
  // k = min(5, n): two training rows, one vote each: the lower class.
  const two = classify([6, 0]);
  assert.is(two.neighbours, 2);
  assert.is(two.predictions[0], 3);
});

test('multi-label: a label when more than half of the k neighbours carry it', () => {
  const embeddings = Float32Array.from([1, 0, 1, 0.1, 1, 0.2, 1, 0.3, 0, 1, 1, 0]);
  const labels = [[0, 1], [0], [1, 2], [0], [2], []];
  const [four, three] = knnClassify({ embeddings, dimension: 2, labels, classCount: 3, labelKind: 'multi-label', testRows: [5], draws: [[0, 1, 2, 3], [0, 1, 2]] });
  assert.is(four.neighbours, 4);
  assert.equal(Array.from(four.predictions), [1, 0, 0], 'class 0: 3 of 4; class 1: 2 of 4 is not more than half');
  assert.equal(Array.from(four.scores), [0.75, 0.5, 0.25]);
  assert.equal(Array.from(three.predictions), [1, 1, 0], '2 of 3');
});

test('many draws in one pass give what each draw gives alone (blocks of 256 test rows, 4096 pool rows)', () => {
  const random = randomStream('knn-test', 0);
  const rows = 4500;
  const dimension = 6;
  const embeddings = Float32Array.from({ length: rows * dimension }, () => random.next() - 0.5);
  const labels = range(rows).map((row) => [row % 4]);
  const testRows = range(300, 4200);
  const draws = [range(4200).filter((row) => row % 3 === 0), range(4200).filter((row) => row % 7 === 1), [5, 9, 17]];
  const together = knnClassify({ embeddings, dimension, labels, classCount: 4, labelKind: 'single-label', testRows, draws });
  draws.forEach((draw, index) => {
    const [alone] = knnClassify({ embeddings, dimension, labels, classCount: 4, labelKind: 'single-label', testRows, draws: [draw] });
    assert.equal(together[index].predictions, alone.predictions);
    assert.equal(together[index].scores, alone.scores);
  });
  // Brute force for the first draw: sort by cosine similarity, then training position.
  const norm = (row: number) => Math.hypot(...embeddings.subarray(row * dimension, (row + 1) * dimension));
  const cosine = (a: number, b: number) => {
    let sum = 0;
    for (let k = 0; k < dimension; k++) sum += embeddings[a * dimension + k] * embeddings[b * dimension + k];
    return sum / norm(a) / norm(b);
  };
  for (const [position, testRow] of testRows.slice(0, 40).entries()) {
    const neighbours = draws[0].map((row, order) => ({ row, order, similarity: cosine(testRow, row) }))
      .sort((a, b) => b.similarity - a.similarity || a.order - b.order).slice(0, 5);
    const counts = [0, 1, 2, 3].map((c) => neighbours.filter((entry) => labels[entry.row][0] === c).length);
    assert.is(together[0].predictions[position], counts.indexOf(Math.max(...counts)));
  }
});

test.run();
