/**
 * What `npm run classify` and `npm run retrieve` share: flag parsing (list flags take
 * repeated flags, comma lists where that is safe, and the reference's space-separated
 * `--class-names a b c`), class/query files, the terminal table, CSV, the
 * progress bar, and running a request to its output (`runInferenceCommand`).
 * Output rules: with --json stdout holds only the JSON; progress and
 * notes always go to stderr.
 */
import { checkOutputFile } from '../core/output-paths.ts';
import { DEFAULTS } from './defaults.ts';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { deviceFlag, flagUsageError, listValues, log, modelFlags, positiveIntegerFlag, stringFlag, workersFlag, type FlagSpec } from './flags.ts';
import { writeFileAtomic } from '../core/atomic.ts';
import { ErrorCode, UserError } from '../core/errors.ts';
import { createProgress } from '../core/progress.ts';
import { storeFlags, storeOptions } from './store-flags.ts';

/** Flags of both commands besides their own. */
/** The help lines of `inferenceFlags`, the same for classify and retrieve. */
export const INFERENCE_FLAGS_HELP = `  --json                  print only JSON on stdout (progress and notes go to stderr)
  --save-embeddings FILE  save the image embeddings for later calls (Parquet: columns id,
                          path, stamp, embedding; pandas.read_parquet reads it)
  --embeddings FILE       reuse saved image embeddings (only the text tower runs);
                          --images may be left out; a stale file is refused
  --cache-dir DIR         the embedding store: images encoded before are not encoded again
                          (default $XDG_CACHE_HOME/msclip-bench or ~/.cache/msclip-bench)
  --no-cache              neither read nor write the store
  --cache-only            never encode: fail, naming them, if the store lacks an image
  --models-dir DIR        bundle root (default models)
  --checkpoint FILE       local checkpoint, to export a missing bundle from
  --device D              auto (default), cpu, cuda or webgpu
  --batch-size N          images per model call (default ${DEFAULTS.batchSize})
  --workers N             image reading threads (default: none for two batches or less, else every core; 0 = main thread; at most the core count)
  --max-image-pixels N    refuse images larger than N pixels (width x height) before decoding (default ${DEFAULTS.maxImagePixels})
  --no-export             never export a missing bundle; fail with instructions instead
`;

export const inferenceFlags = {
  ...modelFlags,
  model: { type: 'string', default: 'Llama3-MS-CLIP-Base' },
  images: { type: 'string' },
  checkpoint: { type: 'string' },
  'save-path': { type: 'string' },
  embeddings: { type: 'string' },
  'save-embeddings': { type: 'string' },
  workers: { type: 'string' },
  ...storeFlags,
} as const satisfies FlagSpec;

export type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/**
 * parseArgs, strict, where bare words after a list flag (`--class-names a b c`,
 * `--query "x" "y"`) extend that flag, as the reference's argparse nargs="*" does.
 */
export function parseInferenceFlags(argv: readonly string[], options: FlagSpec, listFlags: readonly string[], command: string): FlagValues {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true, tokens: true });
  } catch (error) {
    throw flagUsageError(error, command, argv);
  }
  const values = { ...parsed.values };
  let extending: string | undefined;
  for (const token of parsed.tokens) {
    if (token.kind === 'option') {
      extending = listFlags.includes(token.name) ? token.name : undefined;
    } else if (token.kind === 'positional') {
      if (extending === undefined) throw new UserError(ErrorCode.usage, `unexpected argument "${token.value}" (see: npm run ${command} -- --help)`);
      const current = values[extending];
      values[extending] = [...(Array.isArray(current) ? current : current === undefined ? [] : [current]), token.value];
    } else {
      extending = undefined;
    }
  }
  return values;
}

/**
 * Class names or queries from a file, as the reference reads them: .txt one per line
 * (blank lines skipped), .yaml/.yml a list under `key` (or a bare list).
 */
export function readTextList(file: string, key: 'classes' | 'queries'): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(ErrorCode.usage, `${file}: cannot read the ${key} file (${(error as NodeJS.ErrnoException).code ?? String(error)})`, file);
  }
  const extension = extname(file).toLowerCase();
  let entries: unknown;
  if (extension === '.txt') {
    entries = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  } else if (extension === '.yaml' || extension === '.yml') {
    try {
      const parsed = parseYaml(text) as unknown;
      entries = Array.isArray(parsed) ? parsed : (parsed as Record<string, unknown> | null)?.[key];
    } catch (error) {
      throw new UserError(ErrorCode.usage, `${file}: not valid YAML (${(error as Error).message.split('\n')[0]})`, file);
    }
  } else {
    throw new UserError(ErrorCode.usage, `${file}: the ${key} file must be .txt (one per line) or .yaml (a list under "${key}:")`, file);
  }
  if (!Array.isArray(entries) || entries.some((entry) => typeof entry !== 'string' && typeof entry !== 'number')) {
    throw new UserError(ErrorCode.usage, `${file}: expected a list of ${key} under "${key}:"`, file);
  }
  const list = entries.map((entry) => String(entry).trim()).filter((entry) => entry !== '');
  if (list.length === 0) throw new UserError(ErrorCode.usage, `${file}: no ${key} in the file`, file);
  return list;
}

