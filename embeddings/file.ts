/**
 * Saved image embeddings (`--save-embeddings FILE`, reused with `--embeddings FILE`):
 * the image tower is the expensive half of inference, so a folder encoded once can be
 * queried again and again at the cost of the text tower only.
 *
 * One file, written atomically:
 *   bytes 0-7   "MSCLIPEM" (magic)
 *   bytes 8-11  format version (uint32 LE)
 *   bytes 12-15 header length N (uint32 LE)
 *   N bytes     UTF-8 JSON header, space-padded so the data starts 4-byte aligned
 *   the rest    float32 LE embeddings, [images, dimension], L2-normalised rows
 *
 * The header records what makes embeddings valid: the model and its image tower's
 * sha256, the preprocessing, and every image's path, size and modification time. A
 * cache that disagrees with the current model or files is refused, never reused.
 */
import { readFileSync, statSync } from 'node:fs';
import { ErrorCode, UserError } from '../core/errors.ts';
import { writeFileAtomic } from '../core/atomic.ts';

const MAGIC = 'MSCLIPEM';
export const EMBEDDINGS_CACHE_VERSION = 1;

/** What the embeddings depend on besides the images. */
export interface EmbeddingsKey {
  model: string;
  /** sha256 of the bundle's image tower (the file that makes the embeddings). */
  imageTowerSha256: string;
  /** Preprocessing as plain data (bands, size, resize, normalisation, input handling). */
  preprocessing: Record<string, unknown>;
}

/** One image as it was when encoded. */
export interface ImageStamp {
  /** Absolute path. */
  path: string;
  /** Name shown in tables (relative to the input folder or list). */
  name: string;
  size: number;
  mtimeMs: number;
}

export interface EmbeddingsCache extends EmbeddingsKey {
  dimension: number;
  images: ImageStamp[];
  /** [images.length, dimension] L2-normalised rows. */
  embeddings: Float32Array;
  created: string;
  /** Full bundle file hashes, for provenance. */
  bundleSha256: Record<string, string>;
}

export function stampImage(path: string, name: string): ImageStamp {
  const stats = statSync(path);
  return { path, name, size: stats.size, mtimeMs: stats.mtimeMs };
}

export function encodeEmbeddingsCache(cache: EmbeddingsCache): Uint8Array {
  const { embeddings, ...rest } = cache;
  if (embeddings.length !== cache.images.length * cache.dimension) throw new Error('embeddings length does not match images x dimension');
  let header = JSON.stringify({ format: 'msclip-bench-embeddings', ...rest });
  let headerBytes = Buffer.from(header, 'utf8');
  const padding = (4 - ((16 + headerBytes.length) % 4)) % 4;
  header += ' '.repeat(padding);
  headerBytes = Buffer.from(header, 'utf8');
  const out = new Uint8Array(16 + headerBytes.length + embeddings.byteLength);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, EMBEDDINGS_CACHE_VERSION, true);
  view.setUint32(12, headerBytes.length, true);
  out.set(headerBytes, 16);
  // Typed arrays are host-endian; every platform Node supports is little-endian.
  out.set(new Uint8Array(embeddings.buffer, embeddings.byteOffset, embeddings.byteLength), 16 + headerBytes.length);
  return out;
}

export function writeEmbeddingsCache(file: string, cache: EmbeddingsCache): void {
  writeFileAtomic(file, encodeEmbeddingsCache(cache));
}

function invalidCache(file: string, reason: string): UserError {
  return new UserError(ErrorCode.imageInvalid, `${file}: not a usable embeddings file (${reason}); write one with --save-embeddings`, file);
}

export function decodeEmbeddingsCache(bytes: Uint8Array, file: string): EmbeddingsCache {
  if (bytes.length < 16 || Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== MAGIC) throw invalidCache(file, 'bad magic');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== EMBEDDINGS_CACHE_VERSION) throw invalidCache(file, `format version ${version}, this version reads ${EMBEDDINGS_CACHE_VERSION}`);
  const headerLength = view.getUint32(12, true);
  if (16 + headerLength > bytes.length) throw invalidCache(file, 'truncated header');
  let header: Omit<EmbeddingsCache, 'embeddings'>;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(16, 16 + headerLength)).toString('utf8')) as Omit<EmbeddingsCache, 'embeddings'>;
  } catch {
    throw invalidCache(file, 'unreadable header');
  }
  const valid = typeof header.model === 'string' && typeof header.imageTowerSha256 === 'string' && Array.isArray(header.images)
    && Number.isInteger(header.dimension) && header.dimension > 0 && typeof header.preprocessing === 'object' && header.preprocessing !== null;
  if (!valid) throw invalidCache(file, 'header fields missing');
  const start = 16 + headerLength;
  const expectedBytes = header.images.length * header.dimension * 4;
  if (bytes.length - start !== expectedBytes) throw invalidCache(file, `holds ${bytes.length - start} data bytes, ${expectedBytes} expected (truncated?)`);
  const embeddings = new Float32Array(header.images.length * header.dimension);
  new Uint8Array(embeddings.buffer).set(bytes.subarray(start));
  return { ...header, embeddings };
}

export function readEmbeddingsCache(file: string): EmbeddingsCache {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'ENOENT' ? 'no such file; write it first with --save-embeddings' : `cannot read it (${code ?? String(error)})`;
    throw new UserError(ErrorCode.imageInvalid, `--embeddings ${file}: ${hint}`, file);
  }
  return decodeEmbeddingsCache(bytes, file);
}

/** Canonical JSON (sorted keys) so that key order never makes two equal settings differ. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Refuses a stale cache with one line saying what changed. `images`, when given (the
 * caller listed --images again), must be the same files in the same order; either
 * way every cached file must still exist unchanged (size and modification time).
 */
export function checkCacheFresh(file: string, cache: EmbeddingsCache, key: EmbeddingsKey, images?: readonly { path: string }[]): void {
  const refresh = `re-run with --save-embeddings ${file} to refresh it`;
  const stale = (reason: string): UserError => new UserError(ErrorCode.usage, `${file} is stale: ${reason}; ${refresh}`, file);
  if (cache.model !== key.model) throw stale(`it holds embeddings of model ${cache.model}, not ${key.model}`);
  if (cache.imageTowerSha256 !== key.imageTowerSha256) {
    throw stale(`the image tower of ${key.model} changed (sha256 ${cache.imageTowerSha256.slice(0, 12)}... then, ${key.imageTowerSha256.slice(0, 12)}... now)`);
  }
  if (canonical(cache.preprocessing) !== canonical(key.preprocessing)) throw stale('the preprocessing differs from this version\'s');
  if (images) {
    const count = Math.max(images.length, cache.images.length);
    for (let index = 0; index < count; index++) {
      const now = images[index]?.path;
      const then = cache.images[index]?.path;
      if (now !== then) {
        const what = now === undefined ? `${then} is cached but no longer listed`
          : then === undefined ? `${now} is listed but not cached`
            : `image ${index + 1} is ${now}, the cache has ${then}`;
        throw stale(`--images lists ${images.length} image(s), the cache holds ${cache.images.length} (${what})`);
      }
    }
  }
  for (const image of cache.images) {
    let stats;
    try {
      stats = statSync(image.path);
    } catch {
      throw stale(`${image.path} no longer exists`);
    }
    if (stats.size !== image.size || stats.mtimeMs !== image.mtimeMs) throw stale(`${image.path} changed since it was encoded`);
  }
}
