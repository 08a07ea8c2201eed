/**
 * .github/workflows/leaderboard.yml: valid for GitHub (action-validator checks it
 * against the published workflow schema), every `npm run X` it uses exists in
 * package.json, and it has the triggers, permissions and jobs the leaderboard needs.
 */
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';

const root = new URL('../../', import.meta.url);
const source = readFileSync(new URL('.github/workflows/leaderboard.yml', root), 'utf8');
const workflow = parse(source) as {
  on: Record<string, { inputs?: Record<string, unknown>; branches?: string[] } | null>;
  permissions: Record<string, string>;
  jobs: Record<string, { if?: string; needs?: string; 'runs-on': string; permissions?: Record<string, string>; env?: Record<string, string>; strategy?: { matrix?: { shard?: number[] } }; steps: { uses?: string; run?: string; with?: Record<string, unknown> }[] }>;
};

test('the workflow passes action-validator', () => {
  const state = validateWorkflow(source);
  assert.equal(state.errors, [], JSON.stringify(state.errors, null, 1));
});

test('the validator catches a broken workflow', () => {
  const broken = source.replace('runs-on: ubuntu-latest\n    timeout-minutes: 60', 'runs_on: ubuntu-latest\n    timeout-minutes: 60');
  assert.ok(broken !== source);
  assert.ok(validateWorkflow(broken).errors.length > 0);
});

test('every npm script the workflow runs exists in package.json', () => {
  const scripts = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const used = [...source.matchAll(/npm run ([\w:.-]+)/g)].map(([, name]) => name);
  assert.ok(used.includes('evaluate') && used.includes('report'));
  for (const name of used) assert.ok(name in scripts, `package.json has no script "${name}" (the workflow runs npm run ${name})`);
});

test('triggers, inputs, jobs and Pages permissions', () => {
  assert.equal(workflow.on.push?.branches, ['main']);
  assert.ok('pull_request' in workflow.on);
  assert.equal(Object.keys(workflow.on.workflow_dispatch?.inputs ?? {}).sort(), ['dataset-dir', 'device', 'models', 'runner']);
  const { build, preview, deploy } = workflow.jobs;
  assert.match(build['runs-on'], /inputs\.runner/);
  assert.match(build.env?.ONNXRUNTIME_NODE_INSTALL ?? '', /skip/);
  const steps = (job: typeof build) => job.steps.map((step) => step.uses ?? step.run ?? '');
  assert.ok(steps(build).includes('npm ci'));
  assert.ok(steps(build).some((step) => step.startsWith('actions/upload-pages-artifact@')));
  assert.match(preview.if ?? '', /pull_request/);
  assert.is(preview['runs-on'], 'ubuntu-latest', 'pull requests never reach the self-hosted runner');
  assert.ok(steps(preview).some((step) => step.startsWith('actions/upload-artifact@')));
  assert.is(deploy.needs, 'build');
  assert.equal(deploy.permissions, { pages: 'write', 'id-token': 'write' });
  assert.ok(steps(deploy).some((step) => step.startsWith('actions/deploy-pages@')));
  // Inputs reach the shell through env, never by ${{ }} inside a script.
  for (const job of Object.values(workflow.jobs)) {
    for (const step of job.steps) assert.not.ok(/\$\{\{\s*inputs\./.test(step.run ?? ''), `inputs interpolated into a run script: ${step.run}`);
  }
});

test('a matrix of shard jobs fills the store; the build job needs them all and scores from their artifacts', () => {
  const { encode, build } = workflow.jobs;
  const shards = encode.strategy?.matrix?.shard ?? [];
  assert.ok(shards.length > 1, 'more than one shard');
  assert.equal(shards, shards.map((_, index) => index + 1), 'shards 1..N, 1-based');
  assert.is(encode.env?.SHARDS, '${{ strategy.job-total }}', 'N is the matrix size');
  assert.is(encode.env?.SHARD, '${{ matrix.shard }}');
  assert.is(encode.if, build.if);
  assert.is(encode['runs-on'], build['runs-on']);
  const runs = (job: typeof build): string => job.steps.map((step) => step.run ?? '').join('\n');
  assert.match(runs(encode), /npm run evaluate -- "\$\{args\[@\]\}"/);
  assert.match(runs(encode), /--shard "\$SHARD\/\$SHARDS" --cache-dir "\$STORE"/);
  assert.not.match(runs(encode), /--cache-only/);
  const upload = encode.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
  assert.is(upload?.with?.name, 'embedding-store-shard-${{ matrix.shard }}');
  assert.is(upload?.with?.path, '${{ env.STORE }}/embeddings/images');
  assert.is(build.needs, 'encode');
  const download = build.steps.find((step) => step.uses?.startsWith('actions/download-artifact@'));
  assert.is(download?.with?.pattern, 'embedding-store-shard-*');
  assert.is(download?.with?.['merge-multiple'], true);
  assert.is(download?.with?.path, upload?.with?.path);
  assert.is(build.env?.STORE, encode.env?.STORE);
  assert.match(runs(build), /--cache-only --cache-dir "\$STORE"/);
  assert.not.match(runs(build), /--shard/);
  // The download comes before the scoring run, the scoring run before the site.
  const order = build.steps.map((step) => step.uses ?? step.run ?? '');
  const at = (pattern: RegExp): number => order.findIndex((step) => pattern.test(step));
  assert.ok(at(/^actions\/download-artifact@/) < at(/--cache-only/) && at(/--cache-only/) < at(/npm run report/));
});

test.run();