/**
 * The class names or queries of a command: from its list flag or from its file flag,
 * exactly one of the two.
 */
export function listOrFile(values: FlagValues, flags: { list: string; file: string; key: 'classes' | 'queries'; example: string; splitCommas: boolean }): string[] {
  const listed = listValues(values[flags.list], flags.splitCommas);
  const file = stringFlag(values[flags.file]);
  usageIf(listed.length > 0 && file !== undefined, `give --${flags.list} or --${flags.file}, not both`);
  usageIf(listed.length === 0 && file === undefined, `no ${flags.key}: pass --${flags.list} ${flags.example} or --${flags.file} FILE.txt|.yaml`);
  return file !== undefined ? readTextList(file, flags.key) : listed;
}

/** What classify and retrieve requests add to their library options: where the output goes. */
export interface OutputOptions {
  json: boolean;
  savePath?: string;
}

/** A plain text table; number columns right-aligned, non-integer columns with `digits` decimals. */
export function renderTable(header: readonly string[], rows: readonly (readonly (string | number)[])[], digits = 3): string {
  const numeric = header.map((_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number'));
  const integers = header.map((_, column) => numeric[column] && rows.every((row) => Number.isInteger(row[column])));
  const cells = rows.map((row) => row.map((cell, column) => (numeric[column] && !integers[column] ? (cell as number).toFixed(digits) : String(cell))));
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => row[column].length)));
  const line = (row: readonly string[]): string => row.map((cell, column) => (numeric[column] ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join('  ').trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.map(line)].join('\n') + '\n';
}

/** RFC 4180 CSV. */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const field = (value: string | number): string => {
    const text = String(value);
    return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [header, ...rows].map((row) => row.map(field).join(',')).join('\n') + '\n';
}

/** A progress bar (terminal) or periodic lines (logs), on stderr. */
export function progressReporter(label: string): { onProgress: (done: number, total: number) => void; finish: () => void } {
  let progress: ReturnType<typeof createProgress> | undefined;
  let reported = 0;
  return {
    onProgress(done, total) {
      progress ??= createProgress({ label, total });
      progress.tick(done - reported);
      reported = done;
    },
    finish() {
      progress?.done();
    },
  };
}

export function usageIf(condition: boolean, message: string): void {
  if (condition) throw new UserError(ErrorCode.usage, message);
}

/** The options every inference command reads the same way (model, inputs, device, cache, output). */
export function commonInferenceOptions(values: FlagValues) {
  const store = storeOptions(values);
  return {
    model: stringFlag(values.model) ?? DEFAULTS.model,
    images: stringFlag(values.images),
    modelsDir: stringFlag(values['models-dir']) ?? DEFAULTS.modelsDir,
    device: deviceFlag(values.device),
    allowExport: !values['no-export'],
    checkpoint: stringFlag(values.checkpoint),
    batchSize: positiveIntegerFlag(values['batch-size'], 'batch-size', DEFAULTS.batchSize),
    workers: workersFlag(values.workers),
    maxImagePixels: positiveIntegerFlag(values['max-image-pixels'], 'max-image-pixels', DEFAULTS.maxImagePixels),
    embeddings: stringFlag(values.embeddings),
    saveEmbeddings: stringFlag(values['save-embeddings']),
    cacheDir: store ? store.dir : false as const,
    cacheOnly: store?.cacheOnly ?? false,
    savePath: stringFlag(values['save-path']),
    json: Boolean(values.json),
  };
}

/** A command's result as a table: the same header and rows for the terminal and the CSV. */
export interface InferenceTable<R> {
  heading: (result: R) => string;
  header: (result: R) => string[];
  rows: (result: R) => (string | number)[][];
  /** Decimals of non-integer number columns in the terminal table. */
  digits: number;
}

/**
 * Runs classify or retrieve with a progress bar on stderr, writes the CSV when
 * --save-path is given, and prints the JSON (--json) or the heading and table.
 */
export async function runInferenceCommand<R>(
  request: OutputOptions,
  infer: (hooks: { onProgress: (done: number, total: number) => void; onNote: (line: string) => void }) => Promise<R>,
  table: InferenceTable<R>,
): Promise<R> {
  // Checked before the model runs: a wrong --save-path fails at once, not after the encoding.
  if (request.savePath) checkOutputFile(request.savePath, '--save-path');
  const progress = progressReporter('encoding images');
  const result = await infer({ onProgress: progress.onProgress, onNote: log });
  progress.finish();
  const header = table.header(result);
  const rows = table.rows(result);
  if (request.savePath) {
    writeFileAtomic(request.savePath, toCsv(header, rows));
    log(`saved ${rows.length} rows to ${request.savePath}`);
  }
  if (request.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    process.stdout.write(`${table.heading(result)}\n`);
    process.stdout.write(renderTable(header, rows, table.digits));
  }
  return result;
}
