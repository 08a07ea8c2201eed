/**
 * The demo datasets' scene designs: which covers a scene of each class is made of
 * and in what proportions. Each function turns a class (or a set of labels) and a
 * random stream into a SceneSpec for the renderer.
 */
import { BIGEARTHNET_43_CLASSES } from '../bigearthnet-labels.ts';
import type { Random } from '../../core/random.ts';
import { COVERS, type CoverName } from './recipes.ts';
import type { RegionShape, RegionSpec, SceneSpec } from './scene.ts';

/** How a cover is usually shaped when it is not the dominant one. */
function secondaryShape(cover: CoverName, random: Random): RegionShape {
  if (cover === 'river' || cover === 'roadRail') return 'strip';
  if (cover === 'sea' || cover === 'sand' || cover === 'intertidal') return random.next() < 0.7 ? 'edge' : 'blob';
  if (cover === 'lake' || cover === 'turbidWater' || cover === 'lagoon') return random.pick(['edge', 'blob', 'strip'] as const);
  if (COVERS[cover].pattern === 'parcels') return random.pick(['parcels', 'blob', 'edge'] as const);
  return random.pick(['blob', 'blob', 'edge'] as const);
}

/** Splits `rest` (the frame share the dominant cover leaves) among `count` others, each at least 5%. */
function shares(rest: number, count: number, random: Random): number[] {
  const raw = Array.from({ length: count }, () => random.range(0.5, 1.5));
  const total = raw.reduce((sum, value) => sum + value, 0);
  return raw.map((value) => Math.max(0.05, (rest * value) / total));
}

// ---------------------------------------------------------------- EuroSAT-style

/**
 * The EuroSAT-style set's own classes (folder names; prompts are these lower-cased
 * with "_" as spaces). Three pairs are designed so that only the non-visible bands
 * separate them: Snow/Cloud (SWIR), Healthy_Crops/Stressed_Crops (red edge, NIR,
 * SWIR), Broadleaf_Forest/Coniferous_Forest (NIR). Each pair shares its layout and
 * neighbours, and its visible colour.
 */
export const EUROSAT_DEMO_CLASSES = {
  Bare_Soil: { cover: 'bareSoil', neighbours: ['cropsHealthy', 'pasture', 'urbanSparse'] },
  Broadleaf_Forest: { cover: 'forestBroadleaf', neighbours: ['cropsHealthy', 'pasture', 'lake'] },
  Built_Up: { cover: 'urbanDense', neighbours: ['urbanSparse', 'pasture', 'forestBroadleaf'] },
  Cloud: { cover: 'cloudDeck', neighbours: ['forestConifer', 'rock'] },
  Coniferous_Forest: { cover: 'forestConifer', neighbours: ['cropsHealthy', 'pasture', 'lake'] },
  Healthy_Crops: { cover: 'cropsHealthy', neighbours: ['forestBroadleaf', 'urbanSparse', 'pasture'] },
  Snow: { cover: 'snowfield', neighbours: ['forestConifer', 'rock'] },
  Stressed_Crops: { cover: 'cropsStressed', neighbours: ['forestBroadleaf', 'urbanSparse', 'pasture'] },
  Water: { cover: 'lake', neighbours: ['forestBroadleaf', 'pasture', 'urbanSparse', 'bareSoil'] },
  Wetland: { cover: 'wetland', neighbours: ['lake', 'pasture', 'forestConifer'] },
} as const satisfies Record<string, { cover: CoverName; neighbours: readonly CoverName[] }>;

export type EurosatDemoClass = keyof typeof EUROSAT_DEMO_CLASSES;
/** The classes whose pair differs only outside the visible bands. */
export const NON_VISIBLE_CLASSES: readonly EurosatDemoClass[] = ['Cloud', 'Snow', 'Healthy_Crops', 'Stressed_Crops', 'Broadleaf_Forest', 'Coniferous_Forest'];

