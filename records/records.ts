/**
 * Result records (README, "Result records"): one immutable JSON per (model, dataset,
 * template set), written atomically (a temporary file hard-linked into place, which
 * fails if the name exists) and never over another run's file.
 * Reports and comparisons find records by walking folders; the layout is
 * `<save-path>/<run-id>/<model>/<dataset>.<templates>.json`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sweepLeftovers, writeFilesTogether } from '../core/atomic.ts';
import { ErrorCode, UserError } from '../core/errors.ts';
import { encodeNpy } from '../core/npy.ts';

export const RECORD_SCHEMA = 1;

export interface PerClassRecord {
  accuracy: number | null;
  ap: number | null;
  ap_tm19?: number | null;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export interface ResultRecord {
  schema: typeof RECORD_SCHEMA;
  model: string;
  dataset: string;
  task: 'single-label' | 'multi-label';
  templates: string;
  demo: boolean;
  classes: string[];
  n_images: number;
  metrics: Record<string, number | null>;
  /** 95% bootstrap interval per metric, on the metrics' scale (null where the metric is null). */
  ci?: Record<string, [number, number] | null>;
  /** How `ci` was computed (percentile bootstrap over the test images). */
  ci_method?: { level: number; resamples: number; seed: number; kind: 'percentile' };
  per_class: Record<string, PerClassRecord>;
  timings: { seconds: number; images_per_second: number; [key: string]: number };
  provenance: {
    package_version: string;
    git_commit: string | null;
    bundle_sha256: Record<string, string>;
    preprocessing: Record<string, unknown>;
    templates_sha256: string;
    device: string;
    date: string;
    [key: string]: unknown;
  };
  /** Image ids in logit row order (written with the logits, by default). */
  images?: string[];
  /** Files skipped under --skip-invalid. */
  skipped?: { file: string; reason: string }[];
  run_id?: string;
  [key: string]: unknown;
}

/** A record read back from disk, with where it came from. */
export interface LoadedRecord {
  path: string;
  record: ResultRecord;
}

/** Run ids sort by time: 2026-11-22T10-31-05Z-3f9a. */
export function newRunId(date = new Date()): string {
  const stamp = date.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/** File-system safe form of a model/dataset/template name. */
export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._+-]+/g, '_').replace(/^\.+/, '_') || '_';
}

/** A record's band condition, if any (../RECORDS.md: absent = all bands). */
export interface RecordCondition {
  dropped: string[];
  fill: string;
  label?: string;
}

/**
 * The parts of a record's identity beyond (model, dataset, templates): its evaluation
 * (absent = zero-shot), probe and band condition, as a file-name suffix ("" for a
 * zero-shot full-band record, so older file names stay as they were).
 */
export function identitySuffix(record: object & { evaluation?: unknown; probe?: unknown; condition?: unknown }): string {
  const parts: string[] = [];
  if (typeof record.evaluation === 'string' && record.evaluation !== 'zero-shot') parts.push(record.evaluation);
  if (typeof record.probe === 'string') parts.push(record.probe);
  const condition = record.condition as RecordCondition | undefined;
  if (condition && Array.isArray(condition.dropped)) parts.push(`drop-${condition.dropped.join('+')}`, condition.fill);
  return parts.map((part) => `.${safeName(part)}`).join('');
}

export function recordPath(savePath: string, runId: string, record: Pick<ResultRecord, 'model' | 'dataset' | 'templates'> & { evaluation?: unknown; probe?: unknown; condition?: unknown }): string {
  return join(savePath, safeName(runId), safeName(record.model), `${safeName(record.dataset)}.${safeName(record.templates)}${identitySuffix(record)}.json`);
}

/** The reference's `key,value` CSV of a dataset's metrics. */
export function metricsCsv(record: ResultRecord): string {
  const lines = ['key,value'];
  for (const [key, value] of Object.entries(record.metrics)) lines.push(`${key},${value === null ? '' : value}`);
  return `${lines.join('\n')}\n`;
}

export interface WrittenRecord {
  path: string;
  csv: string;
  logits?: string;
  targets?: string;
}

/**
 * Writes a record (and its CSV, and optionally logits/targets .npy) under
 * `<savePath>/<runId>/<model>/`. The record JSON is written last, so a record that
 * exists always has its companions.
 */
