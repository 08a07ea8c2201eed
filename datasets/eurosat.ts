/**
 * EuroSAT_MS: EuroSAT's 13-band Level-1C tiles (64x64, uint16 in the official
 * release) as an ImageFolder, `<dataset-dir>/EuroSAT_MS/<class>/*.tif`. Class names
 * are the folder names, lower-cased ("annualcrop", "herbaceousvegetation", ...).
 */
import { imageFolderClassName, listImageFolder, readMultibandTiff } from './image-folder.ts';
import { imageFolderSplits } from './splits.ts';
import type { DatasetModule } from './module.ts';
import { L1C_BANDS } from './sentinel2.ts';

const LAYOUT = '<dataset-dir>/EuroSAT_MS/<class>/*.tif (13-band Sentinel-2 L1C tiffs)';

export const eurosat: DatasetModule = {
  name: 'EuroSAT_MS',
  aliases: ['EuroSAT-MS', 'EuroSATMS', 'EuroSAT'],
  // The reference's EuroSAT_RGB is a separate JPEG release, not a view of these files.
  rgbAliases: [],
  task: 'single-label',
  bands: L1C_BANDS,
  folder: 'EuroSAT_MS',
  layout: LAYOUT,
  recipe: {
    multispectral: { interpolation: 'model', centerCrop: true },
    rgb: { interpolation: 'bicubic', centerCrop: true },
    readStep: { op: 'read-tiff', bands: [...L1C_BANDS], selection: 'by name' },
  },
  list: (root, options) => listImageFolder(root, {
    ...options,
    dataset: 'EuroSAT_MS',
    layout: LAYOUT,
    classNames: (folders) => folders.map(imageFolderClassName),
  }),
  splits: (root, listing, options) => imageFolderSplits(root, listing.items, options.missing),
  read: (item, options) => readMultibandTiff(item, L1C_BANDS, 'EuroSAT_MS L1C', options),
};
