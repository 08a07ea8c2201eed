// Data that attacks the report: class names that are Object.prototype's own names, a
// malformed record among good ones, and a report that fails half way - the previous
// site must stay whole, and the per-class values of such classes must be right.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeRecord } from '../../records/records.ts';
import { buildReport } from '../../reports/build.ts';
import { sampleRecord } from '../../reports/sample.ts';
import { perClassValue } from '../../reports/values.ts';

const work = mkdtempSync(join(tmpdir(), 'hostile-report-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

let counter = 0;
const HOSTILE_CLASSES = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty'];

function hostileResults(): string {
  const results = join(work, `results-${counter++}`);
  for (const [model, kind, score] of [['Alpha-MS', 'multispectral', 0.7], ['constructor', 'rgb', 0.5]] as const) {
    const record = sampleRecord({ model, dataset: 'EuroSAT_MS', classification: score, retrieval: score, imageKind: kind, demo: false, classes: HOSTILE_CLASSES });
    record.classes = [...HOSTILE_CLASSES];
    const perClass = Object.create(null) as typeof record.per_class;
    HOSTILE_CLASSES.forEach((name, index) => { perClass[name] = { accuracy: score - index / 100, ap: score, precision: score, recall: score, f1: score }; });
    record.per_class = perClass;
    writeRecord(results, 'run', record);
  }
  return results;
}

test('class names constructor, __proto__, toString...: the site builds and their per-class values are the records\'', async () => {
  const results = hostileResults();
  const site = await buildReport({ results: [results], out: join(work, 'site') });
  const page = readFileSync(site.pages.find((path) => path.includes('EuroSAT'))!, 'utf8');
  for (const name of HOSTILE_CLASSES) assert.ok(page.includes(name), `${name} missing from the benchmark page`);
  const record = sampleRecord({ model: 'x', dataset: 'EuroSAT_MS', classification: 0.5, retrieval: 0.5, imageKind: 'rgb', demo: false });
  // A class the record does not have is absent, never a property of Object.prototype.
  assert.is(perClassValue(record, 'constructor', 'accuracy'), null);
  assert.is(perClassValue(record, '__proto__', 'accuracy'), null);
});

test('a malformed record among good ones is named; the others are reported', async () => {
  const results = hostileResults();
  writeFileSync(join(results, 'run', 'broken.EuroSAT_MS.msclip.json'), '{"schema": 1, "model": ');
  const lines: string[] = [];
  await buildReport({ results: [results], out: join(work, 'site-2'), log: (line) => lines.push(line) });
  assert.ok(lines.some((line) => /^warning: skipped .*broken\.EuroSAT_MS\.msclip\.json: not valid JSON/.test(line)), lines.join('\n'));
});

test('a report that fails leaves the previous site whole and no staging folder', async () => {
  const results = hostileResults();
  const out = join(work, 'site-3');
  const first = await buildReport({ results: [results], out });
  const before = readFileSync(first.index, 'utf8');
  const empty = join(work, 'empty');
  mkdirSync(empty);
  try {
    await buildReport({ results: [empty], out });
    assert.unreachable('an empty results folder built a report');
  } catch (error) {
    assert.match((error as Error).message, /no result records/);
  }
  assert.is(readFileSync(first.index, 'utf8'), before);
  const { readdirSync } = await import('node:fs');
  assert.equal(readdirSync(work).filter((name) => name.startsWith('site-3.')), []);
});

test.run();
