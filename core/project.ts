/**
 * Where the project is and what it is: its root folder (a git checkout, or the
 * installed package under node_modules), its version and commit, the user's cache
 * folder, and the provenance fields every record carries.
 *
 * Imports nothing of the project (core/ is the ground floor).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'msclip-bench';

function findRoot(): string {
  // Sources run from <root>/core/, the build from <root>/dist/core/: walk up to our package.json.
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return folder;
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`cannot find the ${PACKAGE_NAME} package.json above ${fileURLToPath(import.meta.url)}`);
    folder = parent;
  }
}

let root: string | undefined;

/** The package's root folder: the checkout, or node_modules/msclip-bench when installed. */
export function projectRoot(): string {
  root ??= findRoot();
  return root;
}

/** A path inside the package (assets shipped with it: templates, vocabularies, demo bundles). */
export function projectPath(...parts: string[]): string {
  return join(projectRoot(), ...parts);
}

/** True when the package runs from node_modules (installed), not from a checkout. */
export function isInstalledPackage(): boolean {
  return projectRoot().split(sep).includes('node_modules');
}

/**
 * Where caches live (demo data, exported test bundles, the Python environment when
 * installed as a package): `MSCLIP_CACHE_DIR`, else `<checkout>/.cache` in a checkout,
 * else `$XDG_CACHE_HOME/msclip-bench` or `~/.cache/msclip-bench` - never inside
 * node_modules.
 */
export function cacheRoot(): string {
  if (process.env.MSCLIP_CACHE_DIR) return resolve(process.env.MSCLIP_CACHE_DIR);
  if (!isInstalledPackage()) return projectPath('.cache');
  return userCacheRoot();
}

/** `$XDG_CACHE_HOME/msclip-bench` or `~/.cache/msclip-bench`. */
export function userCacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME ? resolve(process.env.XDG_CACHE_HOME) : join(homedir(), '.cache');
  return join(base, PACKAGE_NAME);
}

export interface ProvenanceBase {
  package_version: string;
  git_commit: string | null;
  node: string;
}

let cached: ProvenanceBase | undefined;

/** Versions and commit that every record carries. */
export function provenanceBase(): ProvenanceBase {
  if (cached) return cached;
  const packageJson = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string };
  let commit: string | null = null;
  if (!isInstalledPackage()) {
    try {
      commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' }).trim() || null;
    } catch {
      commit = null;
    }
  }
  cached = { package_version: packageJson.version, git_commit: commit, node: process.version };
  return cached;
}
