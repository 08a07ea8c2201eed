/**
 * `npm run export -- --model NAME [--checkpoint FILE] [--models-dir DIR] [--seed N]
 *   [--tolerance 1e-4] [--external-data auto|always|never] [--out DIR] [--json] [--list]
 *   [--write-random-checkpoint FILE --seed N]`
 *
 * Turns a checkpoint into a bundle (adapters/export.ts drives the Python exporter).
 * Without --checkpoint the model's public weights are downloaded, as the reference does.
 */
import { loadManifest } from '../../adapters/bundle.ts';
import { exportBundle, writeRandomCheckpoint } from '../../adapters/export.ts';
import { findModel, listModels, type WeightsReference } from '../../adapters/registry.ts';
import { commandMain, listFlag, log, parseFlags, stringFlag } from '../flags.ts';
import { ErrorCode, UserError } from '../../core/errors.ts';

const HELP = `Usage: npm run export -- --model NAME [options]

Exports a model's checkpoint to an ONNX bundle (bundle.json, image.onnx, text.onnx,
vocabulary) in <models-dir>/<NAME>, verified against PyTorch.

  --model NAME        registry model(s) (repeat or comma list); --list shows them
  --checkpoint FILE   local checkpoint in the model's official format (one --model only);
                      without it the public weights are downloaded
  --seed N            seeded random weights instead (tests)
  --models-dir DIR    bundle root (default models)
  --out DIR           bundle folder (one --model only; default <models-dir>/<NAME>)
  --tolerance X       largest accepted max abs difference ONNX vs torch (default 1e-4)
  --external-data W   auto (default: only towers past 1.8 GB), always or never:
                      weights in a separate <tower>.onnx.data file
  --write-random-checkpoint FILE
                      with --seed: write a seeded random checkpoint in the model's
                      official format to FILE instead of exporting (tests)
  --list              list the registry and exit
  --json              print the result as JSON on stdout
`;

const flags = {
  model: { type: 'string', multiple: true },
  checkpoint: { type: 'string' },
  seed: { type: 'string' },
  'models-dir': { type: 'string', default: 'models' },
  out: { type: 'string' },
  tolerance: { type: 'string' },
  'external-data': { type: 'string', default: 'auto' },
  'write-random-checkpoint': { type: 'string' },
  list: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export interface ExportRequest {
  models: string[];
  checkpoint?: string;
  seed?: number;
  modelsDir: string;
  out?: string;
  tolerance?: number;
  externalData: 'auto' | 'always' | 'never';
  /** Write a seeded random official-format checkpoint here instead of exporting. */
  writeRandomCheckpoint?: string;
  list: boolean;
  json: boolean;
}

export function parseExportArguments(argv: readonly string[]): ExportRequest | 'help' {
  const { values } = parseFlags(argv, flags, 'export');
  if (values.help) return 'help';
  const models = listFlag(values.model, 'model');
  const list = Boolean(values.list);
  if (models.length === 0 && !list) throw new UserError(ErrorCode.usage, `--model NAME is required (known models: ${listModels().map((entry) => entry.name).join(', ')})`);
  for (const model of models) findModel(model);
  const checkpoint = stringFlag(values.checkpoint);
  const out = stringFlag(values.out);
  if ((checkpoint !== undefined || out !== undefined) && models.length > 1) throw new UserError(ErrorCode.usage, '--checkpoint and --out apply to one --model; export the models one at a time');
  const seedText = stringFlag(values.seed);
  const seed = seedText === undefined ? undefined : Number(seedText);
  if (seed !== undefined && (!Number.isInteger(seed) || seed < 0)) throw new UserError(ErrorCode.usage, `--seed must be a non-negative integer, got "${seedText}"`);
  if (seed !== undefined && checkpoint !== undefined) throw new UserError(ErrorCode.usage, 'give --checkpoint or --seed, not both');
  const toleranceText = stringFlag(values.tolerance);
  const tolerance = toleranceText === undefined ? undefined : Number(toleranceText);
  if (tolerance !== undefined && !(Number.isFinite(tolerance) && tolerance >= 0)) throw new UserError(ErrorCode.usage, `--tolerance must be a number >= 0, got "${toleranceText}"`);
  const externalData = stringFlag(values['external-data']) ?? 'auto';
  if (externalData !== 'auto' && externalData !== 'always' && externalData !== 'never') throw new UserError(ErrorCode.usage, `--external-data must be auto, always or never, got "${externalData}"`);
  const writeRandom = stringFlag(values['write-random-checkpoint']);
  if (writeRandom !== undefined && (seed === undefined || models.length !== 1)) throw new UserError(ErrorCode.usage, '--write-random-checkpoint FILE needs --seed N and one --model');
  return { models, checkpoint, seed, modelsDir: stringFlag(values['models-dir']) ?? 'models', out, tolerance, externalData, writeRandomCheckpoint: writeRandom, list, json: Boolean(values.json) };
}

function describeWeights(weights: WeightsReference): string {
  switch (weights.kind) {
    case 'huggingface':
      return `huggingface ${weights.repo}/${weights.file}`;
    case 'open_clip':
      return `open_clip ${weights.pretrained} (${weights.repo})`;
    case 'url':
      return `${weights.url} (${weights.member})`;
    case 'local':
      return `local ${weights.path}`;
    case 'unpublished':
      return 'unpublished: needs --checkpoint';
  }
}

export async function runExport(request: ExportRequest): Promise<unknown> {
  if (request.list) {
    const rows = listModels().map((entry) => ({ name: entry.name, aliases: entry.aliases, architecture: entry.architecture, bands: entry.image.bands.length, weights: describeWeights(entry.weights) }));
    if (!request.json) for (const row of rows) log(`${row.name.padEnd(22)} ${row.architecture.padEnd(9)} ${String(row.bands).padStart(2)} bands  ${row.weights}${row.aliases.length ? `  (aliases: ${row.aliases.join(', ')})` : ''}`);
    return rows;
  }
  if (request.writeRandomCheckpoint !== undefined && request.seed !== undefined) {
    const file = await writeRandomCheckpoint({ model: request.models[0], seed: request.seed, file: request.writeRandomCheckpoint });
    log(`wrote a random ${findModel(request.models[0]).name} checkpoint (seed ${request.seed}, official format) to ${file}`);
    return { model: findModel(request.models[0]).name, seed: request.seed, checkpoint: file };
  }
  const results = [];
  for (const model of request.models) {
    const directory = await exportBundle({ model, checkpoint: request.checkpoint, seed: request.seed, modelsDir: request.modelsDir, out: request.out, tolerance: request.tolerance, externalData: request.externalData });
    const manifest = loadManifest(directory);
    const { image, text } = manifest.export.maxAbsDiff;
    log(`exported ${manifest.name} -> ${directory} (ONNX vs torch, max abs diff: image ${image.toExponential(2)}, text ${text.toExponential(2)})`);
    results.push({ model: manifest.name, bundle: directory, source: manifest.source, maxAbsDiff: manifest.export.maxAbsDiff });
  }
  return results;
}

export function main(argv: readonly string[]): Promise<number> {
  return commandMain(argv, HELP, parseExportArguments, async (request) => {
    const result = await runExport(request);
    if (request.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  });
}
