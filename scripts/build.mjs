#!/usr/bin/env node
// `npm run build`: compiles the sources to dist/ (JavaScript and type declarations) and
// copies the two plain-JavaScript modules the compiled code loads beside itself (the
// worker bootstrap and the Python environment helper), which tsc does not emit.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
for (const file of ['core/worker-bootstrap.mjs', 'adapters/export/python-env.mjs', 'adapters/export/python-env.d.mts']) {
  mkdirSync(dirname(join(dist, file)), { recursive: true });
  copyFileSync(join(root, file), join(dist, file));
}
console.error(`built ${dist}`);
