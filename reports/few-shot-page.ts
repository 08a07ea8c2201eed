/**
 * The few-shot view model -> the strings the few-shot page prints: per dataset the
 * headline (labels per class to reach 95% of the largest-budget score) and a table of
 * mean +- std per budget, the zero-shot level and the headline number. Escaped data only.
 */
import { type FewShotBenchmark, type FewShotSeries, TARGET_SHARE } from './few-shot.ts';
import { percent } from './values.ts';

export interface FewShotCell {
  text: string;
  /** Raw number for sorting, '' when missing. */
  sort: string;
  title: string;
  missing: boolean;
}

export interface FewShotRow {
  model: string;
  probe: string;
  condition: string;
  demo: boolean;
  kind: string;
  cells: FewShotCell[];
}

export interface FewShotTable {
  columns: { label: string; title: string }[];
  rows: FewShotRow[];
}

/** "2", "0.53", "32.5": labels per class as a reader counts them. */
export function labelsText(value: number): string {
  return Number.isInteger(value) ? String(value) : value >= 10 ? value.toFixed(1) : value.toPrecision(2);
}

const budgetText = (budget: number | 'all'): string => (budget === 'all' ? 'all' : String(budget));

export function fewShotTable(benchmark: FewShotBenchmark): FewShotTable {
  const unit = benchmark.budgetKind === 'total' ? 'labelled images in total' : 'labelled images per class';
  const columns = [
    ...benchmark.budgets.map((budget) => ({
      label: budgetText(budget),
      title: budget === 'all' ? 'the whole training split, one fit' : `${budget} ${unit}: mean ± std over the draws, %`,
    })),
    { label: 'zero-shot', title: 'the model\'s zero-shot score on the same test images (its prompts), %' },
    { label: `to ${Math.round(TARGET_SHARE * 100)}%`, title: `labels per class the probe needs to reach ${Math.round(TARGET_SHARE * 100)}% of its own largest-budget score` },
  ];
  const rows = benchmark.series.map((series) => {
    const budgetCells = benchmark.budgets.map((budget): FewShotCell => {
      const point = series.points.find((entry) => entry.budget === budget);
      if (!point) return { text: '—', sort: '', title: 'not measured', missing: true };
      return {
        text: `${percent(point.mean)} ± ${percent(point.std)}`,
        sort: String(point.mean),
        title: `${labelsText(point.labelsPerClass)} labels per class, ${point.draws} draw(s); 95% interval of the mean ${percent(point.ci95[0])}–${percent(point.ci95[1])}`,
        missing: false,
      };
    });
    return {
      model: series.model,
      probe: series.probe,
      condition: series.condition,
      demo: series.demo,
      kind: series.kind === 'multispectral' ? 'MS' : 'RGB',
      cells: [
        ...budgetCells,
        { text: percent(series.zeroShot), sort: series.zeroShot === null ? '' : String(series.zeroShot), title: `${series.testImages} test images`, missing: series.zeroShot === null },
        { text: labelsText(series.labelsTo95), sort: String(series.labelsTo95), title: `budget ${budgetText(series.budgetTo95)}; largest-budget score ${percent(series.largest)}`, missing: false },
      ],
    };
  });
  return { columns, rows };
}

function headlineOf(series: FewShotSeries): string {
  const target = `${Math.round(TARGET_SHARE * 100)}% of its largest-budget score (${percent(series.largest)}%)`;
  const zeroShot = series.zeroShot === null ? '' : `; zero-shot on the same images: ${percent(series.zeroShot)}%`;
  return `${series.label}: ${labelsText(series.labelsTo95)} label${series.labelsTo95 === 1 ? '' : 's'} per class reach ${target}${zeroShot}`;
}

/** One line per series, fewest labels first. */
export function fewShotHeadlines(benchmark: FewShotBenchmark): string[] {
  return [...benchmark.series].sort((a, b) => a.labelsTo95 - b.labelsTo95 || b.largest - a.largest).map(headlineOf);
}
