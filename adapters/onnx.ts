/**
 * The ONNX Runtime backend: the only module that imports onnxruntime-node.
 *
 * Devices: 'cpu'; 'cuda' (onnxruntime-node's CUDA provider, a separate download: see
 * README.md, "Devices"); 'webgpu' (bundled with onnxruntime-node 1.30 on Linux, needs a
 * GPU with Vulkan drivers); 'auto' = the first GPU provider that loads, else CPU.
 * 'auto' only tries a provider whose files and device are present, so a machine
 * without a GPU goes straight to CPU, quietly. An explicit GPU device that cannot load
 * is a UserError saying why and what to install.
 *
 * Each session checks its inputs against the model's declared names, types and shapes
 * before running, so a wrong bundle or preprocessing fails with a readable line.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { basename, dirname, join } from 'node:path';
import './onnx-quiet.ts';
import * as ort from 'onnxruntime-node';
import { ErrorCode, UserError } from '../core/errors.ts';
import type { Device } from './types.ts';

export type Provider = 'cpu' | 'cuda' | 'webgpu';

export interface SessionOptions {
  device: Device;
  /** Intra-op threads for the CPU provider (default: every core). */
  threads?: number;
}

export interface TensorInput {
  data: Float32Array | BigInt64Array;
  dims: readonly number[];
}

export interface TensorOutput {
  data: Float32Array;
  dims: number[];
}

/** How to get the CUDA provider (onnxruntime-node's script/install.js, flag "cuda12"). */
export const CUDA_INSTALL_HINT =
  'install it with: ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js (downloads Microsoft.ML.OnnxRuntime.Gpu.Linux; needs CUDA 12 and cuDNN 9), or use --device cpu';
const WEBGPU_HINT = 'the WebGPU provider needs a GPU with Vulkan drivers (libvulkan.so.1) on Linux; use --device cpu';

// ORT's own warnings (node placement, provider probing) are noise for a benchmark run.
ort.env.logLevel = 'error';

/** onnxruntime-node's native folder, where optional providers are installed. */
function nativeFolder(): string {
  const packageMain = createRequire(import.meta.url).resolve('onnxruntime-node');
  return join(dirname(packageMain), '..', 'bin', 'napi-v6', process.platform, process.arch);
}

function cudaProviderInstalled(): boolean {
  const file = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return existsSync(join(nativeFolder(), file));
}

function nvidiaDevicePresent(): boolean {
  return process.platform !== 'linux' || existsSync('/dev/nvidiactl') || existsSync('/proc/driver/nvidia/version');
}

/** A render node (Linux), or any desktop OS, where a WebGPU adapter may exist. */
function gpuLikelyPresent(): boolean {
  if (process.platform !== 'linux') return true;
  if (nvidiaDevicePresent()) return true;
  try {
    return readdirSync('/dev/dri').some((name) => name.startsWith('renderD'));
  } catch {
    return false;
  }
}

function backendListed(name: string): boolean {
  return ort.listSupportedBackends().some((backend) => backend.name === name);
}

/** Providers to try, in order, for a device. */
export function providerCandidates(device: Device): Provider[] {
  if (device !== 'auto') return [device];
  const candidates: Provider[] = [];
  if (cudaProviderInstalled() && nvidiaDevicePresent()) candidates.push('cuda');
  if (backendListed('webgpu') && gpuLikelyPresent()) candidates.push('webgpu');
  candidates.push('cpu');
  return candidates;
}

/** The provider 'auto' settled on, so later sessions skip the ones that failed. */
let autoProvider: Provider | undefined;

function ortOptions(provider: Provider, threads: number): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: provider === 'cpu' ? ['cpu'] : [provider, 'cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    // Idle ORT threads otherwise spin for a while after every run, taking the cores
    // the preprocessing workers need between batches.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split('\n').map((line) => line.trim()).filter(Boolean);
  const line = lines.find((candidate) => /Failed|failed|error|Error/.test(candidate)) ?? lines[0] ?? 'unknown error';
  // ORT prefixes its messages with the source location and the failed check; the reason comes last.
  const reason = line.lastIndexOf('Failed');
  return reason > 0 ? line.slice(reason) : line.replace(/^\/onnxruntime_src\/\S+ /, '');
}

function deviceError(provider: Provider, reason: string): UserError {
  if (provider === 'cuda') {
    return new UserError(ErrorCode.deviceUnavailable, `--device cuda: onnxruntime-node's CUDA provider cannot load (${reason}): ${CUDA_INSTALL_HINT}`);
  }
  return new UserError(ErrorCode.deviceUnavailable, `--device webgpu: onnxruntime-node's WebGPU provider cannot start (${reason}): ${WEBGPU_HINT}`);
}

/** One model file, one session, created once per run. */
export class OnnxSession {
  readonly file: string;
  readonly provider: Provider;
  private readonly session: ort.InferenceSession;

