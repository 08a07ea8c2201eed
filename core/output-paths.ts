/**
 * Output locations are checked before any model runs, so a wrong --save-path fails in
 * a second with one line instead of after an hour of encoding. A folder must be (or be
 * creatable as) a writable folder; a file must not be a folder and its folder must be
 * writable. Writability is tried, not guessed from permission bits (root passes every
 * access() check, a read-only mount does not): a probe file is created and removed in
 * the nearest folder that exists. /proc and /sys are refused outright (Node's recursive
 * mkdir loops forever there).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, rmSync, statfsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ErrorCode, UserError } from './errors.ts';

const PSEUDO_FILE_SYSTEMS: Record<number, string> = { 0x9fa0: 'procfs', 0x62656572: 'sysfs', 0x64626720: 'debugfs', 0x1cd1: 'devpts' };

/** The nearest existing path at or above `path`. */
function nearestExisting(path: string): string {
  let current = resolve(path);
  while (!existsSync(current)) {
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}

function probe(folder: string, target: string, flag: string): void {
  const kind = PSEUDO_FILE_SYSTEMS[statfsSync(folder).type];
  if (kind !== undefined) throw new UserError(ErrorCode.usage, `${flag} ${target}: ${folder} is on ${kind}, not a place for files; choose a normal folder`, target);
  const file = join(folder, `.msclip-write-test-${process.pid}-${randomBytes(3).toString('hex')}`);
  try {
    closeSync(openSync(file, 'wx'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'EROFS' ? 'the file system is read-only' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOSPC' ? 'no space left on the device' : code;
    throw new UserError(ErrorCode.usage, `${flag} ${target}: cannot write in ${folder} (${why}); choose a folder you can write to`, target);
  } finally {
    rmSync(file, { force: true });
  }
}

/** `path` is a writable folder or can be created as one. */
export function checkOutputFolder(path: string, flag: string): void {
  const existing = nearestExisting(path);
  if (!statSync(existing).isDirectory()) {
    const where = existing === resolve(path) ? 'is a file' : `cannot be created: ${existing} is a file`;
    throw new UserError(ErrorCode.usage, `${flag} ${path} ${where}; pass a folder`, path);
  }
  probe(existing, path, flag);
}

/** `path` can be written as a file: not a folder, and its folder writable (or creatable). */
export function checkOutputFile(path: string, flag: string): void {
  if (existsSync(path) && statSync(path).isDirectory()) throw new UserError(ErrorCode.usage, `${flag} ${path} is a folder; pass a file name`, path);
  checkOutputFolder(dirname(resolve(path)), flag);
}
