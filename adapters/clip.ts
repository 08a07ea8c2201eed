/**
 * The adapter every model goes through: a bundle's two ONNX towers and its tokenizer
 * behind `ImageTextEncoder`. Multispectral and RGB models, msclip and open_clip
 * families, all run this same code; what differs (bands, sizes, ids, names) comes
 * from the manifest.
 *
 * openBundle(dir):
 *   1. read and validate bundle.json;
 *   2. load the tokenizer from the bundle's vocabulary with the manifest's ids;
 *   3. create one session per tower (the same provider for both when it loads);
 * encodeImages / encodeTexts run the towers in chunks and L2-normalise each row.
 *
 * Text rows are padded to the context length (77), but prompts use 10-25 positions.
 * When the manifest says `text.dynamicLength`, the tower is causal and pools at the
 * end-of-text token, so the padding after a batch's last end-of-text token cannot change
 * its features: encodeTexts sorts the prompts by length, cuts each batch to its longest
 * row, and puts the rows back in the caller's order (planTextBatches). Older bundles run
 * full rows.
 */
import { join } from 'node:path';
import { loadManifest, MANIFEST_FILE } from './bundle.ts';
import { resolveBundle } from './resolve.ts';
import { verifyBundleFiles } from './verify.ts';
import { createSession, type OnnxSession } from './onnx.ts';
import { ClipTokenizer } from './tokenizer.ts';
import type { PreprocessSpec } from '../preprocess/spec.ts';
import type { BundleManifest, Device, ImageTextEncoder } from './types.ts';
import { ErrorCode, UserError } from '../core/errors.ts';

export interface OpenBundleOptions {
  device?: Device;
  /** Intra-op threads (default: every core). */
  threads?: number;
  /** Texts per text-tower run (default 256). */
  textBatchSize?: number;
  /** Images per image-tower run (default 64); larger calls are split. */
  imageBatchSize?: number;
}

export interface LoadEncoderOptions extends OpenBundleOptions {
  /** Registry name or alias. */
  name: string;
  modelsDir: string;
  /** Export the bundle when it is missing (false under --no-export). */
  allowExport: boolean;
  checkpoint?: string;
  onProgress?: (line: string) => void;
}

/** One text-tower run: which rows (indices into the caller's texts), cut to `length` positions. */
export interface TextBatch {
  rows: number[];
  length: number;
}

/**
 * Per row of `[rows, contextLength]` ids: positions up to its last id that is not
 * padding (the end-of-text token, which the tokenizer keeps last), at least 2 (the
 * ONNX tower's smallest length: a start and an end token).
 */
export function usedTextLengths(ids: BigInt64Array, contextLength: number, padId: number): Int32Array {
  const rows = ids.length / contextLength;
  const lengths = new Int32Array(rows);
  const pad = BigInt(padId);
  for (let row = 0; row < rows; row++) {
    let length = contextLength;
    while (length > 2 && ids[row * contextLength + length - 1] === pad) length--;
    lengths[row] = length;
  }
  return lengths;
}

/**
 * Batches of at most `batchSize` rows. Without `lengths`, the rows in order at
 * `contextLength` (full rows). With them, the rows sorted by length (stable), so each
 * batch holds similar lengths and runs at its longest.
 */
export function planTextBatches(options: { count: number; batchSize: number; contextLength: number; lengths?: Int32Array }): TextBatch[] {
  const { count, batchSize, contextLength, lengths } = options;
  const order = Array.from({ length: count }, (_, index) => index);
  if (lengths) order.sort((a, b) => lengths[a] - lengths[b] || a - b);
  const batches: TextBatch[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const rows = order.slice(start, start + batchSize);
    const length = lengths ? rows.reduce((longest, row) => Math.max(longest, lengths[row]), 2) : contextLength;
    batches.push({ rows, length });
  }
  return batches;
}

/** The first `length` ids of each of `rows`, as one `[rows.length, length]` tensor. */
function cutRows(ids: BigInt64Array, contextLength: number, rows: readonly number[], length: number): BigInt64Array {
  const out = new BigInt64Array(rows.length * length);
  rows.forEach((row, index) => out.set(ids.subarray(row * contextLength, row * contextLength + length), index * length));
  return out;
}

/** Divides each `dimension`-long row by its Euclidean norm, in place (F.normalize, eps 1e-12). */
export function l2NormalizeRows(data: Float32Array, dimension: number): Float32Array {
  for (let offset = 0; offset < data.length; offset += dimension) {
    let sum = 0;
    for (let index = offset; index < offset + dimension; index++) sum += data[index] * data[index];
    const scale = 1 / Math.max(Math.sqrt(sum), 1e-12);
    for (let index = offset; index < offset + dimension; index++) data[index] *= scale;
  }
  return data;
}

class BundleEncoder implements ImageTextEncoder {
  readonly manifest: BundleManifest;
  readonly provider: string;
  private readonly imageSession: OnnxSession;
  private readonly textSession: OnnxSession;
  private readonly tokenizer: ClipTokenizer;
  private readonly textBatchSize: number;
  private readonly imageBatchSize: number;

