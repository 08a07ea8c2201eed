// Nothing lost, nothing half-written, no stack trace: evaluate on a full disk, after a
// killed run, with unwritable output locations, with a dataset that cannot be listed,
// and with every image unreadable under --skip-invalid. Tiny real bundles and tiles.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFilesTogether } from '../../core/atomic.ts';
import { sweepRecordLeftovers } from '../../records/records.ts';
import { writeTrees } from '../../scripts/golden/datasets-cases.ts';
import { makeTinyModels, projectRoot } from '../support/inference.ts';

const work = mkdtempSync(join(tmpdir(), 'reliability-'));
const tree = join(work, 'tree');
const { modelsDir } = makeTinyModels();
test.before(async () => {
  await writeTrees(tree);
});
test.after(() => rmSync(work, { recursive: true, force: true }));

function evaluate(args: string[]): { status: number; stdout: string; stderr: string; seconds: number } {
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli/main.ts'), 'evaluate', '--models-dir', modelsDir, '--dataset-dir', tree, '--no-export', '--no-report', '--model', 'Llama3-MS-CLIP-Base', ...args], {
    cwd: projectRoot, encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 300000,
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr, seconds: (performance.now() - started) / 1000 };
}

/** Every file under `folder`, relative. */
function filesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  const out: string[] = [];
  const visit = (path: string): void => {
    for (const name of readdirSync(path)) {
      const child = join(path, name);
      if (statSync(child).isDirectory()) visit(child);
      else out.push(relative(folder, child));
    }
  };
  visit(folder);
  return out.sort();
}

/** Companions (CSV, .npy) and temporary files whose record is missing. */
function orphans(folder: string): string[] {
  const files = new Set(filesUnder(folder));
  return [...files].filter((file) => {
    if (file.endsWith('.tmp')) return true;
    if (file.endsWith('.csv')) return !files.has(file.replace(/\.csv$/, '.json'));
    if (file.endsWith('.npy')) return !files.has(file.replace(/\.(logits|targets)\.npy$/, ''));
    return false;
  });
}

function oneLineError(stderr: string): string {
  const errors = stderr.split('\n').filter((line) => line.startsWith('error: '));
  assert.ok(errors.length > 0, `no error line in:\n${stderr}`);
  assert.not.match(stderr, /\n\s+at .+:\d+:\d+/, `stack trace in:\n${stderr}`);
  return errors.join('\n');
}

test('files written together appear together: a failure on the last leaves none of them', () => {
  const folder = join(work, 'together');
  mkdirSync(folder);
  writeFileSync(join(folder, 'b.json'), 'taken');
  assert.throws(() => writeFilesTogether([{ path: join(folder, 'a.csv'), content: 'x' }, { path: join(folder, 'b.json'), content: 'y' }]), /already exists/);
  assert.equal(readdirSync(folder), ['b.json']);
});

test('a killed run\'s leftovers (temporary files, a CSV without its record) are removed by the next sweep, a live writer\'s are not', () => {
  const folder = join(work, 'killed', 'run', 'model');
  mkdirSync(folder, { recursive: true });
  // A dead process (pid far above pid_max) left the CSV linked and the record's temporary file.
  const tmp = (final: string, pid: number): string => `.${final}.${require_host()}.${pid}.0123abcd.tmp`;
  writeFileSync(join(folder, 'EuroSAT_MS.msclip.csv'), 'key,value\n');
  writeFileSync(join(folder, tmp('EuroSAT_MS.msclip.csv', 99999999)), 'key,value\n');
  writeFileSync(join(folder, tmp('EuroSAT_MS.msclip.json', 99999999)), '{}');
  // This process is alive: its temporary file stays.
  writeFileSync(join(folder, tmp('METERML_MS.msclip.json', process.pid)), '{}');
  const removed = sweepRecordLeftovers(join(work, 'killed')).map((file) => relative(folder, file)).sort();
  assert.equal(removed, ['.EuroSAT_MS.msclip.csv.' + require_host() + '.99999999.0123abcd.tmp', '.EuroSAT_MS.msclip.json.' + require_host() + '.99999999.0123abcd.tmp', 'EuroSAT_MS.msclip.csv'].sort());
  assert.equal(readdirSync(folder), [tmp('METERML_MS.msclip.json', process.pid)]);
});

function require_host(): string {
  return (spawnSync('hostname', { encoding: 'utf8' }).stdout.trim() || 'host').replace(/[^A-Za-z0-9-]/g, '-');
}