  private constructor(file: string, provider: Provider, session: ort.InferenceSession) {
    this.file = file;
    this.provider = provider;
    this.session = session;
  }

  static async create(file: string, options: SessionOptions): Promise<OnnxSession> {
    if (!existsSync(file)) throw new UserError(ErrorCode.bundleInvalid, `${file} does not exist; re-export the bundle with npm run export`, file);
    const threads = options.threads ?? availableParallelism();
    if (options.device === 'cuda' && !cudaProviderInstalled()) {
      throw deviceError('cuda', `${join(nativeFolder(), 'libonnxruntime_providers_cuda.so')} is not installed`);
    }
    const candidates = options.device === 'auto' && autoProvider ? [...new Set<Provider>([autoProvider, 'cpu'])] : providerCandidates(options.device);
    let lastError: unknown;
    for (const provider of candidates) {
      try {
        const session = await ort.InferenceSession.create(file, ortOptions(provider, threads));
        if (options.device === 'auto') autoProvider = provider;
        return new OnnxSession(file, provider, session);
      } catch (error) {
        lastError = error;
        if (options.device !== 'auto') break;
      }
    }
    const reason = firstLine(lastError);
    if (options.device === 'cuda' || options.device === 'webgpu') throw deviceError(options.device, reason);
    throw new UserError(ErrorCode.bundleInvalid, `${file} cannot be loaded by ONNX Runtime (${reason}); re-export the bundle with npm run export`, file);
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** The declared shape of an input, symbolic dimensions by name ("batch"). */
  inputShape(name: string): (number | string)[] {
    const metadata = this.session.inputMetadata.find((value) => value.name === name);
    return metadata && metadata.isTensor ? [...metadata.shape] : [];
  }

  /** Throws a UserError unless `input` fits the model's input `name`. */
  checkInput(name: string, input: TensorInput): void {
    const model = basename(this.file);
    const metadata = this.session.inputMetadata.find((value) => value.name === name);
    if (!metadata || !metadata.isTensor) {
      throw new UserError(ErrorCode.modelInput, `${model} has no tensor input "${name}" (its inputs: ${this.session.inputNames.join(', ')}); re-export the bundle or fix its manifest`, this.file);
    }
    const expected = metadata.shape.map(String);
    const got = `[${input.dims.join(',')}]`;
    const shapeOk = input.dims.length === metadata.shape.length && metadata.shape.every((dimension, index) => typeof dimension !== 'number' || dimension === input.dims[index]);
    if (!shapeOk || input.dims.some((dimension) => !Number.isInteger(dimension) || dimension < 1)) {
      throw new UserError(ErrorCode.modelInput, `${model} expects input "${name}" [${expected.join(',')}], got ${got}`, this.file);
    }
    const type = input.data instanceof Float32Array ? 'float32' : 'int64';
    if (metadata.type !== type) {
      throw new UserError(ErrorCode.modelInput, `${model} expects input "${name}" of type ${metadata.type}, got ${type}`, this.file);
    }
    const length = input.dims.reduce((product, dimension) => product * dimension, 1);
    if (input.data.length !== length) {
      throw new UserError(ErrorCode.modelInput, `${model} input "${name}" ${got} needs ${length} values, got ${input.data.length}`, this.file);
    }
  }

  /** Runs the model on one input and returns one float32 output. */
  async run(inputName: string, outputName: string, input: TensorInput): Promise<TensorOutput> {
    this.checkInput(inputName, input);
    if (!this.session.outputNames.includes(outputName)) {
      throw new UserError(ErrorCode.modelInput, `${basename(this.file)} has no output "${outputName}" (its outputs: ${this.session.outputNames.join(', ')}); re-export the bundle or fix its manifest`, this.file);
    }
    const tensor = input.data instanceof Float32Array ? new ort.Tensor('float32', input.data, [...input.dims]) : new ort.Tensor('int64', input.data, [...input.dims]);
    const results = await this.session.run({ [inputName]: tensor }, [outputName]);
    const output = results[outputName];
    if (!(output.data instanceof Float32Array)) {
      throw new UserError(ErrorCode.modelInput, `${basename(this.file)} output "${outputName}" is ${output.type}, expected float32`, this.file);
    }
    return { data: output.data, dims: [...output.dims] };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

export function createSession(file: string, options: SessionOptions): Promise<OnnxSession> {
  return OnnxSession.create(file, options);
}

/**
 * The ONNX Runtime build that runs the towers: part of a stored embedding's key
 * (embeddings/store-key.ts), since another build may round differently.
 */
export function onnxRuntimeVersion(): string {
  return ort.env.versions.node ?? ort.env.versions.common;
}

/** For `--device` help and diagnostics: what this installation could run. */
export function describeProviders(): { name: Provider; installed: boolean }[] {
  return [
    { name: 'cpu', installed: true },
    { name: 'cuda', installed: cudaProviderInstalled() },
    { name: 'webgpu', installed: backendListed('webgpu') },
  ];
}
