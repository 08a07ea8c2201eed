/**
 * Files that appear whole or not at all: written to a fresh, fsynced temporary file
 * in the same folder, then linked (never replacing) or renamed (replacing) into place.
 *
 * Imports only core/.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, unlinkSync, writeSync, type Dirent } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ErrorCode, UserError } from './errors.ts';

/**
 * Temporary files are named `.<final name>.<host>.<pid>.<random>.tmp`, so a later run can
 * tell the leftovers of a killed writer (same host, process gone) from a live one's.
 */
const TEMPORARY = /^\.(.+)\.([^.]+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;
const HOST = hostname().replace(/[^A-Za-z0-9-]/g, '-') || 'host';

/**
 * Writes `content` to a fresh, fsynced temporary file beside `path`; returns its name.
 * Content given as parts is written part by part, so a large file assembled from
 * views (a Parquet chunk: headers, then the caller's floats) is never copied whole.
 */
export function writeTemporary(path: string, content: string | Uint8Array | readonly Uint8Array[]): string {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.${HOST}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const descriptor = openSync(temporary, 'wx');
  try {
    const parts = typeof content === 'string' ? [Buffer.from(content, 'utf8')] : content instanceof Uint8Array ? [content] : content;
    for (const bytes of parts) {
      let written = 0;
      while (written < bytes.length) written += writeSync(descriptor, bytes, written, bytes.length - written);
    }
    fsyncSync(descriptor);
  } catch (error) {
    closeSync(descriptor);
    unlinkSync(temporary);
    throw ioError(error, path);
  }
  closeSync(descriptor);
  return temporary;
}

/** A full disk, a read-only folder or a missing permission as one line; anything else as it is. */
export function ioError(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reasons: Record<string, string> = {
    ENOSPC: 'no space left on the device; free some space or choose another --save-path',
    EDQUOT: 'disk quota exceeded; free some space or choose another --save-path',
    EROFS: 'the file system is read-only; choose another --save-path',
    EACCES: 'permission denied; choose a folder you can write to',
    EPERM: 'operation not permitted; choose a folder you can write to',
  };
  const reason = code === undefined ? undefined : reasons[code];
  return reason === undefined ? error : new UserError(ErrorCode.ioFailed, `${path}: cannot write (${reason})`, path);
}

/**
 * Writes several files that belong together (a record and its companions) so that a
 * reader sees all of them or none: every file is first written to a temporary name,
 * then each is linked into place, `files` in order with the last one (the record) as
 * the commit point. On failure everything already linked is removed again; a process
 * killed half way leaves temporary files that `sweepLeftovers` recognises.
 */
export function writeFilesTogether(files: readonly { path: string; content: string | Uint8Array }[]): void {
  const temporaries: string[] = [];
  const linked: string[] = [];
  try {
    for (const file of files) {
      if (existsSync(file.path)) throw new UserError(ErrorCode.ioFailed, `${file.path} already exists: files are never overwritten; choose another --save-path`, file.path);
      temporaries.push(writeTemporary(file.path, file.content));
    }
    files.forEach((file, index) => {
      try {
        linkSync(temporaries[index], file.path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new UserError(ErrorCode.ioFailed, `${file.path} already exists: files are never overwritten; choose another --save-path`, file.path);
        throw ioError(error, file.path);
      }
      linked.push(file.path);
    });
  } catch (error) {
    for (const path of linked) rmSync(path, { force: true });
    throw error;
  } finally {
    for (const temporary of temporaries) rmSync(temporary, { force: true });
  }
}

/** Whether a process of this host is still running (a writer whose leftovers must be kept). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes what a killed writer left under `root`: its temporary files, and the final
 * files it had linked before the commit point (`orphanOf(final)` names the file whose
 * absence makes `final` an orphan, e.g. a record's CSV without its record). Temporary
 * files of live processes and of other hosts are left alone, and so is anything this
 * process may not remove. Returns what was removed.
 */
export function sweepLeftovers(root: string, orphanOf: (final: string) => string | undefined): string[] {
  const removed: string[] = [];
  const visit = (folder: string, depth: number): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (depth < 6) visit(path, depth + 1);
        continue;
      }
      const match = TEMPORARY.exec(entry.name);
      if (!match || match[2] !== HOST || processIsAlive(Number(match[3]))) continue;
      const final = join(folder, match[1]);
      const owner = orphanOf(final);
      // Best effort: a leftover this process may not remove (another user's, in a shared
      // folder) is left where it is rather than failing the run that found it.
      try {
        if (owner !== undefined && existsSync(final) && !existsSync(owner)) {
          rmSync(final, { force: true });
          removed.push(final);
        }
        rmSync(path, { force: true });
        removed.push(path);
      } catch {
        continue;
      }
    }
  };
  visit(root, 0);
  return removed;
}

/**
 * Writes `content` as `path`, all or nothing, never replacing a file: a fresh fsynced
 * temporary file beside it, hard-linked into place (a link, unlike a rename, fails when
 * the name exists). Returns false when `path` already exists (another writer made it).
 */
export function writeFileIfAbsent(path: string, content: string | Uint8Array | readonly Uint8Array[]): boolean {
  const temporary = writeTemporary(path, content);
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw ioError(error, path);
  } finally {
    // force: a missing temporary file must not hide the error above.
    rmSync(temporary, { force: true });
  }
}

/** Atomic replace (for files that are meant to be refreshed, such as a report page). */
export function writeFileAtomic(path: string, content: string | Uint8Array | readonly Uint8Array[]): void {
  renameSync(writeTemporary(path, content), path);
}

