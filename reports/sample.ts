/**
 * Synthetic result records, for the report's tests and for the README screenshot when
 * no real results are at hand. Every record built here says `demo: true` and carries
 * `provenance.synthetic: true`, so the leaderboard marks it; the scores are generated
 * from a seed and mean nothing.
 */
import type { ResultRecord } from '../records/records.ts';
import { writeRecord } from '../records/records.ts';

export const SAMPLE_CLASSES: Record<string, { task: ResultRecord['task']; classes: string[] }> = {
  EuroSAT_MS: {
    task: 'single-label',
    classes: ['annualcrop', 'forest', 'herbaceousvegetation', 'highway', 'industrial', 'pasture', 'permanentcrop', 'residential', 'river', 'sealake'],
  },
  METERML_MS: {
    task: 'single-label',
    classes: ['concentrated animal feeding operations', 'landfills', 'coal mines', 'other features', 'natural gas processing plants', 'oil refineries and petroleum terminals', 'wastewater treatment plants'],
  },
  BigEarthNet_MS: {
    task: 'multi-label',
    classes: [
      'Urban fabric', 'Industrial or commercial units', 'Arable land', 'Permanent crops', 'Pastures', 'Complex cultivation patterns',
      'Land principally occupied by agriculture, with significant areas of natural vegetation', 'Agro-forestry areas', 'Broad-leaved forest',
      'Coniferous forest', 'Mixed forest', 'Natural grassland and sparsely vegetated areas', 'Moors, heathland and sclerophyllous vegetation',
      'Transitional woodland, shrub', 'Beaches, dunes, sands', 'Inland wetlands', 'Coastal wetlands', 'Inland waters', 'Marine waters',
    ],
  },
};

export interface SampleRecordOptions {
  model: string;
  dataset: string;
  /** Classification (acc1 / Average_class_accuracy) and retrieval (mAP / Ave_mAP), fractions. */
  classification: number;
  retrieval: number;
  templates?: string;
  date?: string;
  imageKind?: 'multispectral' | 'rgb';
  demo?: boolean;
  seed?: number;
  /** Class names for a dataset this module does not know (default: three placeholders). */
  classes?: string[];
}

/** A small deterministic generator (LCG) so samples are reproducible. */
function generator(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function clamp(value: number): number {
  return Math.min(1, Math.max(0, value));
}

export function sampleRecord(options: SampleRecordOptions): ResultRecord {
  const known = SAMPLE_CLASSES[options.dataset] ?? { task: 'single-label' as const, classes: options.classes ?? ['class a', 'class b', 'class c'] };
  const random = generator(options.seed ?? [...`${options.model}/${options.dataset}`].reduce((hash, character) => Math.imul(hash, 31) + character.charCodeAt(0), 7));
  const perClass: ResultRecord['per_class'] = {};
  for (const name of known.classes) {
    const accuracy = clamp(options.classification + (random() - 0.5) * 0.4);
    const ap = clamp(options.retrieval + (random() - 0.5) * 0.4);
    perClass[name] = { accuracy, ap, precision: accuracy, recall: accuracy, f1: accuracy };
  }
  const metrics: ResultRecord['metrics'] = known.task === 'single-label'
    ? {
      acc1: options.classification,
      acc5: known.classes.length >= 5 ? clamp(options.classification + 0.3) : null,
      mean_per_class_recall: clamp(options.classification - 0.01),
      mAP: options.retrieval,
      mAP_tm19: clamp(options.retrieval - 0.02),
    }
    : { Average_class_accuracy: options.classification, Ave_mAP: options.retrieval, Ave_mAP_tm19: clamp(options.retrieval - 0.02) };
  return {
    schema: 1,
    model: options.model,
    dataset: options.dataset,
    task: known.task,
    templates: options.templates ?? 'msclip',
    demo: options.demo ?? true,
    classes: known.classes,
    n_images: 100,
    metrics,
    per_class: perClass,
    timings: { seconds: 1, images_per_second: 100 },
    provenance: {
      package_version: '0.1.0',
      git_commit: '0123456789abcdef0123456789abcdef01234567',
      bundle_sha256: { 'image.onnx': 'a'.repeat(64), 'text.onnx': 'b'.repeat(64) },
      preprocessing: {},
      templates_sha256: 'c'.repeat(64),
      device: 'cpu',
      date: options.date ?? '2026-01-01T00:00:00.000Z',
      image_kind: options.imageKind ?? 'rgb',
      synthetic: true,
    },
  };
}

/** Six synthetic models on the three benchmarks, written as one run under `savePath`. */
export function writeSampleResults(savePath: string, runId = '2026-01-01T00-00-00Z-0000'): string[] {
  const models: { model: string; imageKind: 'multispectral' | 'rgb'; level: number }[] = [
    { model: 'sample-MS-CLIP', imageKind: 'multispectral', level: 1 },
    { model: 'sample-RGB-CLIP-L', imageKind: 'rgb', level: 0.8 },
    { model: 'sample-RGB-CLIP-B', imageKind: 'rgb', level: 0.55 },
    { model: 'sample-geo-CLIP', imageKind: 'rgb', level: 0.7 },
    { model: 'sample-sky-CLIP', imageKind: 'rgb', level: 0.45 },
    { model: 'sample-remote-CLIP', imageKind: 'rgb', level: 0.2 },
  ];
  const ranges: Record<string, [number, number, number, number]> = {
    EuroSAT_MS: [0.34, 0.68, 0.34, 0.63],
    METERML_MS: [0.36, 0.48, 0.2, 0.3],
    BigEarthNet_MS: [0.52, 0.6, 0.26, 0.36],
  };
  const paths: string[] = [];
  for (const [index, { model, imageKind, level }] of models.entries()) {
    for (const [dataset, [clsLow, clsHigh, retLow, retHigh]] of Object.entries(ranges)) {
      const wobble = generator(index * 7 + dataset.length)() * 0.3 - 0.15;
      const at = (low: number, high: number, shift: number) => low + (high - low) * clamp(level + (level === 1 || level === 0.2 ? 0 : shift));
      const record = sampleRecord({ model, dataset, imageKind, classification: at(clsLow, clsHigh, wobble), retrieval: at(retLow, retHigh, -wobble) });
      paths.push(writeRecord(savePath, runId, record).path);
    }
  }
  return paths;
}