const canMount = process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0;
(canMount ? test : test.skip)('a full disk (64 KiB tmpfs as --save-path): one line per dataset, exit 1, no companion without its record', () => {
  const disk = join(work, 'full');
  mkdirSync(disk);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', disk], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    console.log(`  skipped: cannot mount a tmpfs here (${mounted.stderr.trim()})`);
    return;
  }
  try {
    // Leave room for about one record and its companions, not for three.
    writeFileSync(join(disk, 'filler'), new Uint8Array(52 * 1024));
    const run = evaluate(['--save-path', disk, '--save-logits', '--workers', '0']);
    assert.is(run.status, 1, run.stderr);
    const errors = oneLineError(run.stderr);
    assert.match(errors, /no space left on the device/);
    assert.equal(orphans(disk), [], `orphans: ${orphans(disk).join(', ')}`);
  } finally {
    spawnSync('umount', [disk]);
  }
});

test('output locations are checked before any model runs: a file, /proc, a file as --report-dir', () => {
  const file = join(work, 'a-file');
  writeFileSync(file, 'not a folder');
  for (const [args, pattern] of [
    [['--save-path', file], /^error: --save-path .*a-file is a file; pass a folder$/m],
    [['--save-path', join(file, 'below')], /^error: --save-path .*below cannot be created: .*a-file is a file; pass a folder$/m],
    [['--save-path', '/proc/x'], /^error: --save-path \/proc\/x: \/proc is on procfs/m],
  ] as [string[], RegExp][]) {
    const run = evaluate(args);
    assert.is(run.status, 1, run.stderr);
    oneLineError(run.stderr);
    assert.match(run.stderr, pattern);
    // Refused before loading a model: nothing was encoded.
    assert.not.match(run.stderr, /images, \d+ classes/);
  }
  const report = spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli/main.ts'), 'evaluate', '--models-dir', modelsDir, '--dataset-dir', tree, '--no-export', '--model', 'Llama3-MS-CLIP-Base', '--save-path', join(work, 'r'), '--report-dir', file], { cwd: projectRoot, encoding: 'utf8' });
  assert.is(report.status, 1);
  assert.match(report.stderr, /^error: --report-dir .*a-file is a file; pass a folder$/m);
  assert.not.ok(existsSync(join(work, 'r')), 'records were written before the report folder was checked');
});

test('a dataset that cannot be listed is one line; the others still run', () => {
  const broken = join(work, 'broken-tree');
  mkdirSync(join(broken, 'BigEarthNet'), { recursive: true }); // no csv, no patches
  spawnSync('cp', ['-r', join(tree, 'EuroSAT_MS'), broken]);
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli/main.ts'), 'evaluate', '--models-dir', modelsDir, '--dataset-dir', broken, '--no-export', '--no-report', '--model', 'Llama3-MS-CLIP-Base', '--datasets', 'BigEarthNet_MS,EuroSAT_MS', '--save-path', join(work, 'listing'), '--json'], { cwd: projectRoot, encoding: 'utf8' });
  assert.is(run.status, 1, run.stderr);
  assert.match(oneLineError(run.stderr), /BigEarthNet_MS: .*bigearthnet-test\.csv: split file not found/);
  const summary = JSON.parse(run.stdout) as { results: { dataset: string }[]; errors: { dataset: string }[] };
  assert.equal(summary.results.map((result) => result.dataset), ['EuroSAT_MS']);
  assert.equal(summary.errors.map((error) => error.dataset), ['BigEarthNet_MS']);
});

test('--skip-invalid with no readable image left: one line, no record', () => {
  const unreadable = join(work, 'unreadable');
  mkdirSync(join(unreadable, 'EuroSAT_MS', 'Forest'), { recursive: true });
  writeFileSync(join(unreadable, 'EuroSAT_MS', 'Forest', 'a.tif'), 'not a tiff');
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli/main.ts'), 'evaluate', '--models-dir', modelsDir, '--dataset-dir', unreadable, '--no-export', '--no-report', '--model', 'Llama3-MS-CLIP-Base', '--datasets', 'EuroSAT_MS', '--skip-invalid', '--save-path', join(work, 'none')], { cwd: projectRoot, encoding: 'utf8' });
  assert.is(run.status, 1, run.stderr);
  assert.match(oneLineError(run.stderr), /no readable image left/);
  assert.equal(filesUnder(join(work, 'none')).filter((file) => file.endsWith('.json')), []);
});

test.run();
