/**
 * Cover types as material recipes, shared by the three demo datasets. A recipe
 * says which materials make up a cover, how they are laid out (smooth patches or
 * field parcels, and at what grain in 10 m pixels) and how much brightness texture
 * it has; facilities add objects (tanks, barns, basins).
 *
 * Pairs meant to be told apart only outside the visible bands are built
 * identically except for their one differing material: snow/cloud, healthy and
 * stressed crops, broadleaf and coniferous forest.
 */
import type { Recipe } from './scene.ts';

const mix = (grain: number, texture: number, components: Recipe['components'], objects?: Recipe['objects']): Recipe =>
  ({ pattern: 'mix', grain, texture, components, objects });
const parcels = (grain: number, texture: number, components: Recipe['components']): Recipe =>
  ({ pattern: 'parcels', grain, texture, components });

export const COVERS = {
  // Water
  sea: mix(30, 0.02, [{ material: 'waterDeep', share: 0.85 }, { material: 'waterTurbid', share: 0.15 }]),
  lake: mix(24, 0.03, [{ material: 'waterDeep', share: 0.5 }, { material: 'waterTurbid', share: 0.5 }]),
  river: mix(12, 0.03, [{ material: 'waterTurbid', share: 0.7 }, { material: 'waterDeep', share: 0.3 }]),
  turbidWater: mix(16, 0.03, [{ material: 'waterTurbid', share: 0.75 }, { material: 'mud', share: 0.1 }, { material: 'waterDeep', share: 0.15 }]),
  lagoon: mix(16, 0.03, [{ material: 'waterTurbid', share: 0.6 }, { material: 'waterEutrophic', share: 0.2 }, { material: 'waterDeep', share: 0.2 }]),
  // Wetlands
  wetland: mix(6, 0.08, [{ material: 'wetlandVegetation', share: 0.55 }, { material: 'waterTurbid', share: 0.25 }, { material: 'peat', share: 0.2 }]),
  peatbog: mix(8, 0.06, [{ material: 'peat', share: 0.6 }, { material: 'wetlandVegetation', share: 0.25 }, { material: 'waterTurbid', share: 0.15 }]),
  saltMarsh: mix(6, 0.06, [{ material: 'wetlandVegetation', share: 0.45 }, { material: 'mud', share: 0.35 }, { material: 'waterTurbid', share: 0.2 }]),
  saline: parcels(8, 0.04, [{ material: 'salt', share: 0.6 }, { material: 'waterTurbid', share: 0.25 }, { material: 'mud', share: 0.15 }]),
  intertidal: mix(10, 0.05, [{ material: 'mud', share: 0.6 }, { material: 'waterTurbid', share: 0.25 }, { material: 'sand', share: 0.15 }]),
  // Snow and cloud: same layout, the one material swapped.
  snowfield: mix(12, 0.04, [{ material: 'snow', share: 0.92 }, { material: 'rock', share: 0.08 }]),
  cloudDeck: mix(12, 0.04, [{ material: 'cloud', share: 0.92 }, { material: 'rock', share: 0.08 }]),
  // Agriculture
  cropsHealthy: parcels(10, 0.05, [{ material: 'cropHealthy', share: 0.7 }, { material: 'soil', share: 0.15 }, { material: 'grass', share: 0.15 }]),
  cropsStressed: parcels(10, 0.05, [{ material: 'cropStressed', share: 0.7 }, { material: 'soil', share: 0.15 }, { material: 'grass', share: 0.15 }]),
  arable: parcels(10, 0.05, [{ material: 'cropHealthy', share: 0.45 }, { material: 'soil', share: 0.3 }, { material: 'cropStressed', share: 0.1 }, { material: 'grassDry', share: 0.15 }]),
  irrigated: parcels(10, 0.04, [{ material: 'cropHealthy', share: 0.8 }, { material: 'soil', share: 0.1 }, { material: 'grass', share: 0.1 }]),
  rice: parcels(8, 0.04, [{ material: 'waterTurbid', share: 0.35 }, { material: 'cropHealthy', share: 0.45 }, { material: 'wetlandVegetation', share: 0.2 }]),
  vineyard: mix(2, 0.1, [{ material: 'shrub', share: 0.45 }, { material: 'soil', share: 0.45 }, { material: 'grass', share: 0.1 }]),
  orchard: mix(2, 0.1, [{ material: 'forestBroadleaf', share: 0.5 }, { material: 'grass', share: 0.35 }, { material: 'soil', share: 0.15 }]),
  olive: mix(2, 0.1, [{ material: 'shrub', share: 0.4 }, { material: 'soil', share: 0.45 }, { material: 'grassDry', share: 0.15 }]),
  annualPermanent: parcels(8, 0.06, [{ material: 'cropHealthy', share: 0.4 }, { material: 'shrub', share: 0.3 }, { material: 'soil', share: 0.3 }]),
  pasture: parcels(14, 0.05, [{ material: 'grass', share: 0.75 }, { material: 'grassDry', share: 0.25 }]),
  complexCultivation: parcels(5, 0.06, [{ material: 'cropHealthy', share: 0.3 }, { material: 'grass', share: 0.25 }, { material: 'soil', share: 0.2 }, { material: 'forestBroadleaf', share: 0.1 }, { material: 'cropStressed', share: 0.15 }]),
  agricultureNatural: parcels(9, 0.06, [{ material: 'cropHealthy', share: 0.35 }, { material: 'grass', share: 0.2 }, { material: 'forestBroadleaf', share: 0.25 }, { material: 'shrub', share: 0.2 }]),
  agroForestry: mix(3, 0.08, [{ material: 'forestBroadleaf', share: 0.4 }, { material: 'grassDry', share: 0.45 }, { material: 'soil', share: 0.15 }]),
  // Forests: broadleaf and coniferous with the same layout.
  forestBroadleaf: mix(8, 0.12, [{ material: 'forestBroadleaf', share: 0.92 }, { material: 'grass', share: 0.08 }]),
  forestConifer: mix(8, 0.12, [{ material: 'forestConifer', share: 0.92 }, { material: 'grass', share: 0.08 }]),
  forestMixed: mix(5, 0.12, [{ material: 'forestBroadleaf', share: 0.5 }, { material: 'forestConifer', share: 0.45 }, { material: 'grass', share: 0.05 }]),
  // Semi-natural
  naturalGrassland: mix(10, 0.06, [{ material: 'grassDry', share: 0.6 }, { material: 'grass', share: 0.3 }, { material: 'soil', share: 0.1 }]),
  shrubland: mix(4, 0.08, [{ material: 'shrub', share: 0.5 }, { material: 'grass', share: 0.2 }, { material: 'forestBroadleaf', share: 0.2 }, { material: 'soil', share: 0.1 }]),
  heath: mix(6, 0.06, [{ material: 'shrub', share: 0.5 }, { material: 'peat', share: 0.2 }, { material: 'grassDry', share: 0.2 }, { material: 'rock', share: 0.1 }]),
  sclerophyllous: mix(4, 0.08, [{ material: 'shrub', share: 0.6 }, { material: 'soil', share: 0.25 }, { material: 'grassDry', share: 0.15 }]),
  bareSoil: mix(10, 0.08, [{ material: 'soil', share: 0.7 }, { material: 'soilDark', share: 0.2 }, { material: 'grassDry', share: 0.1 }]),
  sand: mix(12, 0.05, [{ material: 'sand', share: 0.85 }, { material: 'grassDry', share: 0.15 }]),
  rock: mix(6, 0.1, [{ material: 'rock', share: 0.8 }, { material: 'soil', share: 0.1 }, { material: 'shrub', share: 0.1 }]),
  sparse: mix(6, 0.08, [{ material: 'soil', share: 0.45 }, { material: 'grassDry', share: 0.35 }, { material: 'rock', share: 0.2 }]),
  burnt: mix(8, 0.08, [{ material: 'burnt', share: 0.75 }, { material: 'soilDark', share: 0.15 }, { material: 'shrub', share: 0.1 }]),
  // Artificial
  urbanDense: mix(3, 0.15, [{ material: 'urban', share: 0.45 }, { material: 'asphalt', share: 0.2 }, { material: 'concrete', share: 0.2 }, { material: 'metalRoof', share: 0.05 }, { material: 'grass', share: 0.1 }]),
  urbanSparse: mix(4, 0.12, [{ material: 'urban', share: 0.35 }, { material: 'grass', share: 0.3 }, { material: 'forestBroadleaf', share: 0.15 }, { material: 'asphalt', share: 0.1 }, { material: 'concrete', share: 0.1 }]),
  industrial: mix(5, 0.12, [{ material: 'concrete', share: 0.3 }, { material: 'asphalt', share: 0.3 }, { material: 'urban', share: 0.25 }, { material: 'grass', share: 0.15 }], [
    { shape: 'rect', material: 'metalRoof', count: [2, 5], size: [2, 4], elongation: [1.2, 2.5] },
  ]),
  roadRail: mix(3, 0.08, [{ material: 'asphalt', share: 0.5 }, { material: 'grass', share: 0.3 }, { material: 'rock', share: 0.2 }]),
  port: mix(5, 0.1, [{ material: 'concrete', share: 0.45 }, { material: 'asphalt', share: 0.3 }, { material: 'waterTurbid', share: 0.25 }], [
    { shape: 'rect', material: 'metalRoof', count: [3, 8], size: [1, 2], elongation: [2, 4], rows: true },
  ]),
  airport: mix(10, 0.05, [{ material: 'grass', share: 0.55 }, { material: 'asphalt', share: 0.35 }, { material: 'concrete', share: 0.1 }], [
    { shape: 'rect', material: 'asphalt', count: [1, 2], size: [2, 3], elongation: [10, 20] },
  ]),
  mineralExtraction: mix(5, 0.12, [{ material: 'rock', share: 0.4 }, { material: 'soil', share: 0.3 }, { material: 'sand', share: 0.2 }, { material: 'waterTurbid', share: 0.1 }]),
  dump: mix(3, 0.15, [{ material: 'soil', share: 0.4 }, { material: 'urban', share: 0.3 }, { material: 'concrete', share: 0.2 }, { material: 'soilDark', share: 0.1 }]),
  construction: mix(5, 0.1, [{ material: 'soil', share: 0.6 }, { material: 'concrete', share: 0.3 }, { material: 'asphalt', share: 0.1 }]),
  greenUrban: mix(5, 0.08, [{ material: 'grass', share: 0.6 }, { material: 'forestBroadleaf', share: 0.3 }, { material: 'urban', share: 0.1 }]),
  sport: mix(6, 0.06, [{ material: 'grass', share: 0.7 }, { material: 'sand', share: 0.1 }, { material: 'asphalt', share: 0.2 }]),
} as const satisfies Record<string, Recipe>;

export type CoverName = keyof typeof COVERS;
