// runner/images.ts: the pools a task sees, and the items behind its requests - listing
// items keep their index, a split listed on demand is listed once (only what is asked
// for) and appended, skipped images are -1, and a zero-shot run encodes the listing in
// listing order without reading split files.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DatasetSplits } from '../../datasets/splits.ts';
import type { DatasetItem, DatasetListing } from '../../datasets/types.ts';
import { planDataset } from '../../runner/images.ts';
import type { EvaluationTask, ImageRequest, TaskImages, TaskOptions } from '../../tasks/index.ts';
import { zeroShot } from '../../tasks/zero-shot/index.ts';

const item = (id: string, labels: number[]): DatasetItem => ({ id, files: [`/data/${id}`], labels });
const listing: DatasetListing = {
  dataset: 'Multi', task: 'multi-label', root: '/data', classes: ['a', 'b'], skipped: [], demo: false,
  items: [item('t0', [0]), item('t1', [1]), item('t2', [0, 1])],
};
const taskOptions = { split: 'all', fewShot: { shots: [], labels: [], singleLabelBudget: 'per-class', seeds: 1, probes: ['knn'], C: 1, valLimit: 1 } } satisfies TaskOptions;

/** A lazy train pool of 5 patches (p3 unreadable) and the listing as the test split. */
function splits(calls: number[][]): DatasetSplits {
  return {
    test: { file: '/data/test.csv', size: 3, indices: Int32Array.from([0, 1, 2]) },
    train: {
      file: '/data/train.csv', size: 5,
      list: (positions) => {
        calls.push(Array.from(positions));
        return Promise.resolve({
          items: Array.from(positions, (position) => (position === 3 ? undefined : item(`p${position}`, [position % 2]))),
          skipped: Array.from(positions).includes(3) ? [{ file: '/data/p3', reason: 'patch folder missing' }] : [],
        });
      },
    },
  };
}

/** A task that asks for fixed requests and records what it was shown. */
function fakeTask(requests: ImageRequest[], seen: TaskImages[]): EvaluationTask {
  return {
    name: 'fake', aliases: [], description: '', usesTemplates: false, usesSplits: () => true,
    plan: (images) => {
      seen.push(images);
      return { requests, run: () => Promise.resolve([]) };
    },
  };
}

test('splits listed on demand: only the asked positions, once for all tasks, appended after the listing; skipped = -1', async () => {
  const calls: number[][] = [];
  const seen: TaskImages[] = [];
  const first = fakeTask([{ pool: 'test', positions: Int32Array.from([2, 0]) }, { pool: 'train', positions: Int32Array.from([4, 1, 3]) }], seen);
  const second = fakeTask([{ pool: 'train', positions: Int32Array.from([1]) }], seen);
  const planned = await planDataset(listing, { tasks: [first, second], taskOptions, splitsOf: () => Promise.resolve(splits(calls)), skipInvalid: true });
  assert.equal(calls, [[1, 3, 4]]);
  assert.equal(seen[0].splits.train, { size: 5, source: '/data/train.csv' }, 'no labels before listing');
  assert.equal(seen[0].splits.test!.labels, [[0], [1], [0, 1]]);
  assert.equal(planned.items.map((entry) => entry.id), ['t0', 't1', 't2', 'p1', 'p4']);
  assert.equal(planned.itemsOf.map((perRequest) => perRequest.map((indices) => Array.from(indices))), [[[2, 0], [4, 3, -1]], [[3]]]);
  assert.equal(planned.encode, [0, 2, 3, 4]);
  assert.equal(planned.skipped, [{ file: '/data/p3', reason: 'patch folder missing' }]);
});

test('zero-shot alone: every listed image, in listing order, and split files are never read', async () => {
  let read = false;
  const planned = await planDataset(listing, {
    tasks: [zeroShot], taskOptions, skipInvalid: false,
    splitsOf: () => {
      read = true;
      return Promise.reject(new Error('split files read'));
    },
  });
  assert.not.ok(read);
  assert.equal(planned.encode, [0, 1, 2]);
  assert.equal(planned.itemsOf.map((perRequest) => perRequest.map((indices) => Array.from(indices))), [[[0, 1, 2]]]);
});

test('a request outside its pool, or for a split the dataset lacks, is refused', async () => {
  const outside = fakeTask([{ pool: 'train', positions: Int32Array.from([5]) }], []);
  try {
    await planDataset(listing, { tasks: [outside], taskOptions, splitsOf: () => Promise.resolve(splits([])), skipInvalid: false });
    assert.unreachable('position 5 of 5');
  } catch (error) {
    assert.match((error as Error).message, /position 5 outside train \(5 images\)/);
  }
  const missing = fakeTask([{ pool: 'val', positions: Int32Array.from([0]) }], []);
  try {
    await planDataset(listing, { tasks: [missing], taskOptions, splitsOf: () => Promise.resolve(splits([])), skipInvalid: false });
    assert.unreachable('no val split');
  } catch (error) {
    assert.match((error as Error).message, /asks for the val split, which Multi does not have/);
  }
});

test.run();
