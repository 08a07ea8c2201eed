// Band-condition records on the leaderboard: the main table and radar stay full-band,
// the benchmark page gets a "Missing bands" chart and table with the change from the
// full-band score, worst first, and RGB models are "not applicable".
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeRecord } from '../../records/records.ts';
import { bandConditionViews } from '../../reports/band-conditions.ts';
import { buildReport } from '../../reports/build.ts';
import { sampleRecord } from '../../reports/sample.ts';

const work = mkdtempSync(join(tmpdir(), 'band-report-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

function results(): string {
  const folder = join(work, 'results');
  const base = { dataset: 'EuroSAT_MS', demo: false } as const;
  writeRecord(folder, 'run', sampleRecord({ ...base, model: 'Alpha-MS', classification: 0.8, retrieval: 0.7, imageKind: 'multispectral' }));
  writeRecord(folder, 'run', sampleRecord({ ...base, model: 'Beta-RGB', classification: 0.6, retrieval: 0.5, imageKind: 'rgb' }));
  for (const [dropped, label, classification] of [[['B11', 'B12'], 'drop swir', 0.5], [['B08'], 'drop B08', 0.75]] as const) {
    const record = sampleRecord({ ...base, model: 'Alpha-MS', classification, retrieval: 0.6, imageKind: 'multispectral' });
    record.condition = { dropped: [...dropped], fill: 'channel-mean', label };
    writeRecord(folder, 'run', record);
  }
  return folder;
}

test('condition records: change from the full-band score, worst first; RGB not applicable; the main table stays full-band', async () => {
  const folder = results();
  const site = await buildReport({ results: [folder], out: join(work, 'site') });
  const views = bandConditionViews((await import('../../records/records.ts')).readRecords([folder]));
  assert.is(views.length, 1);
  assert.equal(views[0].rows.map((row) => row.condition), ['drop swir', 'drop B08']);
  assert.ok(Math.abs(views[0].rows[0].scores[0].delta! - -30) < 1e-9, `swir change ${views[0].rows[0].scores[0].delta}`);
  assert.equal(views[0].notApplicable, ['Beta-RGB']);
  // Two entries in the main table (no condition rows), and the full-band score in it.
  assert.is(site.leaderboard.entries.length, 2);
  const index = readFileSync(site.index, 'utf8');
  assert.not.match(index, /drop swir/);
  const page = readFileSync(site.pages.find((path) => path.includes('EuroSAT'))!, 'utf8');
  assert.match(page, /<h2>Missing bands<\/h2>/);
  assert.match(page, /<td class="text">Alpha-MS<\/td><td class="text">drop swir<\/td><td class="text">B11 B12<\/td><td class="text">channel-mean<\/td><td>50\.00<\/td><td data-sort="-30[^"]*">-30\.00<\/td>/);
  assert.match(page, /Beta-RGB<\/td><td class="text" colspan="3">not applicable/);
});

test.run();
