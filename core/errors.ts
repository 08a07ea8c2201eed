/**
 * User errors: their codes, the class, and the message builders every floor shares. A
 * user mistake (bad flag, missing file, bad manifest, corrupt tiff) is a `UserError`
 * with a stable code and a one-line message naming the file or field and the fix; the
 * CLI prints it as `error: <message>` and exits 1 with no stack trace. Anything else is a
 * bug and keeps its stack. Each message is written where the knowledge is (the loader
 * that read the file knows the fix), with these builders for the shared shapes:
 * `fileError` ("<file>: <problem>; <fix>"), `quoted` (names from data, so a newline or a
 * quote in a folder name cannot split or garble the line) and `unknownNameError`.
 *
 * Imports nothing of the project.
 */
export const ErrorCode = {
  usage: 'usage',
  unknownName: 'unknown-name',
  bundleMissing: 'bundle-missing',
  bundleInvalid: 'bundle-invalid',
  exportFailed: 'export-failed',
  pythonMissing: 'python-missing',
  deviceUnavailable: 'device-unavailable',
  modelInput: 'model-input',
  datasetMissing: 'dataset-missing',
  datasetInvalid: 'dataset-invalid',
  imageInvalid: 'image-invalid',
  templatesInvalid: 'templates-invalid',
  recordsInvalid: 'records-invalid',
  ioFailed: 'io-failed',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class UserError extends Error {
  readonly code: ErrorCode;
  /** The file the error is about, when there is one. */
  readonly file?: string;
  constructor(code: ErrorCode, message: string, file?: string) {
    super(message);
    this.name = 'UserError';
    this.code = code;
    this.file = file;
  }
}

/**
 * Characters a terminal does not show as themselves: controls, format characters (a
 * byte-order mark, zero-width and bidi marks), line/paragraph separators and spaces
 * other than the plain one.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/gu;
const HAS_INVISIBLE = new RegExp(INVISIBLE.source, 'u');

/**
 * A name taken from data (class folder, patch, file), quoted as JSON, so a newline or
 * a quote cannot split or garble the line, and with every invisible character written
 * as \uXXXX so the user can see it (JSON leaves a byte-order mark or U+2028 as is).
 */
export function quoted(name: string): string {
  return visible(JSON.stringify(name));
}

/** Text with every invisible character written as \\uXXXX (for a parser's message quoting the input). */
export function visible(text: string): string {
  return text.replace(INVISIBLE, (character) => `\\u${character.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/** A path as messages show it: as is when it prints as itself, else `quoted`. */
export function shownPath(path: string): string {
  return HAS_INVISIBLE.test(path) || path.includes('"') ? quoted(path) : path;
}

/** `<file>: <problem>; <fix>`, the shape of every message about an input file. */
export function fileError(code: ErrorCode, file: string, problem: string, fix: string): UserError {
  return new UserError(code, `${shownPath(file)}: ${problem}; ${fix}`, file);
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, index) => index);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[y.length];
}

/** `unknown model "Llama3-MS-CLP": did you mean "Llama3-MS-CLIP-Base"? Known: a, b, c` */
export function unknownNameError(kind: string, name: string, known: readonly string[]): UserError {
  const ranked = [...known].sort((a, b) => editDistance(name, a) - editDistance(name, b));
  const best = ranked[0];
  const close = best !== undefined && editDistance(name, best) <= Math.max(3, Math.floor(best.length / 3));
  const hint = close ? ` did you mean "${best}"?` : '';
  return new UserError(ErrorCode.unknownName, `unknown ${kind} "${name}":${hint} known ${kind}s: ${known.join(', ')}`);
}
