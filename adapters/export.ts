/**
 * The TypeScript side of the export tool: runs adapters/export/export.py in the
 * project's Python environment with the registry entry as JSON, streams its progress
 * (downloads, export, verification) to stderr, and turns its outcome into a bundle
 * folder or a one-line UserError. The same runner serves the test helpers that write
 * seeded random checkpoints and torch reference embeddings.
 */
import { projectPath } from '../core/project.ts';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ErrorCode, UserError } from '../core/errors.ts';
import { bundleDirectory, loadManifest } from './bundle.ts';
import { ensurePythonEnvironment } from './export/python-env.mjs';
import { findModel, type ModelEntry } from './registry.ts';
import { DEFAULT_VOCABULARY } from './tokenizer.ts';

export const EXPORT_SCRIPT = projectPath('adapters', 'export', 'export.py');

export interface ExportOptions {
  /** Registry name or alias. */
  model: string;
  /** Local checkpoint in the model's official format; without it (and without seed) the public weights are downloaded. */
  checkpoint?: string;
  /** Seeded random weights instead (tests). */
  seed?: number;
  modelsDir: string;
  /** Bundle folder (default `<modelsDir>/<canonical name>`). */
  out?: string;
  /** Largest accepted max abs difference, ONNX vs torch, of L2-normalised embeddings (default 1e-4). */
  tolerance?: number;
  /** Tower weights in separate `<file>.data` files: 'auto' (default) only past 1.8 GB. */
  externalData?: 'auto' | 'always' | 'never';
  /** Progress lines; default: the exporter's stderr passes through unchanged. */
  onProgress?: (line: string) => void;
}

interface ExporterResult {
  ok: boolean;
  code?: string;
  message?: string;
  [key: string]: unknown;
}

function pythonOrThrow(): string {
  try {
    return ensurePythonEnvironment();
  } catch (error) {
    throw new UserError(ErrorCode.pythonMissing, (error as Error).message.split('\n')[0]);
  }
}

/** Runs export.py with `args`; resolves with its result line, or throws a UserError. */
export function runExporter(entry: ModelEntry, args: string[], onProgress?: (line: string) => void): Promise<ExporterResult> {
  const python = pythonOrThrow();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(python, [EXPORT_SCRIPT, '--model-json', JSON.stringify(entry), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONWARNINGS: 'ignore' },
    });
    let stdout = '';
    let stderrTail = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    // The exporter's final "error: ..." line is left out: the result line carries it
    // and the command prints it once. Progress bars redraw with \r, kept as they are
    // on stderr; for a callback every redraw is a line.
    const forward = (segment: string): void => {
      if (segment.startsWith('error: ')) return;
      if (onProgress) {
        if (segment.trim()) onProgress(segment.replace(/[\r\n]+$/, ''));
      } else {
        process.stderr.write(segment);
      }
    };
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-4000);
      const segments = (pending + chunk).split(/(?<=[\r\n])/);
      pending = /[\r\n]$/.test(segments[segments.length - 1] ?? '') ? '' : (segments.pop() ?? '');
      for (const segment of segments) forward(segment);
    });
    child.on('error', (error) => reject(new UserError(ErrorCode.pythonMissing, `cannot run ${python} (${error.message}): run npm run setup:python`)));
    child.on('close', (code, signal) => {
      if (pending) forward(pending);
      const last = stdout.trim().split('\n').pop() ?? '';
      let result: ExporterResult | undefined;
      try {
        result = JSON.parse(last) as ExporterResult;
      } catch {
        result = undefined;
      }
      if (result?.ok) return resolvePromise(result);
      if (result && result.message) {
        const errorCode = result.code === ErrorCode.pythonMissing ? ErrorCode.pythonMissing : ErrorCode.exportFailed;
        return reject(new UserError(errorCode, result.message));
      }
      const lastLine = stderrTail.trim().split('\n').pop() ?? '';
      const how = signal ? `was killed by ${signal}` : `failed (exit ${code})`;
      reject(new UserError(ErrorCode.exportFailed, `the export tool ${how} for ${entry.name}: ${lastLine || 'no output'}`));
    });
  });
}

/** Exports a bundle and returns its folder (validated). */
export async function exportBundle(options: ExportOptions): Promise<string> {
  const entry = findModel(options.model);
  const out = options.out ? resolve(options.out) : bundleDirectory(options.modelsDir, entry.name);
  const args = ['--out', out, '--vocabulary', DEFAULT_VOCABULARY];
  if (options.checkpoint !== undefined && options.seed !== undefined) throw new UserError(ErrorCode.usage, 'give --checkpoint or --seed, not both');
  if (options.checkpoint !== undefined) {
    if (!existsSync(options.checkpoint)) throw new UserError(ErrorCode.usage, `checkpoint ${options.checkpoint} not found`, options.checkpoint);
    args.push('--checkpoint', resolve(options.checkpoint));
  }
  if (options.seed !== undefined) args.push('--seed', String(options.seed));
  if (entry.weights.kind === 'unpublished' && options.checkpoint === undefined && options.seed === undefined) {
    throw new UserError(ErrorCode.exportFailed, `${entry.name} has no published weights: ${entry.weights.hint} (npm run export -- --model ${entry.name} --checkpoint FILE)`);
  }
  if (options.tolerance !== undefined) args.push('--tolerance', String(options.tolerance));
  if (options.externalData !== undefined) args.push('--external-data', options.externalData);
  await runExporter(entry, args, options.onProgress);
  loadManifest(out);
  return out;
}

/** Writes a seeded random checkpoint of `model` in its official format (tests, parity checks). */
export async function writeRandomCheckpoint(options: { model: string; seed: number; file: string; onProgress?: (line: string) => void }): Promise<string> {
  const entry = findModel(options.model);
  const file = resolve(options.file);
  await runExporter(entry, ['--seed', String(options.seed), '--write-random-checkpoint', file], options.onProgress);
  return file;
}

export interface ReferenceEmbeddingsOptions {
  model: string;
  /** The weights: a checkpoint file in the official format, or a seed (as writeRandomCheckpoint). */
  checkpoint?: string;
  seed?: number;
  /** Raw little-endian float32 [n, bands, size, size], already normalised. */
  imagesFile?: string;
  /** JSON list of prompts (tokenised by open_clip in Python). */
  textsFile?: string;
  /** Folder for image-embeddings.f32, text-embeddings.f32 and token-ids.i64. */
  outDir: string;
  onProgress?: (line: string) => void;
}

/** torch's L2-normalised embeddings of the given inputs (the parity reference). */
export async function writeReferenceEmbeddings(options: ReferenceEmbeddingsOptions): Promise<void> {
  const entry = findModel(options.model);
  const args = ['--embed-out', resolve(options.outDir)];
  if (options.checkpoint !== undefined) args.push('--checkpoint', resolve(options.checkpoint));
  if (options.seed !== undefined) args.push('--seed', String(options.seed));
  if (options.imagesFile) args.push('--embed-images', resolve(options.imagesFile));
  if (options.textsFile) args.push('--embed-texts', resolve(options.textsFile));
  await runExporter(entry, args, options.onProgress);
}