export function writeRecord(
  savePath: string,
  runId: string,
  record: ResultRecord,
  extras: { logits?: { data: Float32Array; shape: [number, number] }; targets?: { data: Int32Array | Uint8Array; shape: number[] } } = {},
): WrittenRecord {
  const path = recordPath(savePath, runId, record);
  if (existsSync(path)) {
    throw new UserError(ErrorCode.ioFailed, `${path} already exists: records are never overwritten; choose another --save-path`, path);
  }
  const stem = path.replace(/\.json$/, '');
  const written: WrittenRecord = { path, csv: `${stem}.csv` };
  const files: { path: string; content: string | Uint8Array }[] = [];
  if (extras.logits) {
    written.logits = `${path}.logits.npy`;
    files.push({ path: written.logits, content: encodeNpy(extras.logits.data, extras.logits.shape) });
  }
  if (extras.targets) {
    written.targets = `${path}.targets.npy`;
    files.push({ path: written.targets, content: encodeNpy(extras.targets.data, extras.targets.shape) });
  }
  files.push({ path: written.csv, content: metricsCsv(record) });
  // The record goes last: it is the commit point (a companion never exists without it).
  files.push({ path, content: `${JSON.stringify({ ...record, run_id: runId }, null, 2)}\n` });
  writeFilesTogether(files);
  return written;
}

function isRecord(value: unknown): value is ResultRecord {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.schema === 'number' && typeof candidate.model === 'string' && typeof candidate.dataset === 'string'
    && typeof candidate.templates === 'string' && typeof candidate.metrics === 'object' && candidate.metrics !== null
    && (candidate.task === 'single-label' || candidate.task === 'multi-label');
}

/**
 * Every record under the given folders (recursively). Files that are JSON but not
 * records (other tools' output) are ignored; a record with a newer schema than this
 * version understands is an error naming the file.
 */
export function readRecords(folders: readonly string[], onSkip?: (file: string, reason: string) => void): LoadedRecord[] {
  const found: LoadedRecord[] = [];
  const walk = (path: string): void => {
    const stats = statSync(path);
    if (stats.isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        if (name.startsWith('.')) continue;
        walk(join(path, name));
      }
      return;
    }
    if (!path.endsWith('.json')) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      // Other tools' JSON may sit beside records and is ignored; JSON that does not parse is said.
      onSkip?.(path, `not valid JSON (${(error as Error).message.split('\n')[0]})`);
      return;
    }
    if (!isRecord(parsed)) {
      const looksLikeRecord = typeof parsed === 'object' && parsed !== null && 'schema' in parsed && 'model' in parsed;
      if (looksLikeRecord) onSkip?.(path, 'a record with missing or malformed fields (schema, model, dataset, templates, task, metrics)');
      return;
    }
    if (parsed.schema > RECORD_SCHEMA) {
      throw new UserError(ErrorCode.recordsInvalid, `${path}: record schema ${parsed.schema} is newer than this version understands (${RECORD_SCHEMA}); upgrade msclip-bench`, path);
    }
    found.push({ path, record: parsed });
  };
  for (const folder of folders) {
    if (!existsSync(folder)) {
      throw new UserError(ErrorCode.recordsInvalid, `results folder ${folder} does not exist: pass --results with a folder written by npm run evaluate`, folder);
    }
    walk(folder);
  }
  return found;
}

/** The record a companion file belongs to (its CSV, logits or targets), or undefined for a record. */
function recordOfCompanion(file: string): string | undefined {
  if (file.endsWith('.json.logits.npy') || file.endsWith('.json.targets.npy')) return file.replace(/\.(logits|targets)\.npy$/, '');
  if (file.endsWith('.csv')) return file.replace(/\.csv$/, '.json');
  return undefined;
}

/** Removes what a killed run left under `savePath` (temporary files, companions without their record). */
export function sweepRecordLeftovers(savePath: string): string[] {
  return existsSync(savePath) ? sweepLeftovers(savePath, recordOfCompanion) : [];
}

/** Date of a record for "newest wins": provenance.date, else the run id. */
export function recordDate(record: ResultRecord): string {
  return record.provenance?.date ?? record.run_id ?? '';
}

/**
 * The newest record per (model, dataset, templates), plus the ones it replaced, so
 * a report can say which results were merged away.
 */
export function newestRecords(records: readonly LoadedRecord[]): { kept: LoadedRecord[]; superseded: LoadedRecord[] } {
  const byKey = new Map<string, LoadedRecord>();
  const superseded: LoadedRecord[] = [];
  for (const loaded of records) {
    // The identity of a record (../RECORDS.md): a few-shot or band-condition record never replaces a zero-shot full-band one.
    const key = JSON.stringify([loaded.record.model, loaded.record.dataset, loaded.record.templates, identitySuffix(loaded.record)]);
    const current = byKey.get(key);
    if (!current) {
      byKey.set(key, loaded);
    } else if (recordDate(loaded.record) > recordDate(current.record)) {
      superseded.push(current);
      byKey.set(key, loaded);
    } else {
      superseded.push(loaded);
    }
  }
  return { kept: [...byKey.values()], superseded };
}
