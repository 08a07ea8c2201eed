/**
 * Leaderboard -> the plain strings and numbers the Handlebars templates print. Every
 * value here is data and is printed with {{ }} (escaped); the only markup handed to
 * the templates is chart SVG from Vega and the page's own CSS and script (see site.ts).
 */
import { type Axis, type Benchmark, bestValue, type BestComparison, type Cell, type Entry, type Headline, higherIsBetter, type Leaderboard, metricDescription, metricValue, perClassValue, percent, percentWithInterval, points, TASK_TITLES } from './leaderboard.ts';
import { axisInterval, comparisonNote, gainTexts } from './page-significance.ts';
import { smoothedFloor } from './scaling.ts';

export interface TableCell {
  /** The score in %, with its 95% interval when known: "48.07 [46.90, 49.30]". */
  text: string;
  /** For the sortable table: the raw number, or '' when missing. */
  sort: string;
  /** Provenance, one line, shown as the cell's title. */
  title: string;
  best: boolean;
  /** Not significantly below the best of its column (paired bootstrap, Holm). */
  tied: boolean;
  missing: boolean;
}

export interface TableRow {
  rank: number;
  label: string;
  demo: boolean;
  kind: string;
  kindTitle: string;
  cells: TableCell[];
}

export interface TableColumn {
  label: string;
  title: string;
}

export interface Table {
  columns: TableColumn[];
  rows: TableRow[];
}

export interface ProvenanceRow {
  entry: string;
  dataset: string;
  templates: string;
  templatesSha256: string;
  bundle: string;
  commit: string;
  date: string;
  images: number;
  device: string;
  runId: string;
  path: string;
}

interface CellExtras {
  interval?: readonly [number, number] | null;
  /** This entry against the best of the column. */
  comparison?: { bestLabel: string; compared: BestComparison; alpha: number };
}

function cellFor(cell: Cell | undefined, value: number | null, best: boolean, extras: CellExtras = {}): TableCell {
  const notes = [cell ? cell.provenance.summary : 'no record'];
  if (extras.comparison) notes.push(comparisonNote(extras.comparison.bestLabel, extras.comparison.compared, extras.comparison.alpha));
  return {
    text: percentWithInterval(value, extras.interval),
    sort: value === null ? '' : String(value),
    title: notes.join('\n'),
    best,
    tied: extras.comparison?.compared.tied ?? false,
    missing: value === null,
  };
}

/** The comparison of `entryId` with the best of an axis (or of the mean), for a cell. */
function comparisonFor(board: Leaderboard, significance: { bestId: string | null; comparisons: Record<string, BestComparison> } | undefined, entryId: string): CellExtras['comparison'] {
  const compared = significance?.comparisons[entryId];
  const best = board.entries.find((entry) => entry.id === significance?.bestId);
  return compared && best && board.significance ? { bestLabel: best.label, compared, alpha: board.significance.alpha } : undefined;
}

function entryRow(entry: Entry, cells: TableCell[]): TableRow {
  return {
    rank: entry.rank,
    label: entry.label,
    demo: entry.demo,
    kind: entry.kind === 'multispectral' ? 'MS' : 'RGB',
    kindTitle: entry.kindSource === 'provenance' ? `${entry.kind} (from the record's provenance.image_kind)` : `${entry.kind} (guessed from the model name)`,
    cells,
  };
}

/** The main table: one column per radar axis, then the mean. */
export function leaderboardTable(board: Leaderboard): Table {
  const columns: TableColumn[] = board.axes.map((axis: Axis) => ({
    label: `${axis.datasetLabel} ${axis.task === 'classification' ? 'cls' : 'retr'}`,
    title: `${axis.datasetLabel} ${axis.task}: ${axis.metric}, % (${axis.higherIsBetter ? 'higher' : 'lower'} is better). ${metricDescription(axis.metric)}`,
  }));
  columns.push({ label: 'Mean', title: 'Mean over the axes this model has (higher-is-better orientation), %' });
  const bestMean = Math.max(...board.entries.map((entry) => entry.meanScore ?? -Infinity));
  const rows = board.entries.map((entry) => {
    const cells = board.axes.map((axis) => {
      const score = board.scores[entry.id][axis.id];
      return cellFor(board.cells[entry.id]?.[axis.dataset], score.value, score.rank === 1, {
        interval: axisInterval(board, entry.id, axis),
        comparison: comparisonFor(board, board.significance?.axes[axis.id], entry.id),
      });
    });
    const mean = cellFor(undefined, entry.meanScore, entry.meanScore === bestMean, {
      interval: board.significance?.mean.intervals[entry.id],
      comparison: comparisonFor(board, board.significance?.mean, entry.id),
    });
    const stratified = board.significance?.mean.intervals[entry.id] ? '; interval: stratified bootstrap, each benchmark resampled on its own' : '';
    mean.title = [`${entry.axesCovered} of ${board.axes.length} axes${stratified}`, ...mean.title.split('\n').slice(1)].join('\n');
    cells.push(mean);
    return entryRow(entry, cells);
  });
  return { columns, rows };
}

