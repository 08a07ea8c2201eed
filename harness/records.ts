/**
 * Result records (README, "Result records"): one immutable JSON per (model, dataset,
 * template set), written atomically (a temporary file hard-linked into place, which
 * fails if the name exists) and never over another run's file.
 * Reports and comparisons find records by walking folders; the layout is
 * `<save-path>/<run-id>/<model>/<dataset>.<templates>.json`.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ErrorCode, UserError } from './messages.ts';

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
  /** Image ids in logit row order (with --save-logits). */
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

export function recordPath(savePath: string, runId: string, record: Pick<ResultRecord, 'model' | 'dataset' | 'templates'>): string {
  return join(savePath, safeName(runId), safeName(record.model), `${safeName(record.dataset)}.${safeName(record.templates)}.json`);
}

/** Writes `content` to a fresh, fsynced temporary file beside `path`; returns its name. */
function writeTemporary(path: string, content: string | Uint8Array): string {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const descriptor = openSync(temporary, 'wx');
  try {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    let written = 0;
    while (written < bytes.length) written += writeSync(descriptor, bytes, written, bytes.length - written);
    fsyncSync(descriptor);
  } catch (error) {
    closeSync(descriptor);
    unlinkSync(temporary);
    throw error;
  }
  closeSync(descriptor);
  return temporary;
}

/**
 * Writes `content` to `path` atomically and refuses to replace an existing file:
 * the data goes to a temp file in the same folder, is fsynced, then hard-linked into
 * place (link fails if the target exists, unlike rename) and the temp file removed.
 */
export function writeFileExclusive(path: string, content: string | Uint8Array): void {
  const temporary = writeTemporary(path, content);
  try {
    linkSync(temporary, path);
  } catch (error) {
    unlinkSync(temporary);
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UserError(ErrorCode.ioFailed, `${path} already exists: records are never overwritten; choose another --save-path or run id`, path);
    }
    throw error;
  }
  unlinkSync(temporary);
}

/** Atomic replace (for files that are meant to be refreshed, such as a report page). */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  renameSync(writeTemporary(path, content), path);
}

function defaultDescr(data: Float32Array | Int32Array | Uint8Array | Uint16Array | Float64Array): string {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof Uint16Array) return '<u2';
  return '|u1';
}

/**
 * NumPy .npy v1.0, little-endian, C order. `descr` overrides the dtype the array type
 * implies (e.g. '<f2' for float16 bits held in a Uint16Array).
 */
export function encodeNpy(data: Float32Array | Int32Array | Uint8Array | Uint16Array | Float64Array, shape: readonly number[], descr = defaultDescr(data)): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  // Typed arrays are host-endian; every platform Node supports is little-endian.
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

export interface NpyArray {
  descr: string;
  shape: number[];
  data: Float32Array | Float64Array | Int32Array | Uint8Array | BigInt64Array | Int16Array | Uint16Array;
}

/** Reads .npy v1/v2 little-endian C-order arrays of the dtypes this project writes or accepts. */
export function decodeNpy(bytes: Uint8Array, file = '<npy>'): NpyArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((value, index) => bytes[index] !== value)) {
    throw new UserError(ErrorCode.imageInvalid, `${file}: not a NumPy .npy file (bad magic); save arrays with numpy.save`, file);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = Buffer.from(bytes.subarray(headerStart, headerStart + headerLength)).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new UserError(ErrorCode.imageInvalid, `${file}: unreadable .npy header`, file);
  if (fortran === 'True') throw new UserError(ErrorCode.imageInvalid, `${file}: Fortran-order .npy is not supported; save with numpy.ascontiguousarray`, file);
  const shape = shapeText.split(',').map((part) => part.trim()).filter(Boolean).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const start = headerStart + headerLength;
  const types: Record<string, { size: number; make: (buffer: ArrayBuffer) => NpyArray['data'] }> = {
    '<f4': { size: 4, make: (b) => new Float32Array(b) },
    '<f8': { size: 8, make: (b) => new Float64Array(b) },
    '<i4': { size: 4, make: (b) => new Int32Array(b) },
    '<i8': { size: 8, make: (b) => new BigInt64Array(b) },
    '<i2': { size: 2, make: (b) => new Int16Array(b) },
    '<u2': { size: 2, make: (b) => new Uint16Array(b) },
    '|u1': { size: 1, make: (b) => new Uint8Array(b) },
    '|b1': { size: 1, make: (b) => new Uint8Array(b) },
  };
  const type = types[descr];
  if (!type) throw new UserError(ErrorCode.imageInvalid, `${file}: .npy dtype ${descr} is not supported (use float32, float64, int16, uint16, int32 or uint8)`, file);
  const byteLength = count * type.size;
  if (bytes.length < start + byteLength) throw new UserError(ErrorCode.imageInvalid, `${file}: truncated .npy (expected ${byteLength} data bytes)`, file);
  const copy = new Uint8Array(byteLength);
  copy.set(bytes.subarray(start, start + byteLength));
  return { descr, shape, data: type.make(copy.buffer) };
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
  if (extras.logits) {
    written.logits = `${path}.logits.npy`;
    writeFileExclusive(written.logits, encodeNpy(extras.logits.data, extras.logits.shape));
  }
  if (extras.targets) {
    written.targets = `${path}.targets.npy`;
    writeFileExclusive(written.targets, encodeNpy(extras.targets.data, extras.targets.shape));
  }
  writeFileExclusive(written.csv, metricsCsv(record));
  writeFileExclusive(path, `${JSON.stringify({ ...record, run_id: runId }, null, 2)}\n`);
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
export function readRecords(folders: readonly string[]): LoadedRecord[] {
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
    } catch {
      return;
    }
    if (!isRecord(parsed)) return;
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
    const key = JSON.stringify([loaded.record.model, loaded.record.dataset, loaded.record.templates]);
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
