/**
 * Split files: which images of a dataset are `train`, `val` and `test`.
 *
 * - ImageFolder datasets (EuroSAT_MS, METERML_MS): optional `train.txt`, `val.txt`,
 *   `test.txt` in the dataset folder, one image per line: a path relative to the dataset
 *   folder (`Forest/Forest_12.tif`) or a bare file name (`Forest_12.jpg`, as torchgeo's
 *   EuroSAT split files list them). Both match by file stem, so lists written for the
 *   `.jpg` release serve the `.tif` folders; a path must also match the folder. Blank
 *   lines are ignored.
 * - BigEarthNet: `bigearthnet-train.csv`, `bigearthnet-val.csv`, `bigearthnet-test.csv`,
 *   the patch name in the first column (csv-parse: quotes allowed, extra columns and
 *   blank lines ignored), matched by patch name.
 *
 * Reading (`read*Splits`) is apart from matching (`resolveSplit`), so a caller can read
 * the names first and list only the images it needs. An entry that matches no image,
 * matches several, or repeats is a one-line error naming the file and line; so is an
 * image listed in two splits.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname, join, posix } from 'node:path';
import { parse } from 'csv-parse/sync';
import { ErrorCode, UserError } from '../core/errors.ts';
import type { DatasetItem } from './types.ts';

export const SPLIT_NAMES = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

export interface SplitEntry {
  /** The line's text: a relative path, a file name or a patch name. */
  name: string;
  file: string;
  line: number;
}

export type SplitFiles = Partial<Record<SplitName, SplitEntry[]>>;

/** The split file of an ImageFolder dataset: `<root>/train.txt`, ... */
export const imageFolderSplitFile = (root: string, split: SplitName): string => join(root, `${split}.txt`);
/** BigEarthNet's split csv: `<root>/bigearthnet-train.csv`, ... */
export const bigEarthNetSplitFile = (root: string, split: SplitName): string => join(root, `bigearthnet-${split}.csv`);

/** One entry per non-blank line, trimmed. */
export function parseSplitList(text: string, file: string): SplitEntry[] {
  return text.split(/\r\n|\r|\n/)
    .map((line, index) => ({ name: line.trim(), file, line: index + 1 }))
    .filter((entry) => entry.name !== '');
}

/** The first column of each non-blank record; a malformed csv is a user error naming its line. */
export function parseSplitCsv(text: string, file = 'split csv'): SplitEntry[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, trim: true, info: true, record_delimiter: ['\r\n', '\n', '\r'],
    }) as unknown as { record: string[]; info: { lines: number } }[]; // `info: true` wraps each record
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new UserError(ErrorCode.datasetInvalid, `${file}${line ? `:${line}` : ''}: not a readable csv (${(error as Error).message.split('\n')[0]}); expected the patch name in the first column`, file);
  }
  const seen = new Map<string, number>();
  const entries: SplitEntry[] = [];
  for (const { record, info } of records) {
    const name = (record[0] ?? '').trim();
    if (name === '') continue;
    // A patch is a folder name: a path could read outside the dataset.
    if (name === '.' || name === '..' || /[/\\]/.test(name)) {
      throw new UserError(ErrorCode.datasetInvalid, `${file}:${info.lines}: ${JSON.stringify(name)} is not a patch name (a path would read outside the dataset); list bare patch folder names`, file);
    }
    const first = seen.get(name);
    if (first !== undefined) {
      throw new UserError(ErrorCode.datasetInvalid, `${file}:${info.lines}: patch ${JSON.stringify(name)} is listed twice (first on line ${first}); remove the duplicate line`, file);
    }
    seen.set(name, info.lines);
    entries.push({ name, file, line: info.lines });
  }
  return entries;
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(ErrorCode.ioFailed, `${file}: cannot be read (${(error as Error).message})`, file);
  }
}

async function readSplits(fileOf: (split: SplitName) => string, parseText: (text: string, file: string) => SplitEntry[], empty: 'error' | 'absent'): Promise<SplitFiles> {
  const splits: SplitFiles = {};
  for (const split of SPLIT_NAMES) {
    const file = fileOf(split);
    const text = await readIfPresent(file);
    if (text === undefined) continue;
    const entries = parseText(text, file);
    if (entries.length === 0 && empty === 'absent') continue;
    if (entries.length === 0) throw new UserError(ErrorCode.datasetInvalid, `${file}: lists no images; delete it or list one image per line`, file);
    splits[split] = entries;
  }
  return splits;
}

/** The split files present in an ImageFolder dataset's folder (none: `{}`). */
export function readImageFolderSplits(root: string): Promise<SplitFiles> {
  return readSplits((split) => imageFolderSplitFile(root, split), parseSplitList, 'error');
}

/**
 * BigEarthNet's split csvs that are present. An empty csv counts as absent: the
 * reference's layout insists that all three exist, so an unused split is an empty file.
 */
export function readBigEarthNetSplits(root: string): Promise<SplitFiles> {
  return readSplits((split) => bigEarthNetSplitFile(root, split), parseSplitCsv, 'absent');
}

/** "Forest/Forest_12.tif" -> "Forest/Forest_12"; "Forest_12.jpg" -> "Forest_12". */
function withoutExtension(path: string): string {
  return path.slice(0, path.length - extname(path).length);
}

/**
 * How an ImageFolder entry finds its image: by the path without extension when it names
 * a folder, else by the file stem alone.
 */
export function imageFolderKeys(item: DatasetItem): { path: string; stem: string } {
  return { path: withoutExtension(item.id), stem: withoutExtension(basename(item.id)) };
}

export type SplitMatching = 'image-folder' | 'patch-name';

