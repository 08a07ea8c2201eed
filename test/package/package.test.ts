// The package as others get it: `npm pack` (which builds dist/), installed into an
// empty folder, runs the demo through its `msclip-bench` bin with no tsx and no
// checkout, keeps its caches out of node_modules, and `import('msclip-bench')` from
// plain Node gives classify and retrieve.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { projectRoot } from '../support/inference.ts';

const work = mkdtempSync(join(tmpdir(), 'package-'));
const consumer = join(work, 'consumer');
const home = join(work, 'home');
test.after(() => rmSync(work, { recursive: true, force: true }));

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', ...env }, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('npm pack, installed into an empty folder: the bin runs the demo, the library imports from plain Node', () => {
  const packed = run('npm', ['pack', '--pack-destination', work, '--loglevel=error'], projectRoot);
  assert.is(packed.status, 0, packed.stderr);
  const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack wrote no tarball');
  // The package's metadata and types as consumers resolve them.
  const publint = run(process.execPath, [join(projectRoot, 'node_modules', 'publint', 'src', 'cli.js'), join(work, tarball)], projectRoot);
  assert.is(publint.status, 0, `${publint.stdout}${publint.stderr}`);
  assert.not.match(publint.stdout, /error|warning/i, publint.stdout);
  const attw = run(process.execPath, [join(projectRoot, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js'), join(work, tarball), '--profile', 'esm-only'], projectRoot);
  assert.is(attw.status, 0, `${attw.stdout}${attw.stderr}`);
  mkdirSync(consumer);
  mkdirSync(home);
  writeFileSync(join(consumer, 'package.json'), '{ "name": "consumer", "version": "1.0.0", "type": "module" }\n');
  const installed = run('npm', ['install', '--loglevel=error', '--no-audit', '--no-fund', join(work, tarball)], consumer);
  assert.is(installed.status, 0, installed.stderr);

  const demo = run('npx', ['--no-install', 'msclip-bench', 'evaluate', '--demo', '--save-path', join(home, 'results'), '--report-dir', join(home, 'site'), '--json'], consumer, { HOME: home, XDG_CACHE_HOME: join(home, '.cache'), MSCLIP_CACHE_DIR: '' });
  assert.is(demo.status, 0, demo.stderr.slice(-3000));
  const summary = JSON.parse(demo.stdout) as { results: unknown[]; report: string };
  assert.is(summary.results.length, 6);
  assert.ok(existsSync(summary.report));
  // Demo data and caches went to the user's cache folder, nothing into node_modules.
  assert.ok(existsSync(join(home, '.cache', 'msclip-bench', 'demo')), 'demo suite not in ~/.cache/msclip-bench');
  const installedRoot = join(consumer, 'node_modules', 'msclip-bench');
  for (const name of ['.cache', '.venv', 'results']) assert.not.ok(existsSync(join(installedRoot, name)), `${name} written into node_modules`);

  const library = run(process.execPath, ['--input-type=module', '-e', "const m = await import('msclip-bench'); console.log(JSON.stringify({ classify: typeof m.classify, retrieve: typeof m.retrieve }));"], consumer);
  assert.is(library.status, 0, library.stderr);
  assert.equal(JSON.parse(library.stdout), { classify: 'function', retrieve: 'function' });
  const manifest = JSON.parse(readFileSync(join(installedRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  assert.ok(existsSync(join(installedRoot, manifest.bin['msclip-bench'])));
});

test.run();
