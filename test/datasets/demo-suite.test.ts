// The demo suite is the same on every machine: generated twice (as two CI jobs do), the
// files have the same bytes and the same modification times, so the embedding store's
// item stamps agree and embeddings stored by one job serve the other.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ensureDemoSuite } from '../../datasets/demo/generate.ts';

const work = mkdtempSync(join(tmpdir(), 'msclip-demo-suite-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

function fingerprint(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      // The generator's own stamp (what made the suite) is no dataset file.
      else if (entry.name === '.demo-suite.json') continue;
      else out.set(relative(root, path), `${createHash('sha256').update(readFileSync(path)).digest('hex')} ${statSync(path).mtimeMs}`);
    }
  };
  walk(root);
  return out;
}

test('two generations: the same files, bytes and modification times', async () => {
  const first = await ensureDemoSuite({ cacheDir: join(work, 'a') });
  // Another machine, a moment later.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const second = await ensureDemoSuite({ cacheDir: join(work, 'b') });
  const [a, b] = [fingerprint(first), fingerprint(second)];
  assert.ok(a.size > 1000, `${a.size} files`);
  assert.equal([...a.keys()].sort(), [...b.keys()].sort());
  for (const [file, print] of a) assert.is(b.get(file), print, file);
});

test.run();
