/**
 * deploy/slurm/ on a real Slurm: a private one-node cluster on localhost
 * (test/support/slurm-cluster.ts) takes deploy/slurm/submit.sh's 3-task job array
 * (`evaluate --shard auto` on the demo suite) and its scoring job
 * (--dependency=afterok, `evaluate --cache-only`); the scoring job's records must equal
 * an unsharded run's, every task must have encoded its own share, and the scoring job
 * must have started after the last task ended. Every daemon is stopped at the end,
 * also on failure. Without Slurm, munge or root, or when a daemon does not come up,
 * the test is skipped with the reason, never passed.
 */
import { taskOptionsFromFlags } from '../../cli/few-shot-flags.ts';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULTS } from '../../cli/defaults.ts';
import { runEvaluation } from '../../runner/evaluate.ts';
import { projectRoot } from '../support/inference.ts';
import { recordFilesUnder, recordScores } from '../support/record-scores.ts';
import { jobStates, startCluster } from '../support/slurm-cluster.ts';

const TERMINAL = ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE'];
// Small batches so each shard has work on every dataset; 100 resamples keep it quick.
const FLAGS = ['--demo', '--batch-size', '16', '--workers', '0', '--bootstrap', '100', '--device', 'cpu', '--no-report'];

const cluster = await startCluster();
const name = 'a 3-task Slurm job array (--shard auto) and its afterok scoring job give the unsharded records';

if ('reason' in cluster) {
  console.log(`  skipped: ${name}: ${cluster.reason}`);
  test.skip(name, () => undefined);
} else {
  test.after(() => cluster.stop());
  test(name, async () => {
    const store = join(cluster.folder, 'store');
    const results = join(cluster.folder, 'results');
    const logs = join(cluster.folder, 'jobs');
    const submit = spawnSync('bash', [join(projectRoot, 'deploy/slurm/submit.sh'), '3', ...FLAGS, '--cache-dir', store, '--save-path', results], {
      cwd: projectRoot, encoding: 'utf8', env: { ...process.env, ...cluster.env, MSCLIP_SLURM_LOGS: logs, CI: 'true' },
    });
    assert.is(submit.status, 0, `${submit.stdout}${submit.stderr}`);
    const ids = /encode array: (\d+) \(3 tasks\); scoring job: (\d+)/.exec(submit.stdout);
    assert.ok(ids, submit.stdout);
    const [, arrayId, scoreId] = ids;
    assert.match(jobStates(cluster, scoreId)[0]?.Dependency ?? '', new RegExp(`afterok:${arrayId}`), 'the scoring job waits for the array');

    // The reference, while the cluster works: one unsharded run, no store.
    const reference = await runEvaluation({
      models: [], templates: ['msclip'], tasks: ['zero-shot'], ...taskOptionsFromFlags({}), datasets: [], datasetDir: DEFAULTS.datasetDir, modelsDir: DEFAULTS.modelsDir,
      device: 'cpu', batchSize: 16, workers: 0, maxImagePixels: DEFAULTS.maxImagePixels, savePath: join(cluster.folder, 'reference'),
      saveLogits: true, bootstrap: { resamples: 100, seed: 0 }, skipInvalid: false, allowExport: false, demo: true, quiet: true,
    }, () => undefined);
    assert.is(reference.failed, 0);

    const deadline = Date.now() + 150_000;
    let score = jobStates(cluster, scoreId)[0];
    while (!TERMINAL.includes(score?.JobState ?? '') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      score = jobStates(cluster, scoreId)[0];
    }
    const jobLogs = (): string => readdirSync(logs).map((file) => `--- ${file}\n${readFileSync(join(logs, file), 'utf8').split('\n').slice(-8).join('\n')}`).join('\n');
    const tasks = jobStates(cluster, arrayId);
    assert.equal(tasks.map((task) => task.JobState), ['COMPLETED', 'COMPLETED', 'COMPLETED'], `array tasks\n${jobLogs()}\n${cluster.logs()}`);
    assert.is(score?.JobState, 'COMPLETED', `scoring job\n${jobLogs()}\n${cluster.logs()}`);
    const lastTaskEnd = Math.max(...tasks.map((task) => Date.parse(task.EndTime)));
    assert.ok(Date.parse(score.StartTime) >= lastTaskEnd, `the scoring job started ${score.StartTime}, after the last task ended`);

    // Each task encoded its own share (SLURM_ARRAY_TASK_ID -> --shard i/3) and wrote no records.
    const outputs = readdirSync(logs).filter((file) => file.startsWith('encode-')).sort().map((file) => readFileSync(join(logs, file), 'utf8'));
    assert.is(outputs.length, 3);
    outputs.forEach((output, index) => assert.match(output, new RegExp(`Shard ${index + 1}/3: its embeddings are in ${store}; no records written`), output));
    const scoring = readFileSync(join(logs, `score-${scoreId}.out`), 'utf8');
    assert.match(scoring, /EuroSAT_MS x Demo-MS-CLIP-Tiny \(400 of 400 cached, 0 encoded\)/, scoring);
    assert.equal(recordScores(recordFilesUnder(results)), recordScores(reference.results.map((result) => result.record)));
  });
}

test.run();
