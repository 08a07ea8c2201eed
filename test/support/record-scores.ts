// What a run's records must share with another run of the same work however it was
// cut up (store, restart, shards, cluster): per (model, dataset, template set) the
// metrics, intervals, per-class values, image order and the saved logits' bytes.
import { readFileSync } from 'node:fs';
import { filesUnder } from './files.ts';
import type { ResultRecord } from '../../records/records.ts';

export function recordScores(recordFiles: readonly string[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const file of [...recordFiles].sort()) {
    const record = JSON.parse(readFileSync(file, 'utf8')) as ResultRecord;
    out.set(`${record.model}/${record.dataset}/${record.templates}`, {
      metrics: record.metrics, ci: record.ci, per_class: record.per_class, images: record.images,
      logits: readFileSync(`${file}.logits.npy`).toString('base64'),
    });
  }
  return out;
}

/** Every record file (.json) under a --save-path folder. */
export function recordFilesUnder(folder: string): string[] {
  return filesUnder(folder, '.json');
}
