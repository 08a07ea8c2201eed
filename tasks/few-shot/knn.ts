/**
 * Cosine k-nearest-neighbour classification, scikit-learn's
 * `KNeighborsClassifier(n_neighbors=k, metric="cosine")` with k = min(5, training rows):
 *
 * 1. similarity = dot product of the rows scaled to unit L2 norm (float64);
 * 2. the k most similar training rows are the neighbours; between equal similarities
 *    the earlier training row wins (sklearn leaves that order to `np.argpartition`,
 *    which keeps no rule; equal similarities need duplicate embeddings);
 * 3. single-label: the class most neighbours carry, a tie going to the lower class index
 *    (sklearn's `mode`); multi-label: every label more than half of the k neighbours
 *    carry (sklearn's per-output mode of 0/1, where a tie goes to 0);
 * 4. scores: the share of neighbours carrying each class (sklearn's `predict_proba`).
 *
 * Many draws (budgets x seeds) score the same test rows against subsets of one pool, so
 * `knnClassify` computes each test x pool similarity once, for the union of the draws'
 * training rows, in blocks (bounded memory), and keeps the top k of every draw.
 */
import type { LabelKind } from './types.ts';
import { loadRows, type Float64Workspace, sharedWorkspace } from './products.ts';

export const MAX_NEIGHBOURS = 5;
const TEST_CHUNK = 256;
const POOL_CHUNK = 4096;

export interface KnnInput {
  /** Row-major [*, dimension] embeddings of the pool (training and test rows). */
  embeddings: Float32Array | Float64Array;
  dimension: number;
  /** Class indices of every pool row. */
  labels: readonly (readonly number[])[];
  classCount: number;
  labelKind: LabelKind;
  testRows: ArrayLike<number>;
  /** Training rows of each draw, in training order (that order breaks similarity ties). */
  draws: readonly ArrayLike<number>[];
  workspace?: Float64Workspace;
}

export interface KnnOutput {
  /** Single-label: [tests] class indices; multi-label: [tests, classes] 0/1. */
  predictions: Int32Array | Uint8Array;
  /** [tests, classes]: share of the k neighbours carrying each class. */
  scores: Float64Array;
  neighbours: number;
}

/** The k best (similarity descending, training position ascending) of one test row in one draw. */
interface TopK {
  similarity: Float64Array;
  position: Int32Array;
}

export function knnClassify(input: KnnInput): KnnOutput[] {
  const { embeddings, dimension, labels, classCount, testRows, draws } = input;
  const workspace = input.workspace ?? sharedWorkspace();
  if (draws.some((draw) => draw.length === 0)) throw new RangeError('knnClassify: a draw without training rows');
  if (draws.length === 0) return [];

  // Pool columns: the union of the draws' rows, ascending; each draw as (column, position) lists.
  const union = [...new Set(draws.flatMap((draw) => Array.from(draw)))].sort((a, b) => a - b);
  const columnOf = new Map(union.map((row, column) => [row, column]));
  const poolChunk = Math.min(POOL_CHUNK, union.length);
  const chunks = Math.ceil(union.length / poolChunk);
  /** drawColumns[draw][chunk]: [column within chunk, position in draw] pairs. */
  const drawColumns = draws.map((draw) => {
    const perChunk: number[][] = Array.from({ length: chunks }, () => []);
    Array.from(draw).forEach((row, position) => {
      const column = columnOf.get(row)!;
      perChunk[Math.floor(column / poolChunk)].push(column % poolChunk, position);
    });
    return perChunk.map((pairs) => Int32Array.from(pairs));
  });
  const ks = draws.map((draw) => Math.min(MAX_NEIGHBOURS, draw.length));

  const tests = testRows.length;
  const multiLabel = input.labelKind === 'multi-label';
  const outputs: KnnOutput[] = draws.map((_, index) => ({
    predictions: multiLabel ? new Uint8Array(tests * classCount) : new Int32Array(tests),
    scores: new Float64Array(tests * classCount),
    neighbours: ks[index],
  }));

  const testChunk = Math.min(TEST_CHUNK, Math.max(tests, 1));
  const [T, P, S] = workspace.layout([
    { rows: testChunk, columns: dimension }, { rows: poolChunk, columns: dimension }, { rows: testChunk, columns: poolChunk },
  ]);
  for (let testStart = 0; testStart < tests; testStart += testChunk) {
    const count = Math.min(testChunk, tests - testStart);
    loadRows(T, embeddings, dimension, Array.prototype.slice.call(testRows, testStart, testStart + count) as number[], true);
    const tops: TopK[][] = draws.map((_, index) => Array.from({ length: count }, () => ({
      similarity: new Float64Array(ks[index]).fill(-Infinity),
      position: new Int32Array(ks[index]).fill(2 ** 31 - 1),
    })));
    for (let chunk = 0; chunk < chunks; chunk++) {
      loadRows(P, embeddings, dimension, union.slice(chunk * poolChunk, (chunk + 1) * poolChunk), true);
      workspace.multiplyTransposed(T, P, S);
      drawColumns.forEach((perChunk, drawIndex) => {
        const pairs = perChunk[chunk];
        for (let row = 0; row < count; row++) {
          const top = tops[drawIndex][row];
          const offset = row * S.stride;
          for (let pair = 0; pair < pairs.length; pair += 2) offer(top, S.data[offset + pairs[pair]], pairs[pair + 1]);
        }
      });
    }
    draws.forEach((draw, drawIndex) => {
      for (let row = 0; row < count; row++) {
        vote(outputs[drawIndex], testStart + row, tops[drawIndex][row].position, draw, labels, classCount, multiLabel);
      }
    });
  }
  return outputs;
}

/** Keeps `top` the k best seen: higher similarity first, then lower training position. */
function offer(top: TopK, similarity: number, position: number): void {
  const k = top.similarity.length;
  const last = k - 1;
  if (similarity < top.similarity[last] || (similarity === top.similarity[last] && position > top.position[last])) return;
  let slot = last;
  while (slot > 0 && (similarity > top.similarity[slot - 1] || (similarity === top.similarity[slot - 1] && position < top.position[slot - 1]))) {
    top.similarity[slot] = top.similarity[slot - 1];
    top.position[slot] = top.position[slot - 1];
    slot--;
  }
  top.similarity[slot] = similarity;
  top.position[slot] = position;
}

function vote(
  output: KnnOutput, test: number, positions: Int32Array, draw: ArrayLike<number>,
  labels: readonly (readonly number[])[], classCount: number, multiLabel: boolean,
): void {
  const k = positions.length;
  const counts = new Int32Array(classCount);
  for (const position of positions) for (const label of labels[draw[position]]) counts[label]++;
  const offset = test * classCount;
  for (let c = 0; c < classCount; c++) output.scores[offset + c] = counts[c] / k;
  if (multiLabel) {
    for (let c = 0; c < classCount; c++) output.predictions[offset + c] = 2 * counts[c] > k ? 1 : 0;
  } else {
    let best = 0;
    for (let c = 1; c < classCount; c++) if (counts[c] > counts[best]) best = c;
    output.predictions[test] = best;
  }
}
