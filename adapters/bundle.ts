/**
 * Bundles on disk: `<models-dir>/<name>/` with bundle.json (the manifest), image.onnx,
 * text.onnx and the tokenizer vocabulary. The manifest is validated field by field when
 * it is read; the first wrong or missing field is a one-line UserError naming it.
 * Finding (and exporting) a registry model's bundle is adapters/resolve.ts.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ErrorCode, UserError } from '../core/errors.ts';
import { BUNDLE_SCHEMA, type BundleManifest, type ImageSpec, type TextSpec, type WeightsSource } from './types.ts';

export const MANIFEST_FILE = 'bundle.json';

/** Where a model's bundle lives: `<modelsDir>/<canonical name>`. */
export function bundleDirectory(modelsDir: string, name: string): string {
  return resolve(modelsDir, name);
}

/** Reads one manifest field path, failing with the file and field in the message. */
class ManifestReader {
  constructor(private readonly file: string, private readonly root: unknown) {}

  fail(field: string, expectation: string): never {
    throw new UserError(ErrorCode.bundleInvalid, `${this.file}: field "${field}" ${expectation}; re-export the bundle with npm run export`, this.file);
  }

  value(field: string): unknown {
    let current: unknown = this.root;
    for (const part of field.split('.')) {
      if (typeof current !== 'object' || current === null || Array.isArray(current) || !(part in current)) this.fail(field, 'is missing');
      current = (current as Record<string, unknown>)[part];
    }
    return current;
  }

  object(field: string): Record<string, unknown> {
    const value = this.value(field);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(field, 'must be an object');
    return value as Record<string, unknown>;
  }

  string(field: string): string {
    const value = this.value(field);
    if (typeof value !== 'string' || value.length === 0) this.fail(field, 'must be a non-empty string');
    return value;
  }

  /** A plain file name inside the bundle (no folders, so a manifest cannot point outside it). */
  fileName(field: string): string {
    const value = this.string(field);
    if (value.includes('/') || value.includes('\\') || value === '.' || value === '..') this.fail(field, `must be a file name inside the bundle, got "${value}"`);
    return value;
  }

  oneOf<T extends string>(field: string, choices: readonly T[]): T {
    const value = this.value(field);
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      this.fail(field, `must be one of ${choices.map((choice) => `"${choice}"`).join(', ')}, got ${JSON.stringify(value)}`);
    }
    return value as T;
  }

  integer(field: string, minimum: number, maximum = Number.MAX_SAFE_INTEGER): number {
    const value = this.value(field);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum || value > maximum) {
      this.fail(field, `must be an integer in ${minimum}..${maximum}, got ${JSON.stringify(value)}`);
    }
    return value;
  }

  number(field: string, options: { minimum?: number } = {}): number {
    const value = this.value(field);
    if (typeof value !== 'number' || !Number.isFinite(value) || (options.minimum !== undefined && value < options.minimum)) {
      this.fail(field, `must be a finite number${options.minimum !== undefined ? ` >= ${options.minimum}` : ''}, got ${JSON.stringify(value)}`);
    }
    return value;
  }

  boolean(field: string): boolean {
    const value = this.value(field);
    if (typeof value !== 'boolean') this.fail(field, `must be true or false, got ${JSON.stringify(value)}`);
    return value;
  }

  strings(field: string): string[] {
    const value = this.value(field);
    if (!Array.isArray(value) || value.length === 0 || value.some((item) => typeof item !== 'string' || item.length === 0)) {
      this.fail(field, 'must be a non-empty list of names');
    }
    return [...(value as string[])];
  }

  numbers(field: string, length: number, options: { positive?: boolean } = {}): number[] {
    const value = this.value(field);
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'number' || !Number.isFinite(item) || (options.positive && item <= 0))) {
      this.fail(field, `must be a list of ${options.positive ? 'positive ' : ''}finite numbers`);
    }
    if ((value as number[]).length !== length) this.fail(field, `must have ${length} values (one per band), got ${(value as number[]).length}`);
    return [...(value as number[])];
  }

  /** Reads an optional field: undefined when absent, else validated by `read`. */
  optional<T>(field: string, read: (field: string) => T): T | undefined {
    return this.absent(field) ? undefined : read(field);
  }

  private absent(field: string): boolean {
    const parts = field.split('.');
    const parent = parts.length > 1 ? this.object(parts.slice(0, -1).join('.')) : (this.root as Record<string, unknown>);
    return parent[parts[parts.length - 1]] === undefined;
  }
}

