/**
 * One model, two harnesses: a seeded random Llama3-MS-CLIP checkpoint in the official
 * format (training-module state_dict), and the bundle our exporter made from that very
 * file, laid out so that `npm run evaluate -- --models-dir` finds it. Shared by
 * test/runner/evaluate-parity.test.ts and bench/reference-vs-ours.ts.
 *
 *  1. the bundle: prepareParityCase (test/adapters/parity-support.ts) exports it from
 *     the checkpoint once and caches it in .cache/test-bundles (it deletes the 600 MB
 *     checkpoint afterwards);
 *  2. the checkpoint: written again from the same seed, under the same file name
 *     (torch.save names its archive after the file), and checked byte for byte
 *     against the sha256 the bundle's manifest recorded, so both harnesses provably
 *     read the same weights;
 *  3. <work>/models/Llama3-MS-CLIP-Base -> the cached bundle (a symlink).
 */
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeRandomCheckpoint } from '../../adapters/export.ts';
import { bundleDirectory, loadManifest, sha256File } from '../../adapters/bundle.ts';
import { prepareParityCase } from './support.ts';

export const REFERENCE_MODEL = 'Llama3-MS-CLIP-Base';
/** The seed (and image count) of test/adapters/parity.test.ts, so both share one cached export. */
export const REFERENCE_SEED = 20250101;
const PARITY_IMAGE_COUNT = 3;

export interface ReferenceCase {
  /** The official-format checkpoint, for the Python side. */
  checkpoint: string;
  /** --models-dir for our side. */
  modelsDir: string;
  bundle: string;
  checkpointSha256: string;
}

/** Steps 1-3 under `work` (a folder the caller owns and deletes). */
export async function prepareReferenceCase(options: { work: string; log: (line: string) => void }): Promise<ReferenceCase> {
  const parity = await prepareParityCase(REFERENCE_MODEL, REFERENCE_SEED, { imageCount: PARITY_IMAGE_COUNT, log: options.log });
  const manifest = loadManifest(parity.bundle);
  if (manifest.source.kind !== 'checkpoint' || manifest.source.checkpointSha256 === undefined) {
    throw new Error(`${parity.bundle}: the bundle does not record the checkpoint it was exported from`);
  }
  const folder = join(options.work, 'checkpoint');
  mkdirSync(folder, { recursive: true });
  const checkpoint = join(folder, 'checkpoint.pt');
  options.log(`${REFERENCE_MODEL}: writing the seeded checkpoint again for the Python side (seed ${REFERENCE_SEED})`);
  await writeRandomCheckpoint({ model: REFERENCE_MODEL, seed: REFERENCE_SEED, file: checkpoint });
  const checkpointSha256 = await sha256File(checkpoint);
  if (checkpointSha256 !== manifest.source.checkpointSha256) {
    rmSync(checkpoint, { force: true });
    throw new Error(`the regenerated checkpoint (sha256 ${checkpointSha256}) is not the one ${parity.bundle} was exported from (${manifest.source.checkpointSha256})`);
  }
  const modelsDir = join(options.work, 'models');
  mkdirSync(modelsDir, { recursive: true });
  symlinkSync(parity.bundle, bundleDirectory(modelsDir, REFERENCE_MODEL), 'dir');
  return { checkpoint, modelsDir, bundle: parity.bundle, checkpointSha256 };
}
