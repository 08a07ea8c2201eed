#!/usr/bin/env node
// Runs every test/**/*.test.ts file (or the files/folders given) in its own Node
// process with tsx, sums uvu's per-file totals and ends with the plain line
// "N passed, N failed, N skipped". A file that crashes before uvu reports counts as one
// failure; a test that cannot run here is declared with test.skip and counted as skipped.
// With no arguments the static checks run first (scripts/checks.mjs: types, layout rules,
// lint, unused code), each counted as one test.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const targets = args.length > 0 ? args : ['test'];

function collect(path, out) {
  const stats = statSync(path);
  if (stats.isDirectory()) {
    for (const name of readdirSync(path).sort()) {
      if (name === 'fixtures' || name === 'node_modules') continue;
      collect(join(path, name), out);
    }
  } else if (/\.test\.(ts|mjs)$/.test(path)) {
    out.push(path);
  }
  return out;
}

const files = targets.flatMap((target) => collect(resolve(root, target), []));
const stripAnsi = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');

function runFile(file) {
  return new Promise((resolvePromise) => {
    const started = Date.now();
    // Each file gets its own empty user cache folder: the embedding store defaults to
    // $XDG_CACHE_HOME/msclip-bench, and a test must neither read the user's store nor
    // another file's embeddings (it would test nothing).
    const cache = mkdtempSync(join(tmpdir(), 'msclip-test-cache-'));
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', XDG_CACHE_HOME: cache },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; process.stdout.write(chunk); });
    child.stderr.on('data', (chunk) => { output += chunk; process.stderr.write(chunk); });
    child.on('close', (code) => {
      rmSync(cache, { recursive: true, force: true });
      const text = stripAnsi(output);
      const total = Number(/Total:\s+(\d+)/.exec(text)?.[1] ?? NaN);
      const passed = Number(/Passed:\s+(\d+)/.exec(text)?.[1] ?? NaN);
      const skipped = Number(/Skipped:\s+(\d+)/.exec(text)?.[1] ?? 0);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (Number.isNaN(total) || Number.isNaN(passed)) {
        resolvePromise({ passed: 0, failed: 1, skipped: 0, seconds, crashed: true, code });
      } else {
        const failed = total - passed + (code !== 0 && total === passed ? 1 : 0);
        resolvePromise({ passed, failed, skipped, seconds, crashed: false, code });
      }
    });
  });
}

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
if (args.length === 0) {
  const { runChecks } = await import('./checks.mjs');
  for (const check of await runChecks(root)) {
    if (check.ok) passed++;
    else {
      failed++;
      failures.push(`check: ${check.name}`);
    }
  }
}
for (const file of files) {
  const name = relative(root, file);
  console.log(`\n# ${name}`);
  const result = await runFile(file);
  passed += result.passed;
  failed += result.failed;
  skipped += result.skipped;
  if (result.failed > 0) failures.push(`${name}${result.crashed ? ` (crashed, exit ${result.code})` : ''}`);
  console.log(`# ${name}: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped in ${result.seconds}s`);
}
if (failures.length > 0) console.log(`\nFailing files:\n  ${failures.join('\n  ')}`);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 || files.length === 0 ? 1 : 0;
