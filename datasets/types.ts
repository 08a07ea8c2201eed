/**
 * Contracts of the dataset side: loaders list a benchmark in its reference on-disk
 * layout; the preprocessing turns one listed item into the float32 CHW tensor a
 * model's manifest asks for. Both run inside worker threads, so everything that
 * crosses the boundary is plain data (structured-clone friendly).
 */

export type Task = 'single-label' | 'multi-label';

/** The resampling kernels the reference's transforms use (a model manifest names one). */
export type Interpolation = 'bicubic' | 'bilinear';

/** One image of a benchmark, in the dataset's listing order. */
export interface DatasetItem {
  /** Stable id: ImageFolder "<class folder>/<file name>", BigEarthNet the patch name. */
  id: string;
  /** Files to read: one multi-band tiff, or one single-band tiff per band (BigEarthNet). */
  files: string[];
  /** Class indices: exactly one for single-label, zero or more for multi-label. */
  labels: number[];
}

export interface DatasetListing {
  /** Registry name (aliases resolved), e.g. "EuroSAT_MS". */
  dataset: string;
  task: Task;
  root: string;
  /** Prompt class names, in logit column order. */
  classes: string[];
  items: DatasetItem[];
  /** Files skipped under --skip-invalid, with the reason. */
  skipped: { file: string; reason: string }[];
  /** Whether this is the built-in demo suite. */
  demo: boolean;
}

/** A decoded image: bands planar, [bands][height * width]. */
export interface RawImage {
  width: number;
  height: number;
  /** Band names in the order of `data`. */
  bands: string[];
  data: (Int16Array | Uint16Array | Int32Array | Float32Array | Uint8Array)[];
}

export interface ListOptions {
  skipInvalid: boolean;
}
