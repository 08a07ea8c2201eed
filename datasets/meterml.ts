/**
 * METERML_MS: METER-ML's 12-band Sentinel-2 Level-2A tiles as an ImageFolder,
 * `<dataset-dir>/METERML_MS/<class>/*.tif`. The reference replaces the 7 sorted
 * class folder names, by position, with METER-ML's own class names; so do we, and
 * we insist on exactly 7 class folders (the reference would silently misalign).
 */
import { ErrorCode, UserError, quoted, shownPath } from '../core/errors.ts';
import { listImageFolder, readMultibandTiff } from './image-folder.ts';
import { imageFolderSplits } from './splits.ts';
import type { DatasetModule } from './module.ts';
import { L2A_BANDS } from './sentinel2.ts';

/** RSMETERML.classes, in the position order of the sorted class folders. */
export const METERML_CLASSES = [
  'concentrated animal feeding operations',
  'landfills',
  'coal mines',
  'other features',
  'natural gas processing plants',
  'oil refineries and petroleum terminals',
  'wastewater treatment plants',
] as const;

const LAYOUT = '<dataset-dir>/METERML_MS/<class>/*.tif (7 class folders of 12-band Sentinel-2 L2A tiffs)';

export const meterml: DatasetModule = {
  name: 'METERML_MS',
  aliases: ['METER-ML', 'METERML', 'METER_ML', 'METERML-MS'],
  rgbAliases: ['METERML_RGB'],
  task: 'single-label',
  bands: L2A_BANDS,
  folder: 'METERML_MS',
  layout: LAYOUT,
  recipe: {
    multispectral: { interpolation: 'model', centerCrop: true },
    rgb: { interpolation: 'bicubic', centerCrop: true },
    readStep: { op: 'read-tiff', bands: [...L2A_BANDS], selection: 'by name' },
  },
  list: (root, options) => listImageFolder(root, {
    ...options,
    dataset: 'METERML_MS',
    layout: LAYOUT,
    classNames: (folders) => {
      if (folders.length !== METERML_CLASSES.length) {
        throw new UserError(
          ErrorCode.datasetInvalid,
          `${shownPath(root)}: found ${folders.length} class folders (${folders.map(quoted).join(', ')}), expected ${METERML_CLASSES.length}, named by position: ${METERML_CLASSES.join('; ')}`,
          root,
        );
      }
      return [...METERML_CLASSES];
    },
  }),
  splits: (root, listing, options) => imageFolderSplits(root, listing.items, options.missing),
  read: (item, options) => readMultibandTiff(item, L2A_BANDS, 'METERML_MS L2A', options),
};
