/**
 * Shared command-line plumbing: strict flag parsing into options objects, list flags
 * (repeatable and comma-separated), the flags every model-using command takes, and
 * the top-level error handler that turns a UserError into one line on stderr.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Device } from '../adapters/types.ts';
import { ErrorCode, UserError, isUserError } from '../core/errors.ts';

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

/** Flags of every command that runs a model. */
export const modelFlags = {
  'models-dir': { type: 'string', default: 'models' },
  device: { type: 'string', default: 'auto' },
  'no-export': { type: 'boolean', default: false },
  'batch-size': { type: 'string' },
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
    throw flagUsageError(error, command);
  }
}

/** A parseArgs failure (unknown flag, missing value) as a one-line usage error pointing at --help. */
export function flagUsageError(error: unknown, command: string): UserError {
  const message = (error as Error).message.split('\n')[0].replace(/^TypeError \[[A-Z_]+\]: /, '');
  return new UserError(ErrorCode.usage, `${message} (see: npm run ${command} -- --help)`);
}

/** Values of a repeatable flag, each split on commas when `splitCommas`; trimmed, empty parts dropped, order kept. */
export function listValues(value: unknown, splitCommas: boolean): string[] {
  const raw = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return raw.flatMap((entry) => (splitCommas ? String(entry).split(',') : [String(entry)])).map((entry) => entry.trim()).filter((entry) => entry !== '');
}

/** A list flag: repeated and/or comma-separated values, trimmed, empty parts dropped, order kept, duplicates removed. */
export function listFlag(value: unknown): string[] {
  return [...new Set(listValues(value, true))];
}

export function stringFlag(value: unknown): string | undefined {
  const last: unknown = Array.isArray(value) ? value[value.length - 1] : value;
  return typeof last === 'string' || typeof last === 'boolean' ? String(last) : undefined;
}

export function positiveIntegerFlag(value: unknown, flag: string, fallback: number): number {
  const text = stringFlag(value);
  if (text === undefined) return fallback;
  const number = Number(text);
  if (!Number.isInteger(number) || number < 1) throw new UserError(ErrorCode.usage, `--${flag} must be a positive integer, got "${text}"`);
  return number;
}

/** An integer flag from 0 to `max` (e.g. --bootstrap 0 = off, a seed). */
export function nonNegativeIntegerFlag(value: unknown, flag: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = stringFlag(value);
  if (text === undefined) return fallback;
  const number = Number(text);
  if (text.trim() === '' || !Number.isInteger(number) || number < 0 || number > max) {
    throw new UserError(ErrorCode.usage, `--${flag} must be an integer from 0 to ${max}, got "${text}"`);
  }
  return number;
}

/** --workers N: 0 means the main thread; absent means the library's default. */
export function workersFlag(value: unknown): number | undefined {
  const text = stringFlag(value);
  if (text === undefined) return undefined;
  const number = Number(text);
  if (!Number.isInteger(number) || number < 0) throw new UserError(ErrorCode.usage, `--workers must be 0 or a positive integer, got "${text}"`);
  return number;
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
