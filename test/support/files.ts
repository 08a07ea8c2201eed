// Every file under a folder (recursively) whose name ends with `suffix`, sorted: a
// store's chunk files, a --save-path's records.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export function filesUnder(folder: string, suffix: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith(suffix)).map((name) => join(folder, name)).sort();
}
