/**
 * `--limit-per-class N`: a seeded subset of a listing, for sweeps that multiply the
 * image-tower cost. Single-label: N images of every class (all of a smaller class),
 * chosen at random per class; multi-label: N x classes images drawn at random. The
 * chosen items keep listing order, so every condition and the full-band baseline of a
 * run see the same images in the same order.
 */
import { deriveRandom } from '../core/random.ts';
import type { DatasetListing } from './types.ts';

export interface SubsetInfo {
  per_class: number;
  seed: number;
  /** Images before the limit. */
  of: number;
}

/** Fisher-Yates on indices with a seeded stream; the first `count` are kept. */
function choose(indices: number[], count: number, seed: number, stream: string): number[] {
  const random = deriveRandom(seed, 'limit-per-class', stream);
  const order = [...indices];
  for (let index = order.length - 1; index > 0; index--) {
    const other = Math.floor(random.next() * (index + 1));
    [order[index], order[other]] = [order[other], order[index]];
  }
  return order.slice(0, count);
}

export function limitPerClass(listing: DatasetListing, perClass: number, seed: number): DatasetListing & { subset: SubsetInfo } {
  const all = listing.items.map((_, index) => index);
  let kept: number[];
  if (listing.task === 'multi-label') {
    kept = choose(all, perClass * listing.classes.length, seed, listing.dataset);
  } else {
    kept = listing.classes.flatMap((_, label) => choose(all.filter((index) => listing.items[index].labels[0] === label), perClass, seed, `${listing.dataset}/${label}`));
  }
  kept.sort((a, b) => a - b);
  return { ...listing, items: kept.map((index) => listing.items[index]), subset: { per_class: perClass, seed, of: listing.items.length } };
}
