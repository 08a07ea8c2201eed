/**
 * The records the report tests write: four models on the paper's three benchmarks,
 * one of them named like an HTML injection, one Vega/HTML-escaping check for class
 * names, plus one older record that a newer run supersedes. The numbers are chosen
 * so that hand-computed headlines are easy to follow (see leaderboard.test.ts).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRecord } from '../../records/records.ts';
import { sampleRecord } from '../../reports/sample.ts';

export const EVIL = '<img src=x onerror=alert(1)>';

/** [classification, retrieval] per model and dataset, fractions. */
export const SCORES: Record<string, { kind: 'multispectral' | 'rgb'; scores: Record<string, [number, number]> }> = {
  'Alpha-MS-CLIP': { kind: 'multispectral', scores: { EuroSAT_MS: [0.679, 0.630], METERML_MS: [0.481, 0.297], BigEarthNet_MS: [0.596, 0.356] } },
  'Beta-RGB': { kind: 'rgb', scores: { EuroSAT_MS: [0.551, 0.500], METERML_MS: [0.364, 0.201], BigEarthNet_MS: [0.523, 0.263] } },
  [EVIL]: { kind: 'rgb', scores: { EuroSAT_MS: [0.340, 0.343], METERML_MS: [0.420, 0.250], BigEarthNet_MS: [0.550, 0.300] } },
  'Delta-RGB': { kind: 'rgb', scores: { EuroSAT_MS: [0.600, 0.610], METERML_MS: [0.470, 0.300], BigEarthNet_MS: [0.560, 0.310] } },
};

export interface WrittenResults {
  folders: string[];
  root: string;
}

/** Two runs: an old one with one stale record, and the current one with everything. */
export function writeTestResults(): WrittenResults {
  const root = mkdtempSync(join(tmpdir(), 'msclip-report-'));
  const older = join(root, 'run-old');
  const newer = join(root, 'run-new');
  writeRecord(older, '2025-01-01T00-00-00Z-aaaa', sampleRecord({
    model: 'Beta-RGB', dataset: 'EuroSAT_MS', classification: 0.9, retrieval: 0.9, imageKind: 'rgb', demo: false, date: '2025-01-01T00:00:00.000Z',
  }));
  for (const [model, { kind, scores }] of Object.entries(SCORES)) {
    for (const [dataset, [classification, retrieval]] of Object.entries(scores)) {
      writeRecord(newer, '2026-02-01T00-00-00Z-bbbb', sampleRecord({
        model, dataset, classification, retrieval, imageKind: kind, demo: false, date: '2026-02-01T00:00:00.000Z',
      }));
    }
  }
  return { folders: [older, newer], root };
}
