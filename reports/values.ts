/**
 * Small pieces the view model, pages and charts share: the axes' vocabulary, reading a
 * value from a record, ordering, ranking and printing numbers.
 */
import { METRICS } from '../metrics/index.ts';
import type { RecordCondition, ResultRecord } from '../records/records.ts';
import type { Axis, Entry, ImageKind } from './board-types.ts';

/** The paper's benchmarks, in the order its radar places them; others follow by name. */
export const KNOWN_BENCHMARKS: Record<string, string> = {
  EuroSAT_MS: 'EuroSAT',
  BigEarthNet_MS: 'BigEarthNet',
  METERML_MS: 'METER-ML',
};

export function higherIsBetter(metric: string): boolean {
  return METRICS[metric]?.higherIsBetter ?? true;
}

export function metricDescription(metric: string): string {
  return METRICS[metric]?.description ?? metric;
}

/** Sorts the names of `known` in its order, then every other name by name. */
export function byKnownOrder(known: readonly string[]): (a: string, b: string) => number {
  const position = (name: string) => {
    const index = known.indexOf(name);
    return index < 0 ? known.length : index;
  };
  return (a, b) => position(a) - position(b) || a.localeCompare(b);
}

/** Display order of metric keys: METRICS' order, unknown keys after it by name. */
export function orderMetrics(keys: Iterable<string>): string[] {
  return [...new Set(keys)].sort(byKnownOrder(Object.keys(METRICS)));
}

/**
 * MS vs RGB: the evaluator writes `provenance.image_kind` from the bundle manifest.
 * Records without it (older runs, other tools) are guessed from the name: "MS" as a
 * separate token (Llama3-MS-CLIP) means multispectral, anything else RGB.
 */
export function imageKind(records: readonly ResultRecord[], model: string): { kind: ImageKind; source: Entry['kindSource'] } {
  for (const record of records) {
    const stated = record.provenance?.image_kind;
    if (stated === 'multispectral' || stated === 'rgb') return { kind: stated, source: 'provenance' };
  }
  return { kind: /(^|[^A-Za-z])MS([^A-Za-z]|$)/.test(model) ? 'multispectral' : 'rgb', source: 'name' };
}

export function datasetLabel(dataset: string): string {
  return KNOWN_BENCHMARKS[dataset] ?? dataset;
}

export const compareDatasets = byKnownOrder(Object.keys(KNOWN_BENCHMARKS));

export function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A metric value as a fraction, or null when absent or not a finite number. */
export function metricValue(record: ResultRecord, metric: string): number | null {
  return finiteOrNull(record.metrics[metric]);
}

/** A class's per-class accuracy or AP@100 as a fraction, or null when absent or not a finite number. */
export function perClassValue(record: ResultRecord, className: string, measure: 'accuracy' | 'ap'): number | null {
  // Class names are data: "constructor" or "__proto__" must not reach Object.prototype.
  const perClass = record.per_class;
  return perClass && Object.hasOwn(perClass, className) ? finiteOrNull(perClass[className]?.[measure]) : null;
}

/** The best of some scores in a metric's direction, or null when there are none. */
export function bestValue(values: readonly (number | null)[], higher = true): number | null {
  const present = values.filter((value): value is number => value !== null);
  if (present.length === 0) return null;
  return higher ? Math.max(...present) : Math.min(...present);
}

/** Oriented so that larger is better. */
export function oriented(value: number, axis: Pick<Axis, 'higherIsBetter'>): number {
  return axis.higherIsBetter ? value : -value;
}

/** Competition ranks (1, 2, 2, 4) of the non-null values, best first. */
export function competitionRanks(values: (number | null)[], higher: boolean): (number | null)[] {
  return values.map((value) => {
    if (value === null) return null;
    return 1 + values.filter((other) => other !== null && (higher ? other > value : other < value)).length;
  });
}

/** A fraction as a percentage string: 0.6789 -> "67.9" (digits = 1). */
export function percent(value: number | null, digits = 1): string {
  return value === null ? '—' : (100 * value).toFixed(digits);
}

/** A signed number of percentage points: "+4.63" / "-0.20". */
export function points(value: number | null, digits = 2): string {
  if (value === null) return '—';
  const rounded = value.toFixed(digits);
  return value > 0 && Number(rounded) !== 0 ? `+${rounded}` : rounded.replace(/^-(0\.0*)$/, '$1');
}

/** An interval of fractions as printed beside a score: "[46.90, 49.30]" (percent). */
export function intervalText(interval: readonly [number, number] | null | undefined, digits = 2): string {
  return interval ? `[${(100 * interval[0]).toFixed(digits)}, ${(100 * interval[1]).toFixed(digits)}]` : '';
}

/** A score with its interval: "48.07 [46.90, 49.30]", or just "48.07" without one. */
export function percentWithInterval(value: number | null, interval: readonly [number, number] | null | undefined, digits = 2): string {
  const text = percent(value, digits);
  return value !== null && interval ? `${text} ${intervalText(interval, digits)}` : text;
}

/** A p-value as printed: "p = 0.031", "p < 0.001". */
export function pValueText(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

/**
 * An empty object for keys that come from data (model names, class names, entry ids):
 * no prototype, so "constructor" or "__proto__" is a key like any other.
 */
export function dictionary<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * A name from data as Vega may see it. Vega's runtime looks some strings up as object
 * keys (explicit scale domains, sort orders), and a value such as "constructor" or
 * "__proto__" then finds Object.prototype's member and the whole chart fails. Such a
 * name gets an invisible zero-width space appended; every other name is unchanged.
 */
export function chartSafe(name: string): string {
  return name === '__proto__' || name in Object.prototype ? `${name}\u200b` : name;
}

/** The records of the main table and radar: zero-shot with every band (few-shot and band conditions have pages of their own). */
export function isLeaderboardRecord(record: ResultRecord): boolean {
  return (record.evaluation === undefined || record.evaluation === 'zero-shot') && record.condition === undefined;
}

/** A band condition as the pages name it: its label, else "drop B08,B11" (read from files, so checked loosely). */
export function conditionLabel(condition: RecordCondition): string {
  return typeof condition.label === 'string' ? condition.label : `drop ${String(condition.dropped)}`;
}
