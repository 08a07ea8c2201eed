/**
 * The contracts between bundles, adapters and the rest of the harness.
 * A bundle is one folder per model: bundle.json (this manifest), image.onnx,
 * text.onnx and the tokenizer vocabulary. Everything that differs between models
 * lives in the manifest; nothing model-specific is hard-coded elsewhere.
 */

import type { Interpolation } from '../datasets/types.ts';

export const BUNDLE_SCHEMA = 1;

export type Device = 'auto' | 'cpu' | 'cuda' | 'webgpu';

/** How the image tower expects its pixels. */
export interface ImageSpec {
  /** ONNX file name inside the bundle. */
  file: string;
  /** ONNX input name; shape [batch, bands.length, size, size], float32. */
  input: string;
  /** ONNX output name; shape [batch, embeddingSize], float32, NOT normalised. */
  output: string;
  /**
   * 'multispectral': `bands` are Sentinel-2 band names in model input order
   * (e.g. B02 B03 B04 B05 B06 B07 B08 B8A B11 B12), values are reflectance DNs.
   * 'rgb': `bands` is ["red", "green", "blue"]; values are 0..1 (the reference's
   * RGB path: B04 B03 B02, x/2000*255 clipped and truncated to uint8, /255).
   */
  kind: 'multispectral' | 'rgb';
  bands: string[];
  /** Square input size (224). */
  size: number;
  /** Resize interpolation for ImageFolder datasets (torchvision Resize, antialiased). */
  interpolation: Interpolation;
  /** Per-band normalisation, same order as `bands`. */
  mean: number[];
  std: number[];
}

export interface TextSpec {
  file: string;
  /** ONNX input name; int64 [batch, contextLength] (or [batch, 2..contextLength] with `dynamicLength`). */
  input: string;
  /** ONNX output name; float32 [batch, embeddingSize], NOT normalised. */
  output: string;
  /** Vocabulary file inside the bundle (bpe_simple_vocab_16e6.txt.gz). */
  vocabulary: string;
  contextLength: number;
  padId: number;
  startId: number;
  endId: number;
  /**
   * The text tower takes rows of any length from 2 to contextLength and gives the same
   * features as for the full rows (causal attention, pooled at the end-of-text token),
   * so the padding after a batch's last end-of-text token can be left out. Absent
   * (bundles exported before it existed) or false: rows are always contextLength long.
   */
  dynamicLength?: boolean;
}

export interface WeightsSource {
  /**
   * 'huggingface' (repo + file), 'open_clip' (pretrained tag; repo + file it came from),
   * 'url' (a published archive outside the hub: url + file inside it), 'checkpoint'
   * (local file), 'random' (seeded init, tests), 'demo' (trained by demo:train).
   */
  kind: 'huggingface' | 'open_clip' | 'url' | 'checkpoint' | 'random' | 'demo';
  repo?: string;
  file?: string;
  url?: string;
  pretrained?: string;
  checkpoint?: string;
  checkpointSha256?: string;
  seed?: number;
}

export interface BundleManifest {
  schema: typeof BUNDLE_SCHEMA;
  /** Registry name, e.g. "Llama3-MS-CLIP-Base". */
  name: string;
  /** 'msclip' (Llama3-MS-CLIP family), 'openclip' (OpenCLIP-format RGB models), 'demo'. */
  family: 'msclip' | 'openclip' | 'demo';
  /** open_clip architecture name, e.g. "ViT-B-16". */
  architecture: string;
  demo: boolean;
  embeddingSize: number;
  opset: number;
  image: ImageSpec;
  text: TextSpec;
  /** sha256 (hex) of every other file in the bundle, by file name. */
  files: Record<string, string>;
  source: WeightsSource;
  /** How the bundle was made and verified. */
  export: {
    date: string;
    tool: string;
    torch: string;
    openClip: string;
    /** onnxruntime (Python) version the verification ran on. */
    onnxruntime?: string;
    /** The largest max abs difference the export accepted. */
    tolerance?: number;
    /** Max abs difference ONNX vs torch on the verification inputs (L2-normalised embeddings). */
    maxAbsDiff: { image: number; text: number };
  };
}

/** The one narrow interface every model goes through. */
export interface ImageTextEncoder {
  readonly manifest: BundleManifest;
  /** Which ONNX Runtime execution provider actually runs the sessions ("cpu", "cuda", "webgpu"). */
  readonly provider: string;
  /**
   * `pixels` holds `count` preprocessed images, [count, bands, size, size] row-major,
   * already normalised. Returns [count, embeddingSize] L2-normalised rows.
   */
  encodeImages(pixels: Float32Array, count: number): Promise<Float32Array>;
  /** Tokenises and encodes; returns [texts.length, embeddingSize] L2-normalised rows. */
  encodeTexts(texts: readonly string[]): Promise<Float32Array>;
  /**
   * The token ids encodeTexts feeds the text tower: [texts.length, text.contextLength]
   * rows, cut to the context length. Optional (a stand-in encoder may have no
   * tokenizer); lets a task see prompts that the cut makes identical.
   */
  tokenize?(texts: readonly string[]): BigInt64Array;
  dispose(): Promise<void>;
}