/** A benchmark's table: every metric of its records. */
export function benchmarkTable(board: Leaderboard, benchmark: Benchmark): Table {
  const columns = benchmark.metrics.map((metric) => ({ label: metric, title: metricDescription(metric) }));
  const entries = board.entries.filter((entry) => board.cells[entry.id]?.[benchmark.dataset]);
  // Best in the metric's own direction, as the radar and the heatmap rank it.
  const bests = benchmark.metrics.map((metric) => bestValue(entries.map((entry) => metricValue(board.cells[entry.id][benchmark.dataset].record, metric)), higherIsBetter(metric)));
  const rows = entries.map((entry) => {
    const cell = board.cells[entry.id][benchmark.dataset];
    return entryRow(entry, benchmark.metrics.map((metric, index) => {
      const value = metricValue(cell.record, metric);
      const interval = cell.record.ci?.[metric];
      return cellFor(cell, value, value !== null && value === bests[index], { interval: Array.isArray(interval) ? interval : null });
    }));
  });
  return { columns, rows };
}

/** Per-class accuracy or AP: classes as rows, entries as columns. */
export function perClassTable(board: Leaderboard, benchmark: Benchmark, measure: 'accuracy' | 'ap'): { columns: TableColumn[]; rows: { label: string; cells: TableCell[] }[] } {
  const entries = board.entries.filter((entry) => board.cells[entry.id]?.[benchmark.dataset]);
  const columns = entries.map((entry) => ({ label: entry.displayLabel, title: entry.label }));
  const rows = benchmark.classes.map((name) => {
    const values = entries.map((entry) => perClassValue(board.cells[entry.id][benchmark.dataset].record, name, measure));
    const best = bestValue(values);
    return {
      label: name,
      cells: values.map((value, index) => cellFor(board.cells[entries[index].id][benchmark.dataset], value, value !== null && value === best)),
    };
  });
  return { columns, rows };
}

export function provenanceRows(board: Leaderboard, dataset?: string): ProvenanceRow[] {
  const rows: ProvenanceRow[] = [];
  for (const entry of board.entries) {
    for (const benchmark of board.benchmarks) {
      if (dataset !== undefined && benchmark.dataset !== dataset) continue;
      const cell = board.cells[entry.id]?.[benchmark.dataset];
      if (!cell) continue;
      const { provenance, record } = cell;
      rows.push({
        entry: entry.displayLabel,
        dataset: benchmark.label,
        templates: provenance.templates,
        templatesSha256: String(record.provenance?.templates_sha256 ?? '').slice(0, 12),
        bundle: provenance.bundleText,
        commit: provenance.commitText,
        date: provenance.date,
        images: provenance.images,
        device: provenance.device,
        runId: provenance.runId ?? '',
        path: provenance.path,
      });
    }
  }
  return rows;
}

/** A gain's 95% interval ("[+1.20, +4.50]", points) and p-value ("p = 0.012"); empty without saved logits. */
interface GainView {
  interval: string;
  p: string;
}

export interface HeadlineView {
  task: string;
  meanGap: string;
  meanGapSignificance: GainView;
  hasGap: boolean;
  benchmarkCount: number;
  leaderEverywhere: string;
  benchmarks: { label: string; leader: string; leaderScore: string; runnerUp: string; runnerUpScore: string; gap: string; significance: GainView }[];
  top: { label: string; meanGap: string; significance: GainView } | null;
}

export function headlineViews(board: Leaderboard): HeadlineView[] {
  return board.headlines.map((headline: Headline) => ({
    task: TASK_TITLES[headline.task],
    meanGap: points(headline.meanGap),
    meanGapSignificance: gainTexts(board.significance?.headlines[headline.task]?.meanGap),
    hasGap: headline.meanGap !== null,
    benchmarkCount: headline.benchmarks.length,
    leaderEverywhere: headline.leaderEverywhere ?? '',
    benchmarks: headline.benchmarks.map((item) => ({
      label: item.datasetLabel,
      leader: item.leader,
      leaderScore: percent(item.leaderScore, 2),
      runnerUp: item.runnerUp,
      runnerUpScore: percent(item.runnerUpScore, 2),
      gap: points(item.gap),
      significance: gainTexts(board.significance?.headlines[headline.task]?.benchmarks[item.dataset]),
    })),
    // Only worth a line when the per-benchmark leaders differ.
    top: headline.topEntry && !headline.leaderEverywhere
      ? { label: headline.topEntry.label, meanGap: points(headline.topEntry.meanGap), significance: gainTexts(board.significance?.headlines[headline.task]?.topEntry) }
      : null,
  }));
}

export function scalingNote(board: Leaderboard): { epsilon: string; floor: string } {
  return { epsilon: String(board.epsilon), floor: smoothedFloor(board.epsilon).toFixed(2) };
}
