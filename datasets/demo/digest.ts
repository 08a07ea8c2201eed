/**
 * One sha256 over every file of a generated suite (sorted relative paths and their
 * own sha256), so "same seed, same bytes" is a single comparison.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

async function filesUnder(root: string, folder = root): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const nested = await Promise.all(entries.map((entry) => (entry.isDirectory() ? filesUnder(root, join(folder, entry.name)) : Promise.resolve([join(folder, entry.name)]))));
  return nested.flat();
}

export async function suiteDigest(root: string): Promise<{ sha256: string; files: number }> {
  const files = (await filesUnder(root)).map((file) => relative(root, file).split('\\').join('/')).sort();
  const digest = createHash('sha256');
  for (const file of files) {
    const content = createHash('sha256').update(await readFile(join(root, file))).digest('hex');
    digest.update(`${file}\0${content}\n`);
  }
  return { sha256: digest.digest('hex'), files: files.length };
}