const SHA256 = /^[0-9a-f]{64}$/;
/**
 * The largest model input side accepted: CLIP towers take 224-448, and every image of a
 * batch costs bands x size x size x 4 bytes (at 8192, 3.5 GB for one 13-band image).
 */
export const MAX_IMAGE_SIZE = 2048;
const FAMILIES = ['msclip', 'openclip', 'demo'] as const;
const SOURCE_KINDS = ['huggingface', 'open_clip', 'url', 'checkpoint', 'random', 'demo'] as const;

function readImageSize(reader: ManifestReader): number {
  const size = reader.integer('image.size', 1);
  if (size > MAX_IMAGE_SIZE) {
    reader.fail('image.size', `is ${size}, more than the largest model input side ${MAX_IMAGE_SIZE} (a ${size}x${size} input takes ${(size * size * 4 / 2 ** 20).toFixed(0)} MB per band and image); it must be the side the image tower takes (224 for MS-CLIP)`);
  }
  return size;
}

function readImageSpec(reader: ManifestReader): ImageSpec {
  const bands = reader.strings('image.bands');
  const kind = reader.oneOf('image.kind', ['multispectral', 'rgb'] as const);
  if (kind === 'rgb' && bands.join(',') !== 'red,green,blue') reader.fail('image.bands', `must be ["red","green","blue"] for kind "rgb", got ${JSON.stringify(bands)}`);
  return {
    file: reader.fileName('image.file'),
    input: reader.string('image.input'),
    output: reader.string('image.output'),
    kind,
    bands,
    size: readImageSize(reader),
    interpolation: reader.oneOf('image.interpolation', ['bicubic', 'bilinear'] as const),
    mean: reader.numbers('image.mean', bands.length),
    std: reader.numbers('image.std', bands.length, { positive: true }),
  };
}

function readTextSpec(reader: ManifestReader): TextSpec {
  const text: TextSpec = {
    file: reader.fileName('text.file'),
    input: reader.string('text.input'),
    output: reader.string('text.output'),
    vocabulary: reader.fileName('text.vocabulary'),
    contextLength: reader.integer('text.contextLength', 2, 4096),
    padId: reader.integer('text.padId', 0),
    startId: reader.integer('text.startId', 0),
    endId: reader.integer('text.endId', 0),
  };
  // Optional: bundles exported before it existed run full rows.
  const dynamicLength = reader.optional('text.dynamicLength', (field) => reader.boolean(field));
  if (dynamicLength !== undefined) text.dynamicLength = dynamicLength;
  return text;
}

function readSource(reader: ManifestReader): WeightsSource {
  const source: WeightsSource = { kind: reader.oneOf('source.kind', SOURCE_KINDS) };
  for (const key of ['repo', 'file', 'url', 'pretrained', 'checkpoint', 'checkpointSha256'] as const) {
    const value = reader.optional(`source.${key}`, (field) => reader.string(field));
    if (value !== undefined) source[key] = value;
  }
  if (source.checkpointSha256 !== undefined && !SHA256.test(source.checkpointSha256)) reader.fail('source.checkpointSha256', 'must be 64 hex digits');
  const seed = reader.optional('source.seed', (field) => reader.integer(field, 0));
  if (seed !== undefined) source.seed = seed;
  if (source.kind === 'random' && source.seed === undefined) reader.fail('source.seed', 'is missing (source.kind is "random")');
  if (source.kind === 'huggingface' && (source.repo === undefined || source.file === undefined)) reader.fail(source.repo === undefined ? 'source.repo' : 'source.file', 'is missing (source.kind is "huggingface")');
  return source;
}

