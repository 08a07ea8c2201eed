/**
 * Bundle files are checked against the sha256s their manifest records before a model
 * runs, so a record never repeats a hash the files do not have. Hashing a 600 MB bundle
 * takes seconds, so a verified hash is remembered by (path, size, mtime) in the cache
 * folder and only a changed file is hashed again.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../core/atomic.ts';
import { ErrorCode, UserError } from '../core/errors.ts';
import { cacheRoot } from '../core/project.ts';
import { sha256File } from './bundle.ts';
import type { BundleManifest } from './types.ts';

interface Verified {
  size: number;
  mtimeMs: number;
  sha256: string;
}

function cacheFile(): string {
  return join(cacheRoot(), 'verified-bundles.json');
}

function readCache(): Record<string, Verified> {
  try {
    const parsed = JSON.parse(readFileSync(cacheFile(), 'utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return Object.assign(Object.create(null) as Record<string, Verified>, parsed);
  } catch {
    // missing or unreadable: nothing is remembered, every file is hashed
  }
  return Object.create(null) as Record<string, Verified>;
}

/** Throws a one-line UserError naming the first file whose sha256 is not the manifest's. */
export async function verifyBundleFiles(directory: string, manifest: BundleManifest): Promise<void> {
  const cache = readCache();
  let changed = false;
  for (const [name, expected] of Object.entries(manifest.files)) {
    const file = resolve(directory, name);
    if (!existsSync(file)) throw new UserError(ErrorCode.bundleInvalid, `${file} is missing: bundle.json lists it; re-export with npm run export -- --model ${manifest.name}`, file);
    const { size, mtimeMs } = statSync(file);
    const known = cache[file];
    if (known && known.size === size && known.mtimeMs === mtimeMs && known.sha256 === expected) continue;
    const actual = await sha256File(file);
    if (actual !== expected) {
      throw new UserError(ErrorCode.bundleInvalid, `${file} has sha256 ${actual}, bundle.json says ${expected}: the file changed since export; re-export with npm run export -- --model ${manifest.name}`, file);
    }
    cache[file] = { size, mtimeMs, sha256: actual };
    changed = true;
  }
  if (!changed) return;
  try {
    writeFileAtomic(cacheFile(), `${JSON.stringify(cache)}\n`);
  } catch {
    // A read-only cache folder only means the hashes are computed again next time.
  }
}
