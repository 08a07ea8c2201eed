/**
 * Files that appear whole or not at all: written to a fresh, fsynced temporary file
 * in the same folder, then linked (never replacing) or renamed (replacing) into place.
 *
 * Imports only core/.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ErrorCode, UserError } from './errors.ts';

/**
 * Writes `content` to a fresh, fsynced temporary file beside `path`; returns its name.
 * Content given as parts is written part by part, so a large file assembled from
 * views (a Parquet chunk: headers, then the caller's floats) is never copied whole.
 */
export function writeTemporary(path: string, content: string | Uint8Array | readonly Uint8Array[]): string {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
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
      throw new UserError(ErrorCode.ioFailed, `${path} already exists: the file is never overwritten; choose another --save-path or run id`, path);
    }
    throw error;
  }
  unlinkSync(temporary);
}

/** Atomic replace (for files that are meant to be refreshed, such as a report page). */
export function writeFileAtomic(path: string, content: string | Uint8Array | readonly Uint8Array[]): void {
  renameSync(writeTemporary(path, content), path);
}

