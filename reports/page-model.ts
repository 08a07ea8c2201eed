/**
 * Leaderboard -> the plain strings and numbers the Handlebars templates print. Every
 * value here is data and is printed with {{ }} (escaped); the only markup handed to
 * the templates is chart SVG from Vega and the page's own CSS and script (see site.ts).
 */
import { type Axis, type Benchmark, bestValue, type Cell, type Entry, type Headline, higherIsBetter, type Leaderboard, metricDescription, metricValue, perClassValue, percent, points, TASK_TITLES } from './leaderboard.ts';
import { smoothedFloor } from './scaling.ts';

export interface TableCell {
  text: string;
  /** For the sortable table: the raw number, or '' when missing. */
  sort: string;
  /** Provenance, one line, shown as the cell's title. */
  title: string;
  best: boolean;
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

function cellFor(cell: Cell | undefined, value: number | null, best: boolean): TableCell {
  return {
    text: percent(value, 2),
    sort: value === null ? '' : String(value),
    title: cell ? cell.provenance.summary : 'no record',
    best,
    missing: value === null,
  };
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
      return cellFor(board.cells[entry.id]?.[axis.dataset], score.value, score.rank === 1);
    });
    cells.push({ text: percent(entry.meanScore, 2), sort: entry.meanScore === null ? '' : String(entry.meanScore), title: `${entry.axesCovered} of ${board.axes.length} axes`, best: entry.meanScore === bestMean, missing: entry.meanScore === null });
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
      return cellFor(cell, value, value !== null && value === bests[index]);
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

export interface HeadlineView {
  task: string;
  meanGap: string;
  hasGap: boolean;
  benchmarkCount: number;
  leaderEverywhere: string;
  benchmarks: { label: string; leader: string; leaderScore: string; runnerUp: string; runnerUpScore: string; gap: string }[];
  top: { label: string; meanGap: string } | null;
}

export function headlineViews(board: Leaderboard): HeadlineView[] {
  return board.headlines.map((headline: Headline) => ({
    task: TASK_TITLES[headline.task],
    meanGap: points(headline.meanGap),
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
    })),
    // Only worth a line when the per-benchmark leaders differ.
    top: headline.topEntry && !headline.leaderEverywhere ? { label: headline.topEntry.label, meanGap: points(headline.topEntry.meanGap) } : null,
  }));
}

export function scalingNote(board: Leaderboard): { epsilon: string; floor: string } {
  return { epsilon: String(board.epsilon), floor: smoothedFloor(board.epsilon).toFixed(2) };
}