function readFiles(reader: ManifestReader, directory: string, required: string[]): Record<string, string> {
  const files = reader.object('files');
  const out: Record<string, string> = {};
  for (const [name, hash] of Object.entries(files)) {
    const field = `files.${name}`;
    if (typeof hash !== 'string' || !SHA256.test(hash)) reader.fail(field, 'must be a sha256 (64 lower-case hex digits)');
    if (name.includes('/') || name.includes('\\') || name === MANIFEST_FILE) reader.fail(field, 'must name a file inside the bundle other than bundle.json');
    if (!existsSync(join(directory, name)) || !statSync(join(directory, name)).isFile()) reader.fail(field, `names ${join(directory, name)}, which does not exist`);
    out[name] = hash;
  }
  for (const name of required) {
    if (!(name in out)) reader.fail(`files.${name}`, 'is missing (every file of the bundle needs its sha256)');
  }
  return out;
}

/** Reads and validates `<directory>/bundle.json`; files must exist (hashes are checked by verifyBundle). */
export function loadManifest(directory: string): BundleManifest {
  const file = join(directory, MANIFEST_FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `is not valid JSON (${(error as Error).message})`;
    throw new UserError(ErrorCode.bundleInvalid, `${file} ${reason}; re-export the bundle with npm run export`, file);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UserError(ErrorCode.bundleInvalid, `${file} must hold a JSON object; re-export the bundle with npm run export`, file);
  }
  const reader = new ManifestReader(file, parsed);
  const schema = reader.value('schema');
  if (schema !== BUNDLE_SCHEMA) reader.fail('schema', `must be ${BUNDLE_SCHEMA}, got ${JSON.stringify(schema)}`);
  const image = readImageSpec(reader);
  const text = readTextSpec(reader);
  const manifest: BundleManifest = {
    schema: BUNDLE_SCHEMA,
    name: reader.string('name'),
    family: reader.oneOf('family', FAMILIES),
    architecture: reader.string('architecture'),
    demo: reader.boolean('demo'),
    embeddingSize: reader.integer('embeddingSize', 1, 65536),
    opset: reader.integer('opset', 7, 100),
    image,
    text,
    files: readFiles(reader, directory, [image.file, text.file, text.vocabulary]),
    source: readSource(reader),
    export: {
      date: reader.string('export.date'),
      tool: reader.string('export.tool'),
      torch: reader.string('export.torch'),
      openClip: reader.string('export.openClip'),
      onnxruntime: reader.optional('export.onnxruntime', (field) => reader.string(field)),
      tolerance: reader.optional('export.tolerance', (field) => reader.number(field, { minimum: 0 })),
      maxAbsDiff: { image: reader.number('export.maxAbsDiff.image', { minimum: 0 }), text: reader.number('export.maxAbsDiff.text', { minimum: 0 }) },
    },
  };
  if (manifest.export.onnxruntime === undefined) delete manifest.export.onnxruntime;
  if (manifest.export.tolerance === undefined) delete manifest.export.tolerance;
  return manifest;
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolvePromise(hash.digest('hex')));
  });
}

/** Validates the manifest and recomputes every file's sha256; a mismatch names the file. */
export async function verifyBundle(directory: string): Promise<BundleManifest> {
  const manifest = loadManifest(directory);
  for (const [name, expected] of Object.entries(manifest.files)) {
    const actual = await sha256File(join(directory, name));
    if (actual !== expected) {
      const file = join(directory, name);
      throw new UserError(ErrorCode.bundleInvalid, `${file} has sha256 ${actual}, bundle.json says ${expected}: the file changed since export; re-export with npm run export -- --model ${manifest.name}`, file);
    }
  }
  return manifest;
}