export function eurosatScene(className: EurosatDemoClass, size: number, random: Random): SceneSpec {
  const design = EUROSAT_DEMO_CLASSES[className];
  const dominant = random.range(0.55, 0.9);
  const count = random.next() < 0.6 ? 1 : 2;
  const others = Array.from({ length: count }, () => random.pick(design.neighbours as readonly CoverName[]));
  const regions: RegionSpec[] = [{ recipe: COVERS[design.cover], fraction: dominant, shape: 'blob' }];
  shares(1 - dominant, count, random).forEach((fraction, index) => {
    regions.push({ recipe: COVERS[others[index]], fraction, shape: secondaryShape(others[index], random) });
  });
  return { width: size, height: size, regions };
}

// ---------------------------------------------------------------- METER-ML-style

/**
 * METER-ML's class folders (sorted, they line up by position with the reference's
 * RSMETERML class names). Every scene is a rural background with the facility in a
 * central core; "Negative" gets an ordinary feature there (a farmstead, a pond...).
 */
export const METERML_FOLDERS = ['CAFOs', 'Landfills', 'Mines', 'Negative', 'ProcessingPlants', 'RefineriesAndTerminals', 'WWTreatment'] as const;
export type MetermlFolder = (typeof METERML_FOLDERS)[number];

const FACILITIES: Record<Exclude<MetermlFolder, 'Negative'>, SceneSpec['regions'][number]['recipe']> = {
  CAFOs: {
    pattern: 'mix', grain: 4, texture: 0.1,
    components: [{ material: 'soilDark', share: 0.6 }, { material: 'soil', share: 0.3 }, { material: 'grass', share: 0.1 }],
    objects: [
      { shape: 'rect', material: 'metalRoof', count: [3, 6], size: [1.6, 2.4], elongation: [4, 7], rows: true },
      { shape: 'rect', material: 'waterEutrophic', count: [1, 2], size: [2.5, 4], elongation: [1, 1.8] },
    ],
  },
  Landfills: {
    pattern: 'mix', grain: 3, texture: 0.2,
    components: [{ material: 'soil', share: 0.35 }, { material: 'urban', share: 0.2 }, { material: 'concrete', share: 0.15 }, { material: 'rock', share: 0.15 }, { material: 'grassDry', share: 0.15 }],
    objects: [{ shape: 'disc', material: 'waterTurbid', count: [0, 1], size: [1.5, 3] }],
  },
  Mines: {
    pattern: 'mix', grain: 5, texture: 0.15,
    components: [{ material: 'coal', share: 0.55 }, { material: 'rock', share: 0.2 }, { material: 'soil', share: 0.15 }, { material: 'soilDark', share: 0.1 }],
    objects: [{ shape: 'disc', material: 'waterTurbid', count: [1, 2], size: [2, 4] }],
  },
  ProcessingPlants: {
    pattern: 'mix', grain: 4, texture: 0.1,
    components: [{ material: 'concrete', share: 0.45 }, { material: 'rock', share: 0.35 }, { material: 'asphalt', share: 0.2 }],
    objects: [
      { shape: 'disc', material: 'metalRoof', count: [2, 5], size: [0.9, 1.6], rows: true },
      { shape: 'rect', material: 'metalRoof', count: [1, 3], size: [1.2, 2], elongation: [1.5, 3] },
    ],
  },
  RefineriesAndTerminals: {
    pattern: 'mix', grain: 4, texture: 0.1,
    components: [{ material: 'asphalt', share: 0.35 }, { material: 'concrete', share: 0.35 }, { material: 'urban', share: 0.3 }],
    objects: [
      { shape: 'disc', material: 'metalRoof', rim: 'asphalt', count: [4, 8], size: [1.8, 3.2], rows: true },
      { shape: 'disc', material: 'metalRoof', rim: 'asphalt', count: [3, 6], size: [1.5, 3], rows: true },
    ],
  },
  WWTreatment: {
    pattern: 'mix', grain: 4, texture: 0.08,
    components: [{ material: 'grass', share: 0.4 }, { material: 'concrete', share: 0.35 }, { material: 'asphalt', share: 0.25 }],
    objects: [
      { shape: 'disc', material: 'waterTurbid', rim: 'concrete', count: [2, 4], size: [2, 3.5], rows: true },
      { shape: 'rect', material: 'waterEutrophic', rim: 'concrete', count: [1, 3], size: [3, 5], elongation: [1.5, 3], rows: true },
    ],
  },
};