  constructor(manifest: BundleManifest, sessions: { image: OnnxSession; text: OnnxSession }, tokenizer: ClipTokenizer, options: OpenBundleOptions) {
    this.manifest = manifest;
    this.imageSession = sessions.image;
    this.textSession = sessions.text;
    this.provider = sessions.image.provider;
    this.tokenizer = tokenizer;
    this.textBatchSize = options.textBatchSize ?? 256;
    this.imageBatchSize = options.imageBatchSize ?? 64;
  }

  async encodeImages(pixels: Float32Array, count: number): Promise<Float32Array> {
    const { bands, size, input, output } = this.manifest.image;
    const perImage = bands.length * size * size;
    if (!Number.isInteger(count) || count < 0 || pixels.length !== count * perImage) {
      throw new UserError(ErrorCode.modelInput, `${this.manifest.name}: encodeImages got ${pixels.length} values for ${count} images; each needs ${bands.length}x${size}x${size} = ${perImage}`);
    }
    const width = this.manifest.embeddingSize;
    const out = new Float32Array(count * width);
    for (let start = 0; start < count; start += this.imageBatchSize) {
      const chunk = Math.min(this.imageBatchSize, count - start);
      const data = pixels.subarray(start * perImage, (start + chunk) * perImage);
      const result = await this.imageSession.run(input, output, { data, dims: [chunk, bands.length, size, size] });
      this.checkOutput('image', result.dims, chunk);
      out.set(result.data, start * width);
    }
    return l2NormalizeRows(out, width);
  }

  async encodeTexts(texts: readonly string[]): Promise<Float32Array> {
    const { input, output, contextLength, padId, dynamicLength } = this.manifest.text;
    const width = this.manifest.embeddingSize;
    const out = new Float32Array(texts.length * width);
    const ids = this.tokenizer.tokenize(texts);
    const lengths = dynamicLength ? usedTextLengths(ids, contextLength, padId) : undefined;
    for (const { rows, length } of planTextBatches({ count: texts.length, batchSize: this.textBatchSize, contextLength, lengths })) {
      // Full rows come in order, so a fixed-length batch is a plain slice.
      const data = lengths ? cutRows(ids, contextLength, rows, length) : ids.subarray(rows[0] * contextLength, (rows[0] + rows.length) * contextLength);
      const result = await this.textSession.run(input, output, { data, dims: [rows.length, length] });
      this.checkOutput('text', result.dims, rows.length);
      rows.forEach((row, index) => out.set(result.data.subarray(index * width, (index + 1) * width), row * width));
    }
    return l2NormalizeRows(out, width);
  }

  tokenize(texts: readonly string[]): BigInt64Array {
    return this.tokenizer.tokenize(texts);
  }

  async dispose(): Promise<void> {
    await Promise.all([this.imageSession.dispose(), this.textSession.dispose()]);
  }

  private checkOutput(tower: 'image' | 'text', dims: number[], rows: number): void {
    if (dims.length !== 2 || dims[0] !== rows || dims[1] !== this.manifest.embeddingSize) {
      throw new UserError(ErrorCode.bundleInvalid, `${this.manifest.name}: ${this.manifest[tower].file} returned [${dims.join(',')}], bundle.json promises [${rows},${this.manifest.embeddingSize}] (embeddingSize); re-export the bundle`);
    }
  }
}

/** Opens the bundle in `directory` (steps 1-3 above). */
export async function openBundle(directory: string, options: OpenBundleOptions = {}): Promise<ImageTextEncoder> {
  const manifest = loadManifest(directory);
  await verifyBundleFiles(directory, manifest);
  const tokenizer = await ClipTokenizer.load(join(directory, manifest.text.vocabulary), {
    contextLength: manifest.text.contextLength,
    startId: manifest.text.startId,
    endId: manifest.text.endId,
    padId: manifest.text.padId,
  });
  const sessionOptions = { device: options.device ?? 'auto', threads: options.threads };
  const image = await createSession(join(directory, manifest.image.file), sessionOptions);
  // The text tower follows the image tower's provider, so one run never mixes devices.
  const text = await createSession(join(directory, manifest.text.file), { ...sessionOptions, device: options.device === 'auto' || options.device === undefined ? image.provider : options.device });
  const sequence = text.inputShape(manifest.text.input)[1];
  if (manifest.text.dynamicLength && typeof sequence === 'number') {
    await Promise.all([image.dispose(), text.dispose()]);
    const file = join(directory, MANIFEST_FILE);
    throw new UserError(ErrorCode.bundleInvalid, `${file}: field "text.dynamicLength" is true but ${manifest.text.file} takes rows of exactly ${sequence} ids; re-export the bundle with npm run export`, file);
  }
  return new BundleEncoder(manifest, { image, text }, tokenizer, options);
}

/** The encoder of a registry model: its bundle (exported first when missing and allowed), opened. */
export async function loadEncoder(options: LoadEncoderOptions): Promise<ImageTextEncoder> {
  const directory = await resolveBundle(options);
  return openBundle(directory, options);
}

/** What the data path must make of an image for this model (from its manifest). */
export function preprocessSpecOf(encoder: ImageTextEncoder): PreprocessSpec {
  const image = encoder.manifest.image;
  return { kind: image.kind, bands: image.bands, size: image.size, interpolation: image.interpolation, mean: image.mean, std: image.std };
}
