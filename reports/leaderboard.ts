/**
 * Records -> the leaderboard's view model: entries (a model under one template set),
 * benchmarks, the radar's axes with their ranges, ranks, the headline gains and the
 * gaps to a baseline. Pure: no files, no rendering. Charts and pages only read this.
 *
 * 1. One entry per (model, template set); the template set is shown only for models
 *    that appear under more than one.
 * 2. Two axes per benchmark: classification (acc1 / Average_class_accuracy) and
 *    retrieval (mAP / Ave_mAP), with their direction read from metrics/.
 * 3. Per axis: min, max, per-entry rank and the smoothed min-max radius (scaling.ts).
 * 4. Overall rank: entries with more axes first, then by mean axis score.
 * 5. Headlines, per task: mean over benchmarks of (best score - best other score).
 * 6. Baseline (given, else the best RGB entry) and every entry's gap to it.
 *
 * The types are in board-types.ts, the shared helpers in values.ts, steps 5-6 in
 * headlines.ts; this module re-exports them so pages and charts import one place.
 */
import type { LoadedRecord, ResultRecord } from '../records/records.ts';
import type { Axis, Benchmark, Entry, Leaderboard, LeaderboardOptions } from './board-types.ts';
import { AXIS_METRICS, TASKS } from './board-types.ts';
import { baselineGaps, buildHeadlines, chooseBaseline, headlineDatasets } from './headlines.ts';
import { provenanceOf } from './provenance.ts';
import { RADAR_EPSILON, smoothedMinMax } from './scaling.ts';
import { chartSafe, compareDatasets, competitionRanks, datasetLabel, dictionary, higherIsBetter, imageKind, metricValue, orderMetrics } from './values.ts';

export * from './board-types.ts';
export {
  bestValue, higherIsBetter, imageKind, metricDescription, metricValue, percent, percentWithInterval,
  perClassValue, points,
} from './values.ts';

export function buildLeaderboard(options: LeaderboardOptions): Leaderboard {
  const epsilon = options.epsilon ?? RADAR_EPSILON;
  const kept = options.kept;

  // 1. Entries and benchmarks.
  const templatesPerModel = new Map<string, Set<string>>();
  for (const { record } of kept) {
    if (!templatesPerModel.has(record.model)) templatesPerModel.set(record.model, new Set());
    templatesPerModel.get(record.model)!.add(record.templates);
  }
  const entryRecords = new Map<string, LoadedRecord[]>();
  const cells: Leaderboard['cells'] = dictionary();
  const entryIdOf = (record: ResultRecord) => JSON.stringify([record.model, record.templates]);
  for (const loaded of kept) {
    const id = entryIdOf(loaded.record);
    if (!entryRecords.has(id)) entryRecords.set(id, []);
    entryRecords.get(id)!.push(loaded);
    (cells[id] ??= dictionary())[loaded.record.dataset] = { record: loaded.record, provenance: provenanceOf(loaded) };
  }

  const datasets = [...new Set(kept.map(({ record }) => record.dataset))].sort(compareDatasets);
  const benchmarks: Benchmark[] = datasets.map((dataset) => {
    const records = kept.filter(({ record }) => record.dataset === dataset).map(({ record }) => record);
    const classes: string[] = [];
    for (const record of records) for (const name of record.classes ?? []) if (!classes.includes(name)) classes.push(name);
    return {
      dataset,
      label: datasetLabel(dataset),
      slug: dataset.replace(/[^A-Za-z0-9_-]+/g, '_'),
      task: records[0].task,
      demo: records.some((record) => record.demo),
      classes,
      metrics: orderMetrics(records.flatMap((record) => Object.keys(record.metrics))),
    };
  });

  // 2. Axes: every classification axis, then every retrieval axis (the radar draws
  // each benchmark's two axes opposite each other).
  const axes: Axis[] = [];
  for (const task of TASKS) {
    for (const benchmark of benchmarks) {
      const metric = AXIS_METRICS[benchmark.task][task];
      axes.push({
        id: `${benchmark.dataset}:${task}`,
        dataset: benchmark.dataset,
        datasetLabel: benchmark.label,
        task,
        metric,
        higherIsBetter: higherIsBetter(metric),
        demo: benchmark.demo,
        min: null,
        max: null,
      });
    }
  }

  const entryIds = [...entryRecords.keys()];
  const valueOf = (entryId: string, axis: Axis): number | null => {
    const cell = cells[entryId]?.[axis.dataset];
    return cell ? metricValue(cell.record, axis.metric) : null;
  };

  // 3. Ranges, ranks and radii per axis.
  const scores: Leaderboard['scores'] = dictionary();
  for (const id of entryIds) scores[id] = dictionary();
  for (const axis of axes) {
    const values = entryIds.map((id) => valueOf(id, axis));
    const present = values.filter((value): value is number => value !== null);
    axis.min = present.length ? Math.min(...present) : null;
    axis.max = present.length ? Math.max(...present) : null;
    const ranks = competitionRanks(values, axis.higherIsBetter);
    entryIds.forEach((id, index) => {
      const value = values[index];
      scores[id][axis.id] = {
        value,
        rank: ranks[index],
        scaled: value === null ? null : smoothedMinMax(value, axis.min!, axis.max!, { epsilon, higherIsBetter: axis.higherIsBetter }),
      };
    });
  }

  // 4. Entries and overall rank.
  const unranked = entryIds.map((id) => {
    const loaded = entryRecords.get(id)!;
    const { model, templates } = loaded[0].record;
    const label = templatesPerModel.get(model)!.size > 1 ? `${model} [${templates}]` : model;
    const demo = loaded.some(({ record }) => record.demo);
    const kind = imageKind(loaded.map(({ record }) => record), model);
    const axisScores = axes
      .map((axis) => ({ axis, value: scores[id][axis.id].value }))
      .filter((item): item is { axis: Axis; value: number } => item.value !== null)
      .map(({ axis, value }) => (axis.higherIsBetter ? value : 1 - value));
    const meanScore = axisScores.length ? axisScores.reduce((a, b) => a + b, 0) / axisScores.length : null;
    return {
      id, model, templates, label, displayLabel: chartSafe(demo ? `${label} (demo)` : label),
      kind: kind.kind, kindSource: kind.source, demo, rank: 0, meanScore, axesCovered: axisScores.length,
    } satisfies Entry;
  });
  const entries = unranked.sort((a, b) => b.axesCovered - a.axesCovered || (b.meanScore ?? -Infinity) - (a.meanScore ?? -Infinity) || a.label.localeCompare(b.label));
  entries.forEach((entry, index) => {
    const previous = entries[index - 1];
    entry.rank = previous && previous.axesCovered === entry.axesCovered && previous.meanScore === entry.meanScore ? previous.rank : index + 1;
  });


  // 5. Headlines over the real benchmarks (the demo ones only when there is nothing else).
  const datasetsOfHeadlines = headlineDatasets(benchmarks);
  const headlines = buildHeadlines(entries, axes, scores, datasetsOfHeadlines);

  // 6. Baseline and gaps.
  const baseline = chooseBaseline(entries, options.baseline);
  const gaps = baselineGaps(entries, axes, scores, baseline);

  return {
    entries, benchmarks, axes, scores, cells, headlines, headlineDatasets: datasetsOfHeadlines, baseline, gaps, epsilon,
    recordsRead: options.recordsRead ?? kept.length + (options.superseded?.length ?? 0),
    superseded: [...(options.superseded ?? [])],
  };
}
