/**
 * Renders the leaderboard and photographs it in headless Chromium for the README:
 *
 *   node --import tsx test/support/screenshot-leaderboard.ts [--results DIR ...] [--out docs/leaderboard.png]
 *
 * With --results it shows those records; without, six synthetic demo models
 * (reports/sample.ts), which the page badges as demo results.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { listFlag } from '../../cli/flags.ts';
import { buildReport } from '../../reports/build.ts';
import { writeSampleResults } from '../../reports/sample.ts';
import { Chromium } from './chromium.ts';

const { values } = parseArgs({
  options: {
    results: { type: 'string', multiple: true },
    out: { type: 'string', default: 'docs/leaderboard.png' },
    height: { type: 'string', default: '1700' },
  },
});

const scratch = mkdtempSync(join(tmpdir(), 'msclip-screenshot-'));
let results = listFlag(values.results, 'results');
if (results.length === 0) {
  writeSampleResults(join(scratch, 'results'));
  results = [join(scratch, 'results')];
}
const site = await buildReport({ results, out: join(scratch, 'site'), log: (line) => process.stderr.write(`${line}\n`) });
const browser = await Chromium.launch();
try {
  const page = await browser.open(pathToFileURL(site.index).href, { width: 1200, height: 900 });
  const errors = page.errors();
  if (errors.length) throw new Error(`the page logged errors:\n${errors.join('\n')}`);
  writeFileSync(values.out, await page.screenshot(Number(values.height)));
  process.stderr.write(`wrote ${values.out}\n`);
} finally {
  await browser.close();
}