const METERML_BACKGROUNDS: readonly CoverName[] = ['arable', 'pasture', 'naturalGrassland', 'shrubland', 'forestMixed', 'sparse'];
/** Ordinary features any scene may hold - and what a Negative scene holds at its centre. */
const ORDINARY_FEATURES: readonly CoverName[] = ['urbanSparse', 'lake', 'bareSoil', 'forestBroadleaf', 'irrigated', 'roadRail', 'industrial', 'construction'];

export function metermlScene(folder: MetermlFolder, size: number, random: Random): SceneSpec {
  const background = random.pick(METERML_BACKGROUNDS);
  const regions: RegionSpec[] = [{ recipe: COVERS[background], fraction: 1, shape: 'blob' }];
  if (random.next() < 0.6) {
    const other = random.pick(METERML_BACKGROUNDS);
    regions.push({ recipe: COVERS[other], fraction: random.range(0.15, 0.4), shape: secondaryShape(other, random) });
  }
  // Distractors: farmsteads, ponds, small industry appear around every kind of site.
  if (random.next() < 0.5) regions.push({ recipe: COVERS[random.pick(ORDINARY_FEATURES)], fraction: random.range(0.04, 0.12), shape: 'blob' });
  const core = folder === 'Negative' ? COVERS[random.pick(ORDINARY_FEATURES)] : FACILITIES[folder];
  regions.push({ recipe: core, fraction: random.range(0.08, 0.22), shape: 'core' });
  return { width: size, height: size, regions };
}

// ---------------------------------------------------------------- BigEarthNet-style

type Label43 = (typeof BIGEARTHNET_43_CLASSES)[number];

/** The cover each BigEarthNet-43 label is drawn with. */
const LABEL_COVERS: Record<Label43, CoverName> = {
  'Continuous urban fabric': 'urbanDense',
  'Discontinuous urban fabric': 'urbanSparse',
  'Industrial or commercial units': 'industrial',
  'Road and rail networks and associated land': 'roadRail',
  'Port areas': 'port',
  Airports: 'airport',
  'Mineral extraction sites': 'mineralExtraction',
  'Dump sites': 'dump',
  'Construction sites': 'construction',
  'Green urban areas': 'greenUrban',
  'Sport and leisure facilities': 'sport',
  'Non-irrigated arable land': 'arable',
  'Permanently irrigated land': 'irrigated',
  'Rice fields': 'rice',
  Vineyards: 'vineyard',
  'Fruit trees and berry plantations': 'orchard',
  'Olive groves': 'olive',
  Pastures: 'pasture',
  'Annual crops associated with permanent crops': 'annualPermanent',
  'Complex cultivation patterns': 'complexCultivation',
  'Land principally occupied by agriculture, with significant areas of natural vegetation': 'agricultureNatural',
  'Agro-forestry areas': 'agroForestry',
  'Broad-leaved forest': 'forestBroadleaf',
  'Coniferous forest': 'forestConifer',
  'Mixed forest': 'forestMixed',
  'Natural grassland': 'naturalGrassland',
  'Moors and heathland': 'heath',
  'Sclerophyllous vegetation': 'sclerophyllous',
  'Transitional woodland/shrub': 'shrubland',
  'Beaches, dunes, sands': 'sand',
  'Bare rock': 'rock',
  'Sparsely vegetated areas': 'sparse',
  'Burnt areas': 'burnt',
  'Inland marshes': 'wetland',
  Peatbogs: 'peatbog',
  'Salt marshes': 'saltMarsh',
  Salines: 'saline',
  'Intertidal flats': 'intertidal',
  'Water courses': 'river',
  'Water bodies': 'lake',
  'Coastal lagoons': 'lagoon',
  Estuaries: 'turbidWater',
  'Sea and ocean': 'sea',
};

/**
 * Landscapes: which labels go together, with how often each is the dominant one.
 * Weights follow BigEarthNet's skew (forests, arable land, pastures and complex
 * cultivation are common; salines and burnt areas rare).
 */
