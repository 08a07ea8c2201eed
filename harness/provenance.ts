/** Versions and commit that every record carries. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

let cached: { package_version: string; git_commit: string | null; node: string } | undefined;

export function provenanceBase(): { package_version: string; git_commit: string | null; node: string } {
  if (cached) return cached;
  const packageJson = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string };
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' }).trim() || null;
  } catch {
    commit = null;
  }
  cached = { package_version: packageJson.version, git_commit: commit, node: process.version };
  return cached;
}
