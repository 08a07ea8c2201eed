/**
 * The logits and targets `evaluate` saves beside a record (`<record>.logits.npy`,
 * `<record>.targets.npy`, RECORDS.md), read back for the report's paired comparisons.
 * A record without them is normal (`--no-save-logits`, other tools); files that are
 * there but do not fit the record are a user error naming the file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ErrorCode, UserError } from '../core/errors.ts';
import { decodeNpy } from '../core/npy.ts';
import type { ResultRecord } from './records.ts';

export interface RecordArrays {
  /** Row-major [n, k] float32 logits, rows in the record's `images` order. */
  logits: Float32Array;
  /** Single-label: [n] class indices (int32); multi-label: [n, k] 0/1 (uint8). */
  targets: Int32Array | Uint8Array;
  n: number;
  k: number;
}

function invalid(file: string, problem: string): UserError {
  return new UserError(ErrorCode.recordsInvalid, `${file}: ${problem}; delete it or re-run npm run evaluate for this record`, file);
}

/** The saved arrays of the record at `path`, or null when it has none. */
export function readRecordArrays(path: string, record: ResultRecord): RecordArrays | null {
  const logitsFile = `${path}.logits.npy`;
  const targetsFile = `${path}.targets.npy`;
  if (!existsSync(logitsFile) || !existsSync(targetsFile)) return null;
  const n = record.n_images;
  const k = record.classes.length;
  const logits = decodeNpy(readFileSync(logitsFile), logitsFile);
  if (!(logits.data instanceof Float32Array) || logits.shape.length !== 2 || logits.shape[0] !== n || logits.shape[1] !== k) {
    throw invalid(logitsFile, `expected float32 logits of shape [${n}, ${k}] (the record's n_images x classes), got ${logits.descr} [${logits.shape.join(', ')}]`);
  }
  const targets = decodeNpy(readFileSync(targetsFile), targetsFile);
  const singleLabel = record.task === 'single-label';
  const fits = singleLabel
    ? targets.data instanceof Int32Array && targets.shape.length === 1 && targets.shape[0] === n
    : targets.data instanceof Uint8Array && targets.shape.length === 2 && targets.shape[0] === n && targets.shape[1] === k;
  if (!fits) {
    throw invalid(targetsFile, `expected ${singleLabel ? `int32 targets of shape [${n}]` : `uint8 targets of shape [${n}, ${k}]`}, got ${targets.descr} [${targets.shape.join(', ')}]`);
  }
  return { logits: logits.data, targets: targets.data as Int32Array | Uint8Array, n, k };
}
