/**
 * AP@100 per class on bootstrap resamples, from one set of logits.
 *
 * A resample is given as multiplicities: `counts[i]` copies of image i (see
 * bootstrap.ts). Each class's images are ranked once, by retrieval.ts's own order
 * (`topKIndices`: higher score first, equal scores lower index first); a resample's
 * top 100 is then that order with image i repeated `counts[i]` times, cut after 100
 * entries. Copies of one image have the same score, so they sit next to each other
 * in any ranking of the resampled images and the order among them changes nothing.
 * The AP of that ranking is retrieval.ts's `averagePrecisionOfRanking`, so a resample
 * is scored exactly as a test set made of those copies would be, and the all-ones
 * resample reproduces the reported mAP bit for bit.
 *
 * Cost: the images not drawn (about 37%) are skipped, so a resample walks about 100
 * images per class. Only a prefix of each order is kept (PREFIX images); the full
 * order is computed the first time a resample runs past it, which needs more than
 * PREFIX - 100 of the best-ranked images to be left out, so in practice never.
 */
import { averagePrecisionOfRanking, RETRIEVAL_TOP_K, topKIndices } from './retrieval.ts';

const PREFIX = 2048;

export class ResampledAveragePrecision {
  readonly classCount: number;
  private readonly n: number;
  private readonly topK: number;
  private readonly columns: Float32Array[] = [];
  private readonly relevance: Uint8Array[] = [];
  private readonly orders: Int32Array[] = [];
  private readonly complete: boolean[] = [];
  private readonly ranking: Int32Array;

  /** `logits` is row-major [n, classCount]; `isRelevant(image, c)` is query c's relevance. */
  constructor(logits: Float32Array, n: number, classCount: number, isRelevant: (image: number, classIndex: number) => boolean, topK = RETRIEVAL_TOP_K) {
    this.n = n;
    this.classCount = classCount;
    this.topK = Math.min(topK, n);
    this.ranking = new Int32Array(this.topK);
    for (let classIndex = 0; classIndex < classCount; classIndex++) {
      const column = new Float32Array(n);
      const relevant = new Uint8Array(n);
      for (let image = 0; image < n; image++) {
        column[image] = logits[image * classCount + classIndex];
        relevant[image] = isRelevant(image, classIndex) ? 1 : 0;
      }
      this.columns.push(column);
      this.relevance.push(relevant);
      const length = Math.min(n, Math.max(PREFIX, 4 * this.topK));
      this.orders.push(topKIndices(column, length));
      this.complete.push(length === n);
    }
  }

  /**
   * AP@k of every class on the resample `counts`, paper era into `ap` and
   * torchmetrics >= 1.7.4 (scores <= 0 never relevant) into `apTm19`.
   */
  evaluate(counts: Int32Array, ap: Float64Array, apTm19: Float64Array): void {
    for (let classIndex = 0; classIndex < this.classCount; classIndex++) {
      const filled = this.fillRanking(classIndex, counts);
      const ranking = this.ranking.subarray(0, filled);
      const column = this.columns[classIndex];
      const relevant = this.relevance[classIndex];
      ap[classIndex] = averagePrecisionOfRanking(ranking, column, relevant);
      apTm19[classIndex] = averagePrecisionOfRanking(ranking, column, relevant, { ignoreNonPositive: true });
    }
  }

  /** Writes the resample's top-k of one class into `this.ranking`; returns its length. */
  private fillRanking(classIndex: number, counts: Int32Array): number {
    let order = this.orders[classIndex];
    let filled = 0;
    for (let position = 0; filled < this.topK; position++) {
      if (position === order.length) {
        if (this.complete[classIndex]) break;
        // Ran past the kept prefix: rank everything once, then carry on from here.
        order = topKIndices(this.columns[classIndex], this.n);
        this.orders[classIndex] = order;
        this.complete[classIndex] = true;
      }
      const image = order[position];
      for (let copy = counts[image]; copy > 0 && filled < this.topK; copy--) this.ranking[filled++] = image;
    }
    return filled;
  }
}