const LANDSCAPES: readonly { weight: number; labels: readonly (readonly [Label43, number])[] }[] = [
  { weight: 3, labels: [['Non-irrigated arable land', 6], ['Pastures', 4], ['Complex cultivation patterns', 4], ['Land principally occupied by agriculture, with significant areas of natural vegetation', 4], ['Discontinuous urban fabric', 2], ['Broad-leaved forest', 2], ['Permanently irrigated land', 1], ['Rice fields', 1], ['Annual crops associated with permanent crops', 1], ['Road and rail networks and associated land', 0.5], ['Water courses', 1]] },
  { weight: 3, labels: [['Coniferous forest', 6], ['Mixed forest', 5], ['Broad-leaved forest', 4], ['Transitional woodland/shrub', 3], ['Natural grassland', 1], ['Peatbogs', 1], ['Water bodies', 1.5], ['Moors and heathland', 1], ['Pastures', 1]] },
  { weight: 1.2, labels: [['Continuous urban fabric', 3], ['Discontinuous urban fabric', 5], ['Industrial or commercial units', 3], ['Green urban areas', 1], ['Sport and leisure facilities', 1], ['Airports', 0.5], ['Construction sites', 0.5], ['Water courses', 1], ['Pastures', 1]] },
  { weight: 1, labels: [['Sea and ocean', 5], ['Beaches, dunes, sands', 2], ['Coastal lagoons', 1.5], ['Estuaries', 1.5], ['Salt marshes', 1.5], ['Salines', 1], ['Intertidal flats', 1], ['Port areas', 0.5], ['Discontinuous urban fabric', 1], ['Pastures', 1]] },
  { weight: 1.2, labels: [['Sclerophyllous vegetation', 4], ['Olive groves', 3], ['Vineyards', 3], ['Fruit trees and berry plantations', 2], ['Agro-forestry areas', 2], ['Natural grassland', 2], ['Transitional woodland/shrub', 2], ['Sparsely vegetated areas', 1.5], ['Bare rock', 1], ['Burnt areas', 0.7], ['Non-irrigated arable land', 1]] },
  { weight: 0.8, labels: [['Inland marshes', 4], ['Peatbogs', 3], ['Water bodies', 4], ['Water courses', 2], ['Pastures', 2], ['Mixed forest', 2], ['Moors and heathland', 1.5]] },
  { weight: 0.4, labels: [['Mineral extraction sites', 3], ['Dump sites', 1.5], ['Bare rock', 2], ['Sparsely vegetated areas', 1], ['Natural grassland', 1], ['Coniferous forest', 1]] },
];

/** Share of the frame a label must cover to be listed (CORINE polygons below this are rarely labelled). */
const LABEL_MINIMUM_COVERAGE = 0.04;

export function bigearthnetScene(size: number, random: Random): { spec: SceneSpec; labels: (coverage: number[]) => Label43[] } {
  const landscape = LANDSCAPES[random.weighted(LANDSCAPES.map((entry) => entry.weight))];
  const candidates = [...landscape.labels];
  const draw = (): Label43 => {
    const index = random.weighted(candidates.map(([, weight]) => weight));
    return candidates.splice(index, 1)[0][0];
  };
  const chosen: Label43[] = [draw()];
  const extra = random.weighted([0.25, 0.35, 0.27, 0.13]);
  for (let index = 0; index < extra && candidates.length > 0; index++) chosen.push(draw());
  const dominant = extra === 0 ? 1 : random.range(0.4, 0.8);
  const regions: RegionSpec[] = [{ recipe: COVERS[LABEL_COVERS[chosen[0]]], fraction: dominant, shape: 'blob' }];
  shares(1 - dominant, extra, random).forEach((fraction, index) => {
    const cover = LABEL_COVERS[chosen[index + 1]];
    regions.push({ recipe: COVERS[cover], fraction, shape: secondaryShape(cover, random) });
  });
  const labels = (coverage: number[]): Label43[] => {
    const kept = new Set<Label43>();
    coverage.forEach((share, index) => { if (index === 0 || share >= LABEL_MINIMUM_COVERAGE) kept.add(chosen[index]); });
    // Listed in the 43-class order, as BigEarthNet's files list them.
    return BIGEARTHNET_43_CLASSES.filter((label) => kept.has(label));
  };
  return { spec: { width: size, height: size, regions }, labels };
}
