// The static checks `npm test` runs before the test files, each counted as one test:
// types (tsc), the layout rules (dependency-cruiser, .dependency-cruiser.cjs), lint
// (eslint with typescript-eslint's type-checked rules) and unused files, exports and
// dependencies (knip). Each prints its own output only when it fails.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const CHECKS = [
  { name: 'types (tsc --noEmit)', bin: ['typescript', 'bin', 'tsc'], args: ['--noEmit', '-p', '.'] },
  { name: 'layout rules (dependency-cruiser)', bin: ['dependency-cruiser', 'bin', 'dependency-cruise.mjs'], args: ['core', 'datasets', 'templates', 'metrics', 'records', 'preprocess', 'adapters', 'embeddings', 'tasks', 'runner', 'reports', 'cli', 'bench', 'scripts', 'test', '--config', '.dependency-cruiser.cjs'] },
  { name: 'lint (eslint, type-checked rules)', bin: ['eslint', 'bin', 'eslint.js'], args: ['.'] },
  { name: 'unused files, exports and dependencies (knip)', bin: ['knip', 'bin', 'knip.js'], args: [] },
];

export async function runChecks(root) {
  const results = [];
  for (const check of CHECKS) {
    const started = Date.now();
    const run = spawnSync(process.execPath, [join(root, 'node_modules', ...check.bin), ...check.args], { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
    const ok = run.status === 0;
    console.log(`# check: ${check.name}: ${ok ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    if (!ok) console.log(`${run.stdout ?? ''}${run.stderr ?? ''}`.trim());
    results.push({ name: check.name, ok });
  }
  return results;
}
