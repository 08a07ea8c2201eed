/**
 * One colour per leaderboard entry, shared by every chart so a model keeps its colour
 * from the radar to the bars. Tableau 10 then its lighter half (20 distinct colours);
 * past that the colours repeat, which the legends still disambiguate.
 */
const COLOURS = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
  '#a0cbe8', '#ffbe7d', '#ff9d9a', '#86bcb6', '#8cd17d', '#f1ce63', '#d4a6c8', '#fabfd2', '#d7b5a6', '#79706e',
];

export function entryColours(count: number): string[] {
  return Array.from({ length: count }, (_, index) => COLOURS[index % COLOURS.length]);
}

/** Font stack: the PNG renderer is given DejaVu Sans; browsers fall back to their sans-serif. */
export const CHART_FONT = 'DejaVu Sans, Verdana, sans-serif';
