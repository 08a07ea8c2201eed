/**
 * Shared command-line plumbing: strict flag parsing into options objects, list flags
 * (repeatable and comma-separated), the flags every model-using command takes, and
 * the top-level error handler that turns a UserError into one line on stderr.
 */
import { availableParallelism } from 'node:os';
import { machineWorkerCount } from '../preprocess/stream.ts';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Device } from '../adapters/types.ts';
import { ErrorCode, UserError, isUserError, quoted } from '../core/errors.ts';

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

/** Flags of every command that runs a model. */
export const modelFlags = {
  'models-dir': { type: 'string', default: 'models' },
  device: { type: 'string', default: 'auto' },
  'no-export': { type: 'boolean', default: false },
  'batch-size': { type: 'string' },
  'max-image-pixels': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies FlagSpec;

export interface ParsedFlags {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** parseArgs, strict, with unknown/invalid flags reported as a one-line usage error. */
export function parseFlags(argv: readonly string[], options: FlagSpec, command: string): ParsedFlags {
  try {
    const parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
    return { values: parsed.values, positionals: parsed.positionals };
  } catch (error) {
    throw flagUsageError(error, command, argv);
  }
}

/** What the number flags take, for the message when their value starts with a dash (`--batch-size -1`). */
const NUMBER_FLAGS: Readonly<Record<string, string>> = {
  'batch-size': 'a positive integer',
  'top-k': 'a positive integer',
  'max-image-pixels': 'a positive integer',
  workers: '0 or a positive integer',
};

/**
 * A parseArgs failure (unknown flag, missing value) as a one-line usage error pointing
 * at --help. A value starting with a dash is "ambiguous" to parseArgs, whose hint
 * (`--batch-size=-XYZ`) would only lead to the next error: a number flag says what it
 * takes instead, any other flag how to pass such a value.
 */
export function flagUsageError(error: unknown, command: string, argv: readonly string[] = []): UserError {
  const help = `(see: npm run ${command} -- --help)`;
  const text = (error as Error).message;
  const ambiguous = /^Option '--([^' ]+)' argument is ambiguous/.exec(text);
  if (ambiguous) {
    const flag = ambiguous[1];
    const value = argv[argv.indexOf(`--${flag}`) + 1] ?? '';
    const takes = Object.hasOwn(NUMBER_FLAGS, flag) ? NUMBER_FLAGS[flag] : undefined;
    if (takes !== undefined) return new UserError(ErrorCode.usage, `--${flag} must be ${takes}, got ${quoted(value)} ${help}`);
    return new UserError(ErrorCode.usage, `--${flag} ${quoted(value)}: a value starting with "-" looks like a flag; write --${flag}=${value} if it is the value ${help}`);
  }
  const message = text.split('\n')[0].replace(/^TypeError \[[A-Z_]+\]: /, '');
  return new UserError(ErrorCode.usage, `${message} ${help}`);
}

/** Values of a repeatable flag, each split on commas when `splitCommas`; trimmed, empty parts dropped, order kept. */
export function listValues(value: unknown, splitCommas: boolean): string[] {
  const raw = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return raw.flatMap((entry) => (splitCommas ? String(entry).split(',') : [String(entry)])).map((entry) => entry.trim()).filter((entry) => entry !== '');
}

/**
 * A list flag: repeated and/or comma-separated values, trimmed, empty parts dropped,
 * order kept, duplicates removed. Given but naming nothing (`--datasets ,,`) is an
 * error, not the same as leaving the flag out (which may mean "all").
 */
export function listFlag(value: unknown, flag: string): string[] {
  const list = [...new Set(listValues(value, true))];
  if (value !== undefined && list.length === 0) {
    const given = (Array.isArray(value) ? value : [value]).map(String).join(',');
    throw new UserError(ErrorCode.usage, `--${flag} ${quoted(given)} names nothing; give names separated by commas, or leave the flag out for the default`);
  }
  return list;
}

export function stringFlag(value: unknown): string | undefined {
  const last: unknown = Array.isArray(value) ? value[value.length - 1] : value;
  return typeof last === 'string' || typeof last === 'boolean' ? String(last) : undefined;
}

/**
 * A whole number written in plain decimal digits: Number() would also take "0x10",
 * "1e3", " 5" or "" (as 16, 1000, 5, 0), and a typo should not quietly become a size.
 */
function decimalFlag(value: unknown, flag: string, minimum: 0 | 1): number | undefined {
  const text = stringFlag(value);
  if (text === undefined) return undefined;
  const number = Number(text);
  if (!/^(0|[1-9][0-9]*)$/.test(text) || !Number.isSafeInteger(number) || number < minimum) {
    const takes = minimum === 1 ? 'a positive integer' : '0 or a positive integer';
    throw new UserError(ErrorCode.usage, `--${flag} must be ${takes} in plain decimal digits, got ${quoted(text)}`);
  }
  return number;
}

export function positiveIntegerFlag(value: unknown, flag: string, fallback: number): number {
  return decimalFlag(value, flag, 1) ?? fallback;
}

/** An integer flag from 0 to `max` (e.g. --bootstrap 0 = off, a seed). */
export function nonNegativeIntegerFlag(value: unknown, flag: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const number = decimalFlag(value, flag, 0) ?? fallback;
  if (number > max) throw new UserError(ErrorCode.usage, `--${flag} must be an integer from 0 to ${max}, got ${number}`);
  return number;
}

/**
 * --workers N: 0 means the main thread; absent means the library's default. More
 * threads than cores only add memory (each holds batches in flight), so N is capped
 * at the core count, with a note.
 */
export function workersFlag(value: unknown, note: (line: string) => void = log): number | undefined {
  const workers = decimalFlag(value, 'workers', 0);
  // Without --workers, a bad MSCLIP_WORKERS is one error line now, not after the models load.
  if (workers === undefined) machineWorkerCount();
  const cores = availableParallelism();
  if (workers !== undefined && workers > cores) {
    note(`note: --workers ${workers} is more than the ${cores} cores of this machine; using ${cores}`);
    return cores;
  }
  return workers;
}

const DEVICES = ['auto', 'cpu', 'cuda', 'webgpu'] as const satisfies readonly Device[];

export function deviceFlag(value: unknown): Device {
  const text = stringFlag(value) ?? 'auto';
  if (!(DEVICES as readonly string[]).includes(text)) {
    throw new UserError(ErrorCode.usage, `--device must be one of ${DEVICES.join(', ')}, got "${text}"`);
  }
  return text as Device;
}

/** Logs go to stderr so that `--json` keeps stdout pure. */
export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * Runs a command's main function: a UserError becomes `error: <message>` on one
 * line and exit code 1; anything else is a bug and keeps its stack trace.
 */
export async function runCli(main: () => Promise<number | void>): Promise<void> {
  try {
    const code = await main();
    process.exitCode = code ?? 0;
  } catch (error) {
    if (isUserError(error)) {
      // One line, whatever the message holds (a name with a newline must not cut off the fix).
      process.stderr.write(`error: ${error.message.replace(/\s*[\r\n]+\s*/g, ' ')}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

/** A command's body: parse argv, print the help or run the request; resolves with the exit code. */
export async function commandMain<R>(argv: readonly string[], help: string, parse: (argv: readonly string[]) => R | 'help', run: (request: R) => Promise<number | void>): Promise<number> {
  const request = parse(argv);
  if (request === 'help') {
    process.stdout.write(help);
    return 0;
  }
  return (await run(request)) ?? 0;
}
