/**
 * deploy/k8s/: the Indexed Job and the scoring Job parse as Kubernetes objects and as
 * msclip-bench flags: completions, parallelism and --shard-count agree; every
 * completion index maps to its own shard (--shard auto with JOB_COMPLETION_INDEX); the
 * scoring Job runs --cache-only on the same store, model and data, on the same claims.
 * (No cluster here: the flags go through the real parser, the manifests through YAML.)
 */
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments, parse } from 'yaml';
import { parseEvaluateArguments, type EvaluateCommandRequest } from '../../cli/commands/evaluate.ts';
import { projectRoot } from '../support/inference.ts';

interface Container { args: string[]; image: string; volumeMounts: { name: string; mountPath: string }[] }
interface JobSpec {
  kind: string;
  metadata: { name: string };
  spec: { completionMode?: string; completions?: number; parallelism?: number; template: { spec: { containers: Container[]; volumes: { name: string; persistentVolumeClaim: { claimName: string } }[] } } };
}

const read = (name: string): JobSpec => parse(readFileSync(`${projectRoot}deploy/k8s/${name}`, 'utf8')) as JobSpec;
const encode = read('encode-indexed-job.yaml');
const score = read('score-job.yaml');

function parseWithIndex(args: string[], index?: number): EvaluateCommandRequest {
  const saved = process.env.JOB_COMPLETION_INDEX;
  try {
    if (index === undefined) delete process.env.JOB_COMPLETION_INDEX;
    else process.env.JOB_COMPLETION_INDEX = String(index);
    return parseEvaluateArguments(args) as EvaluateCommandRequest;
  } finally {
    if (saved === undefined) delete process.env.JOB_COMPLETION_INDEX;
    else process.env.JOB_COMPLETION_INDEX = saved;
  }
}

test('the Indexed Job: one shard per completion index, as many shards as completions', () => {
  assert.is(encode.kind, 'Job');
  assert.is(encode.spec.completionMode, 'Indexed');
  const completions = encode.spec.completions!;
  assert.ok(completions > 1);
  assert.is(encode.spec.parallelism, completions);
  const args = encode.spec.template.spec.containers[0].args;
  assert.is(args[0], 'evaluate');
  const shards = Array.from({ length: completions }, (_, index) => parseWithIndex(args.slice(1), index).store?.shard);
  assert.equal(shards, Array.from({ length: completions }, (_, index) => ({ index: index + 1, count: completions })));
});

test('the scoring Job: --cache-only on the same store, model, data and claims', () => {
  const args = score.spec.template.spec.containers[0].args;
  assert.is(args[0], 'evaluate');
  const scoring = parseWithIndex(args.slice(1));
  const encoding = parseWithIndex(encode.spec.template.spec.containers[0].args.slice(1), 0);
  assert.equal(scoring.store, { dir: encoding.store!.dir, cacheOnly: true, shard: undefined });
  for (const field of ['models', 'datasets', 'datasetDir', 'modelsDir', 'allowExport', 'templates'] as const) assert.equal(scoring[field], encoding[field], field);
  const mounts = (job: JobSpec) => job.spec.template.spec.containers[0].volumeMounts.map((mount) => `${mount.name}:${mount.mountPath}`).sort();
  const claims = (job: JobSpec) => job.spec.template.spec.volumes.map((volume) => `${volume.name}:${volume.persistentVolumeClaim.claimName}`).sort();
  assert.equal(mounts(score), mounts(encode));
  assert.equal(claims(score), claims(encode));
  assert.ok(encoding.store!.dir.startsWith('/store/'), 'the store is on the shared volume');
  assert.is(score.spec.template.spec.containers[0].image, encode.spec.template.spec.containers[0].image);
});

test('the claims the jobs use are declared, shared (ReadWriteMany) for the store', () => {
  const claims = parseAllDocuments(readFileSync(`${projectRoot}deploy/k8s/volumes.yaml`, 'utf8')).map((document) => document.toJS() as { metadata: { name: string }; spec: { accessModes: string[] } });
  const byName = new Map(claims.map((claim) => [claim.metadata.name, claim.spec.accessModes]));
  for (const volume of encode.spec.template.spec.volumes) assert.ok(byName.has(volume.persistentVolumeClaim.claimName), volume.persistentVolumeClaim.claimName);
  assert.ok(byName.get('msclip-store')?.includes('ReadWriteMany'));
});

test.run();
