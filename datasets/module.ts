/**
 * What every benchmark module declares: its names, on-disk folder, task, the band
 * names its files hold, how it lists and reads images, and its preprocessing recipe
 * (the reference harness builds each dataset's transforms differently; the recipe
 * records those differences as data, so preprocess.ts has no per-dataset branches).
 */
import type { Interpolation } from './types.ts';
import type { DatasetSplits, MissingEntries } from './splits.ts';
import type { DatasetItem, DatasetListing, ListOptions, RawImage, Task } from './types.ts';

export type { Interpolation };

export interface ResizeRecipe {
  /** 'model': the model manifest's `interpolation`; otherwise fixed by the dataset. */
  interpolation: Interpolation | 'model';
  /** Centre-crop to the model size after resizing the shorter side. */
  centerCrop: boolean;
}

export interface DatasetRecipe {
  /** How a multispectral model's input is resized. */
  multispectral: ResizeRecipe;
  /** How the RGB view (B04 B03 B02, x/2000*255 as uint8, /255) is resized. */
  rgb: ResizeRecipe;
  /** What `read` does before preprocessing, for the provenance record. */
  readStep: Record<string, unknown>;
}

export interface ReadOptions {
  /** Bands to read (names from `bands`); default all. Reading fewer is faster. */
  bands?: readonly string[];
  /**
   * The largest image (width x height) to decode; a file declaring more is refused
   * before anything is allocated. Default: no limit beyond what can be allocated.
   */
  maxImagePixels?: number;
}

export interface DatasetModule {
  /** Registry name, e.g. "EuroSAT_MS". */
  name: string;
  /** Other accepted names (case-insensitive). */
  aliases: readonly string[];
  /** The reference's names for the RGB view of this dataset (METERML_RGB, BigEarthNet_RGB). */
  rgbAliases: readonly string[];
  task: Task;
  /** Band names in the files, in file order. */
  bands: readonly string[];
  /** Folder under --dataset-dir. */
  folder: string;
  /** One line for help texts and errors: the expected layout. */
  layout: string;
  recipe: DatasetRecipe;
  /** Lists the dataset at `root` (the dataset's own folder, `<dataset-dir>/<folder>`). */
  list(root: string, options: ListOptions): Promise<DatasetListing>;
  /**
   * The dataset's split files (train / val / test) as pools of images, for tasks that
   * train on one split and test on another; {} when it has none. `listing` is what
   * `list` returned for `root`; `missing: 'skip'` when it is a subset of the dataset.
   */
  splits(root: string, listing: DatasetListing, options: { missing: MissingEntries }): Promise<DatasetSplits>;
  /** Decodes one item to planar bands named by Sentinel-2 band names. */
  read(item: DatasetItem, options?: ReadOptions): Promise<RawImage>;
}
