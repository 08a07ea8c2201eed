/**
 * BigEarthNet's label nomenclatures, the data of the reference's bigearthnet.py
 * (itself from torchgeo): the 43 CORINE names found in the labels JSON files, the
 * 19 class names used in prompts (spelled exactly as there: capitals and commas
 * kept), and the 43 -> 19 mapping (`label_converter`). Eleven of the 43 labels map to
 * nothing.
 */

export const BIGEARTHNET_43_CLASSES = [
  'Continuous urban fabric',
  'Discontinuous urban fabric',
  'Industrial or commercial units',
  'Road and rail networks and associated land',
  'Port areas',
  'Airports',
  'Mineral extraction sites',
  'Dump sites',
  'Construction sites',
  'Green urban areas',
  'Sport and leisure facilities',
  'Non-irrigated arable land',
  'Permanently irrigated land',
  'Rice fields',
  'Vineyards',
  'Fruit trees and berry plantations',
  'Olive groves',
  'Pastures',
  'Annual crops associated with permanent crops',
  'Complex cultivation patterns',
  'Land principally occupied by agriculture, with significant areas of natural vegetation',
  'Agro-forestry areas',
  'Broad-leaved forest',
  'Coniferous forest',
  'Mixed forest',
  'Natural grassland',
  'Moors and heathland',
  'Sclerophyllous vegetation',
  'Transitional woodland/shrub',
  'Beaches, dunes, sands',
  'Bare rock',
  'Sparsely vegetated areas',
  'Burnt areas',
  'Inland marshes',
  'Peatbogs',
  'Salt marshes',
  'Salines',
  'Intertidal flats',
  'Water courses',
  'Water bodies',
  'Coastal lagoons',
  'Estuaries',
  'Sea and ocean',
] as const;

export const BIGEARTHNET_19_CLASSES = [
  'Urban fabric',
  'Industrial or commercial units',
  'Arable land',
  'Permanent crops',
  'Pastures',
  'Complex cultivation patterns',
  'Land principally occupied by agriculture, with significant areas of natural vegetation',
  'Agro-forestry areas',
  'Broad-leaved forest',
  'Coniferous forest',
  'Mixed forest',
  'Natural grassland and sparsely vegetated areas',
  'Moors, heathland and sclerophyllous vegetation',
  'Transitional woodland, shrub',
  'Beaches, dunes, sands',
  'Inland wetlands',
  'Coastal wetlands',
  'Inland waters',
  'Marine waters',
] as const;

/** label_converter: 43-class index -> 19-class index (absent: dropped). */
export const LABEL_43_TO_19: Readonly<Record<number, number>> = {
  0: 0, 1: 0, 2: 1, 11: 2, 12: 2, 13: 2, 14: 3, 15: 3, 16: 3, 18: 3, 17: 4, 19: 5, 20: 6, 21: 7, 22: 8, 23: 9, 24: 10,
  25: 11, 31: 11, 26: 12, 27: 12, 28: 13, 29: 14, 33: 15, 34: 15, 35: 16, 36: 16, 38: 17, 39: 17, 40: 18, 41: 18, 42: 18,
};

const INDEX_43 = new Map<string, number>(BIGEARTHNET_43_CLASSES.map((name, index) => [name, index]));

/**
 * 19-class indices (sorted, unique) for a list of 43-class label names; the
 * unknown names are returned separately (the reference would raise KeyError).
 */
export function labels19(names: readonly string[]): { labels: number[]; unknown: string[] } {
  const labels = new Set<number>();
  const unknown: string[] = [];
  for (const name of names) {
    const index = INDEX_43.get(name);
    if (index === undefined) {
      unknown.push(name);
      continue;
    }
    const mapped = LABEL_43_TO_19[index];
    if (mapped !== undefined) labels.add(mapped);
  }
  return { labels: [...labels].sort((a, b) => a - b), unknown };
}
