/**
 * Saved image embeddings (`--save-embeddings FILE`, reused with `--embeddings FILE`):
 * the image tower is the expensive half of inference, so images encoded once can be
 * queried again and again at the cost of the text tower only.
 *
 * The file is a store chunk file (store-file.ts) of the whole input, so pandas,
 * polars and DuckDB read it as they read the store: columns `id` (the image's name as
 * listed), `path` (absolute), `stamp` (its size and modification time, store-key.ts)
 * and `embedding` (list<float32>, L2-normalised), the store key and the model's name
 * in the key-value metadata. A file that disagrees with the current model, runtime
 * or images is refused in one line saying what changed, never reused.
 *
 * Imports core and its siblings.
 */
import { existsSync } from 'node:fs';
import { writeFileAtomic } from '../core/atomic.ts';
import { ErrorCode, shownPath, UserError } from '../core/errors.ts';
import { encodeStoreFile, readStoreTable } from './store-file.ts';
import { canonicalJson, stampItems, type ImageStoreKey } from './store-key.ts';

export interface SavedEmbeddings {
  key: ImageStoreKey;
  /** The model's registry name. */
  model: string;
  /** Per image: its name as listed, its absolute path, its stamp when encoded. */
  ids: readonly string[];
  paths: readonly string[];
  stamps: readonly string[];
  dimension: number;
  /** ids.length x dimension. */
  values: Float32Array;
}

export function writeSavedEmbeddings(file: string, saved: SavedEmbeddings): void {
  const { key, model, ids, paths, stamps, dimension, values } = saved;
  writeFileAtomic(file, encodeStoreFile('image', key, { ids, paths, stamps, dimension, values }, { model }));
}

export function readSavedEmbeddings(file: string): SavedEmbeddings {
  if (!existsSync(file)) throw new UserError(ErrorCode.imageInvalid, `--embeddings ${shownPath(file)}: no such file; write it first with --save-embeddings`, file);
  const table = readStoreTable(file, 'image');
  const unusable = (reason: string): UserError => new UserError(ErrorCode.imageInvalid, `${shownPath(file)}: not a usable embeddings file (${reason}); write one with --save-embeddings`, file);
  if (typeof table === 'string') throw unusable(table);
  const { metadata, rows } = table;
  if (!rows.paths || !rows.stamps) throw unusable('a store chunk, not a saved file: it has no path column');
  return { key: metadata.key as ImageStoreKey, model: metadata.model ?? 'an unnamed model', ids: rows.ids, paths: rows.paths, stamps: rows.stamps, dimension: rows.dimension, values: rows.values };
}

/**
 * Refuses a stale file with one line saying what changed. `images`, when given (the
 * caller listed --images again), must be the same files in the same order; either
 * way every saved file must still exist unchanged (size and modification time).
 */
export function checkSavedFresh(file: string, saved: SavedEmbeddings, current: { model: string; key: ImageStoreKey }, images?: readonly { path: string }[]): void {
  const stale = (reason: string): UserError => new UserError(ErrorCode.usage, `${shownPath(file)} is stale: ${reason}; re-run with --save-embeddings ${shownPath(file)} to refresh it`, file);
  const { key, model } = current;
  if (saved.model !== model) throw stale(`it holds embeddings of model ${saved.model}, not ${model}`);
  if (saved.key.imageTowerSha256 !== key.imageTowerSha256) {
    throw stale(`the image tower of ${model} changed (sha256 ${saved.key.imageTowerSha256.slice(0, 12)}... then, ${key.imageTowerSha256.slice(0, 12)}... now)`);
  }
  if (canonicalJson(saved.key.preprocessing) !== canonicalJson(key.preprocessing) || saved.key.dataPathVersion !== key.dataPathVersion) throw stale('the preprocessing differs from this version\'s');
  const runtime = (runtimeKey: ImageStoreKey['onnxRuntime']): string => `ONNX Runtime ${runtimeKey.version} on ${runtimeKey.provider}`;
  if (canonicalJson(saved.key.onnxRuntime) !== canonicalJson(key.onnxRuntime)) throw stale(`it was encoded by ${runtime(saved.key.onnxRuntime)}, this run uses ${runtime(key.onnxRuntime)}`);
  if (images) {
    const count = Math.max(images.length, saved.paths.length);
    for (let index = 0; index < count; index++) {
      const now = images[index]?.path;
      const then = saved.paths[index];
      if (now === then) continue;
      const what = now === undefined ? `${then} is saved but no longer listed`
        : then === undefined ? `${now} is listed but not saved`
          : `image ${index + 1} is ${now}, the file has ${then}`;
      throw stale(`--images lists ${images.length} image(s), the file holds ${saved.paths.length} (${what})`);
    }
  }
  const stamps = stampItems(saved.paths.map((path) => ({ id: path, files: [path], labels: [] })));
  stamps.forEach((stamp, index) => {
    if (stamp === null) throw stale(`${saved.paths[index]} no longer exists`);
    if (stamp !== saved.stamps[index]) throw stale(`${saved.paths[index]} changed since it was encoded`);
  });
}
