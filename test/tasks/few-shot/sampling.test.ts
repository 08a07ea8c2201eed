import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../../../core/errors.ts';
import { neededIndices, planDraws, Random, randomStream, seededSplit, trainTestSplit } from '../../../tasks/few-shot/sampling.ts';

/** 3 classes of 10, 6 and 2 images, interleaved in the listing. */
const labels = [...Array.from({ length: 10 }, () => [0]), ...Array.from({ length: 6 }, () => [1]), [2], [2]]
  .map((entry, index, all) => all[(index * 7) % all.length]);
const byClass = (indices: Int32Array): number[] => [0, 1, 2].map((c) => Array.from(indices).filter((index) => labels[index][0] === c).length);

test('the generator is mulberry32: fixed first outputs for seed 0 and for a named stream', () => {
  const random = new Random(0);
  assert.equal([random.next(), random.next(), random.next()].map((value) => Math.round(value * 2 ** 32)), [1144304738, 1416247, 958946056]);
  assert.is(Math.round(randomStream('shots', 0, 0).next() * 2 ** 32), Math.round(randomStream('shots', 0, 0).next() * 2 ** 32));
  assert.is.not(randomStream('shots', 0, 0).next(), randomStream('shots', 1, 0).next());
});

test('draws are deterministic, golden, stratified, nested and capped', () => {
  const plan = () => planDraws({ labels, classCount: 3, labelKind: 'single-label', budgets: [5, 1, 2, 'all'], budgetKind: 'per-class', seeds: 2 });
  const draws = plan();
  assert.equal(plan(), draws, 'same inputs, same draws');
  assert.equal(draws.map((draw) => `${draw.budget}/${draw.seed}`), ['1/0', '1/1', '2/0', '2/1', '5/0', '5/1', 'all/0']);
  // Golden: a change here changes every published curve.
  assert.equal(Array.from(draws[0].trainIndices), [10, 13, 15]);
  assert.equal(Array.from(draws[4].trainIndices), [1, 2, 4, 5, 6, 7, 8, 9, 10, 13, 15, 17]);
  assert.equal(byClass(draws[0].trainIndices), [1, 1, 1]);
  assert.equal(byClass(draws[4].trainIndices), [5, 5, 2]);
  assert.is(draws[4].capped, true, 'class 2 has only 2 images');
  assert.is(draws[2].capped, false);
  for (const seed of [0, 1]) {
    const [one, two, five] = [1, 2, 5].map((budget) => draws.find((draw) => draw.budget === budget && draw.seed === seed)!.trainIndices);
    assert.ok(Array.from(one).every((index) => two.includes(index)) && Array.from(two).every((index) => five.includes(index)), 'nested budgets');
  }
  assert.equal(Array.from(draws[6].trainIndices), Array.from(labels.keys()));
  for (const draw of draws) assert.equal(Array.from(draw.trainIndices), Array.from(draw.trainIndices).sort((a, b) => a - b), 'ascending');
});

test('adding a budget or a seed does not change the other draws', () => {
  const small = planDraws({ labels, classCount: 3, labelKind: 'single-label', budgets: [2], budgetKind: 'per-class', seeds: 1 });
  const large = planDraws({ labels, classCount: 3, labelKind: 'single-label', budgets: [1, 2, 3], budgetKind: 'per-class', seeds: 4 });
  assert.equal(large.find((draw) => draw.budget === 2 && draw.seed === 0)!.trainIndices, small[0].trainIndices);
});

test('total budgets draw at random from the whole pool; the union is what to embed', () => {
  const draws = planDraws({ labels, classCount: 3, labelKind: 'single-label', budgets: [4, 30], budgetKind: 'total', seeds: 2 });
  assert.equal(draws.map((draw) => draw.trainIndices.length), [4, 4, 18, 18]);
  assert.equal(draws.map((draw) => draw.capped), [false, false, true, true]);
  const union = neededIndices(draws.slice(0, 2));
  assert.equal(Array.from(union), [...new Set([...draws[0].trainIndices, ...draws[1].trainIndices])].sort((a, b) => a - b));
});

test('bad plans are user errors naming the flag', () => {
  const plan = (overrides: object) => () => planDraws({ labels, classCount: 3, labelKind: 'single-label', budgets: [1], budgetKind: 'per-class', seeds: 1, ...overrides });
  assert.throws(plan({ labelKind: 'multi-label' }), (error: unknown) => error instanceof UserError && /--shots .* use --labels/.test(error.message));
  assert.throws(plan({ budgets: [0] }), (error: unknown) => error instanceof UserError && /--shots: budgets are whole numbers/.test(error.message));
  assert.throws(plan({ seeds: 0 }), (error: unknown) => error instanceof UserError && /--seeds/.test(error.message));
});

test('the seeded 80/20 split is stratified, disjoint, complete and deterministic', () => {
  const { train, test: held } = trainTestSplit(labels, 3, 'single-label');
  assert.equal(byClass(held), [2, 1, 1]);
  assert.equal(byClass(train), [8, 5, 1]);
  assert.equal([...train, ...held].sort((a, b) => a - b), Array.from(labels.keys()));
  assert.equal(trainTestSplit(labels, 3, 'single-label'), { train, test: held });
  const multi = seededSplit({ labels: Array.from({ length: 50 }, (_, index) => (index % 3 ? [0, 2] : [])), classCount: 3, labelKind: 'multi-label', fraction: 0.2, purpose: 'split', seed: 0 });
  assert.is(multi.heldOut.length, 10);
  assert.is(multi.kept.length, 40);
});

test.run();