/**
 * What an entry that matches no image means: an error, or (`skip`, for a listing that is
 * a subset of the dataset: --limit-per-class, --skip-invalid) an image left out.
 */
export type MissingEntries = 'error' | 'skip';

/**
 * Indices (into `items`) of the images a split's entries name, in the entries' order.
 * `image-folder`: by relative path or file stem (see above); `patch-name`: item id.
 */
export function resolveSplit(entries: readonly SplitEntry[], items: readonly DatasetItem[], matching: SplitMatching, missing: MissingEntries = 'error'): Int32Array {
  return Int32Array.from(matchEntries(entries, items, matching, missing), ({ index }) => index);
}

/** The entries that name an image, with its index. */
function matchEntries(entries: readonly SplitEntry[], items: readonly DatasetItem[], matching: SplitMatching, missing: MissingEntries): { index: number; entry: SplitEntry }[] {
  const byPath = new Map<string, number[]>();
  const byStem = new Map<string, number[]>();
  items.forEach((item, index) => {
    const keys = matching === 'image-folder' ? imageFolderKeys(item) : { path: item.id, stem: item.id };
    byPath.set(keys.path, [...(byPath.get(keys.path) ?? []), index]);
    byStem.set(keys.stem, [...(byStem.get(keys.stem) ?? []), index]);
  });
  const seen = new Map<number, SplitEntry>();
  const found: { index: number; entry: SplitEntry }[] = [];
  for (const entry of entries) {
    const normalised = posix.normalize(entry.name.replace(/\\/g, '/')).replace(/^\.\//, '');
    let matches: number[] | undefined;
    if (matching === 'patch-name') matches = byPath.get(normalised);
    else if (normalised.includes('/')) matches = byPath.get(withoutExtension(normalised));
    else matches = byStem.get(withoutExtension(normalised));
    if ((matches === undefined || matches.length === 0) && missing === 'skip') continue;
    if (matches === undefined || matches.length === 0) {
      const hint = matching === 'patch-name'
        ? 'expected a patch name that has a folder under sentinel-2/'
        : 'expected a path relative to the dataset folder (Forest/Forest_12.tif) or a file name (Forest_12.tif)';
      throw new UserError(ErrorCode.datasetInvalid, `${entry.file}:${entry.line}: "${entry.name}" matches no image of the dataset; ${hint}; fix or remove the line`, entry.file);
    }
    if (matches.length > 1) {
      const ids = matches.slice(0, 3).map((index) => items[index].id).join(', ');
      throw new UserError(ErrorCode.datasetInvalid, `${entry.file}:${entry.line}: "${entry.name}" matches ${matches.length} images (${ids}); write the path relative to the dataset folder instead`, entry.file);
    }
    const index = matches[0];
    const earlier = seen.get(index);
    if (earlier !== undefined) {
      throw new UserError(ErrorCode.datasetInvalid, `${entry.file}:${entry.line}: "${entry.name}" is listed twice (also line ${earlier.line}: "${earlier.name}"); remove one line`, entry.file);
    }
    seen.set(index, entry);
    found.push({ index, entry });
  }
  return found;
}

/** Every split present, resolved; an image in two splits is an error naming both lines. */
export function resolveSplits(splits: SplitFiles, items: readonly DatasetItem[], matching: SplitMatching, missing: MissingEntries = 'error'): Partial<Record<SplitName, Int32Array>> {
  const resolved: Partial<Record<SplitName, Int32Array>> = {};
  const owner = new Map<number, SplitEntry>();
  for (const split of SPLIT_NAMES) {
    const entries = splits[split];
    if (entries === undefined) continue;
    const matched = matchEntries(entries, items, matching, missing);
    for (const { index, entry } of matched) {
      const other = owner.get(index);
      if (other !== undefined) {
        throw new UserError(ErrorCode.datasetInvalid, `${entry.file}:${entry.line}: "${entry.name}" is also in ${other.file}:${other.line}; an image belongs to one split only`, entry.file);
      }
      owner.set(index, entry);
    }
    resolved[split] = Int32Array.from(matched, ({ index }) => index);
  }
  return resolved;
}

/**
 * One split of a dataset as a task sees it: a pool of images addressed by position
 * (0..size-1). Pools made of listed images carry their listing indices; BigEarthNet's
 * train and val csvs (hundreds of thousands of patches) are listed on demand, only the
 * positions a task asks for.
 */
export interface SplitPool {
  /** The split file. */
  file: string;
  /** Images in the split. */
  size: number;
  /** Listing index of each position, ascending (listing order), when the images are in the listing. */
  indices?: Int32Array;
  /** Lists the images at these positions, in that order (undefined: skipped under --skip-invalid). */
  list?(positions: ArrayLike<number>, options: { skipInvalid: boolean }): Promise<ListedSplitImages>;
}

export interface ListedSplitImages {
  items: (DatasetItem | undefined)[];
  skipped: { file: string; reason: string }[];
}

export type DatasetSplits = Partial<Record<SplitName, SplitPool>>;

/**
 * An ImageFolder dataset's split files as pools of its listing. `missing: 'skip'` when
 * the listing is a subset (--limit-per-class, --skip-invalid): entries naming images it
 * does not hold are left out.
 */
export async function imageFolderSplits(root: string, items: readonly DatasetItem[], missing: MissingEntries): Promise<DatasetSplits> {
  const resolved = resolveSplits(await readImageFolderSplits(root), items, 'image-folder', missing);
  const pools: DatasetSplits = {};
  for (const split of SPLIT_NAMES) {
    const indices = resolved[split];
    if (indices !== undefined) pools[split] = { file: imageFolderSplitFile(root, split), size: indices.length, indices: Int32Array.from(indices).sort() };
  }
  return pools;
}
