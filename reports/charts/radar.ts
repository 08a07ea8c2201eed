/**
 * The paper's headline figure as a Vega spec (Vega-Lite has no polar line charts):
 * one spoke per (benchmark, task), each benchmark's classification axis opposite its
 * retrieval axis, one closed polygon per entry, every axis scaled by the smoothed
 * min-max of scaling.ts, and the lowest and highest raw score printed on every spoke.
 *
 * Geometry is computed here (angles, radii, label anchors) so the spec carries plain
 * numbers; Vega only places marks. Scores are printed as percentages with one decimal.
 */
import type { Spec } from 'vega';
import { type Axis, type Leaderboard, percent, TASK_TITLES } from '../leaderboard.ts';
import { smoothedFloor } from '../scaling.ts';
import { CHART_FONT, entryColours } from './palette.ts';

/** Radius of the outer grid ring (scaled score 1), in pixels. */
const RADIUS = 170;
const FRAME = RADIUS + 24;
const TITLE_RADIUS = FRAME + 14;
const TITLE_LINE_HEIGHT = 17;
const MARGIN_X = 140;
const MARGIN_Y = 60;
const RINGS = [0.2, 0.4, 0.6, 0.8, 1];

export interface RadarAxisDatum {
  index: number;
  id: string;
  /** Counter-clockwise from east, in radians. */
  angle: number;
  lines: string[];
  align: 'left' | 'center' | 'right';
  baseline: 'top' | 'middle' | 'bottom';
  metric: string;
}

export interface RadarAnnotation {
  axis: string;
  which: 'lowest' | 'highest';
  /** The raw score as a fraction, and as printed. */
  value: number;
  text: string;
  radius: number;
  angle: number;
}

/**
 * Angles: 2k axes for k benchmarks, classification axes first starting at
 * 90° + 180°/2k and going counter-clockwise, so with the paper's three benchmarks
 * EuroSAT classification sits upper left and its retrieval axis opposite it, as in
 * the reference figure.
 */
export function axisAngles(count: number): number[] {
  const step = (2 * Math.PI) / count;
  const start = Math.PI / 2 + step / 2;
  return Array.from({ length: count }, (_, index) => start + index * step);
}

function anchor(angle: number): Pick<RadarAxisDatum, 'align' | 'baseline'> {
  const x = Math.cos(angle);
  const y = Math.sin(angle);
  return {
    align: x > 0.3 ? 'left' : x < -0.3 ? 'right' : 'center',
    baseline: y > 0.3 ? 'bottom' : y < -0.3 ? 'top' : 'middle',
  };
}

/** The printed extremes of one axis: worst score inside, best score at the outer ring. */
export function radarAnnotations(axis: Axis, angle: number, epsilon: number): RadarAnnotation[] {
  if (axis.min === null || axis.max === null) return [];
  const best = axis.higherIsBetter ? axis.max : axis.min;
  const worst = axis.higherIsBetter ? axis.min : axis.max;
  const bestText = percent(best);
  const outer: RadarAnnotation = { axis: axis.id, which: axis.higherIsBetter ? 'highest' : 'lowest', value: best, text: bestText, radius: RADIUS + 12, angle };
  if (axis.max === axis.min) return [outer];
  const inner: RadarAnnotation = {
    axis: axis.id, which: axis.higherIsBetter ? 'lowest' : 'highest', value: worst, text: percent(worst),
    radius: Math.max(RADIUS * smoothedFloor(epsilon) - 14, 10), angle,
  };
  return [inner, outer];
}

export function radarSpec(board: Leaderboard): Spec {
  const angles = axisAngles(board.axes.length);
  const colours = entryColours(board.entries.length);
  const width = 2 * (RADIUS + MARGIN_X);
  const height = 2 * (RADIUS + MARGIN_Y);
  const anyDemo = board.entries.some((entry) => entry.demo);

  const axes: RadarAxisDatum[] = board.axes.map((axis, index) => ({
    index,
    id: axis.id,
    angle: angles[index],
    lines: [axis.datasetLabel, TASK_TITLES[axis.task]],
    metric: axis.metric,
    ...anchor(angles[index]),
  }));
  const annotations = board.axes.flatMap((axis, index) => radarAnnotations(axis, angles[index], board.epsilon));
  const points = board.entries.flatMap((entry, order) => board.axes.flatMap((axis, index) => {
    const score = board.scores[entry.id][axis.id];
    if (score.value === null || score.scaled === null) return [];
    return [{
      entry: entry.displayLabel,
      order,
      axis: index,
      angle: angles[index],
      scaled: score.scaled,
      value: score.value,
      tip: `${entry.displayLabel}: ${axis.datasetLabel} ${axis.task} (${axis.metric}) ${percent(score.value, 2)}%`,
    }];
  }));

  const position = (radiusExpression: string) => ({
    x: { signal: `cx + (${radiusExpression}) * cos(datum.angle)` },
    y: { signal: `cy - (${radiusExpression}) * sin(datum.angle)` },
  });
  const spokeEnd = position(String(FRAME));

  return {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    description: 'Zero-shot classification accuracy and retrieval mAP@100 per benchmark, one polygon per model, each axis scaled by a smoothed min-max.',
    width,
    height,
    padding: 8,
    autosize: 'pad',
    background: 'white',
    title: {
      text: anyDemo ? 'Zero-shot benchmarks (includes demo results)' : 'Zero-shot benchmarks',
      subtitle: `accuracy % and mAP@100 %; each axis smoothed min-max scaled (epsilon = ${board.epsilon}); lowest and highest score printed`,
      anchor: 'start',
      font: CHART_FONT,
      subtitleFont: CHART_FONT,
    },
    config: { text: { font: CHART_FONT }, legend: { labelFont: CHART_FONT, titleFont: CHART_FONT } },
    signals: [
      { name: 'cx', value: width / 2 },
      { name: 'cy', value: height / 2 },
      { name: 'radius', value: RADIUS },
    ],
    data: [
      { name: 'rings', values: RINGS.map((fraction) => ({ fraction })) },
      { name: 'axes', values: axes },
      { name: 'annotations', values: annotations },
      { name: 'points', values: points },
    ],
    scales: [
      { name: 'colour', type: 'ordinal', domain: board.entries.map((entry) => entry.displayLabel), range: colours },
    ],
    legends: [
      {
        stroke: 'colour', fill: 'colour', symbolType: 'circle', title: 'Model', orient: 'right',
        labelLimit: 320, labelFontSize: 12, titleFontSize: 12, symbolSize: 80, symbolFillColor: 'white',
      },
    ],
    marks: [
      {
        type: 'arc', name: 'frame',
        encode: { enter: {
          x: { signal: 'cx' }, y: { signal: 'cy' }, startAngle: { value: 0 }, endAngle: { signal: '2 * PI' },
          innerRadius: { value: 0 }, outerRadius: { value: FRAME }, fill: { value: null },
          stroke: { value: '#222222' }, strokeWidth: { value: 1.5 },
        } },
      },
      {
        type: 'arc', name: 'gridRings', from: { data: 'rings' },
        encode: { enter: {
          x: { signal: 'cx' }, y: { signal: 'cy' }, startAngle: { value: 0 }, endAngle: { signal: '2 * PI' },
          innerRadius: { value: 0 }, outerRadius: { signal: 'radius * datum.fraction' }, fill: { value: null },
          stroke: { value: '#cccccc' }, strokeWidth: { value: 0.8 },
        } },
      },
      {
        type: 'rule', name: 'spokes', from: { data: 'axes' },
        encode: { enter: {
          x: { signal: 'cx' }, y: { signal: 'cy' }, x2: spokeEnd.x, y2: spokeEnd.y,
          stroke: { value: '#bbbbbb' }, strokeWidth: { value: 0.8 },
        } },
      },
      {
        type: 'group', name: 'polygons',
        from: { facet: { name: 'entryPoints', data: 'points', groupby: ['entry', 'order'] } },
        sort: { field: 'datum.order', order: 'descending' },
        marks: [
          {
            type: 'line', name: 'polygon', from: { data: 'entryPoints' }, sort: { field: 'datum.axis' },
            encode: { enter: {
              ...position('radius * datum.scaled'),
              interpolate: { value: 'linear-closed' },
              stroke: { scale: 'colour', field: 'entry' }, strokeWidth: { value: 2 },
              fill: { scale: 'colour', field: 'entry' }, fillOpacity: { value: 0.08 },
            } },
          },
          {
            type: 'symbol', name: 'vertex', from: { data: 'entryPoints' },
            encode: { enter: {
              ...position('radius * datum.scaled'),
              shape: { value: 'circle' }, size: { value: 36 },
              fill: { scale: 'colour', field: 'entry' }, stroke: { value: 'white' }, strokeWidth: { value: 0.5 },
              description: { field: 'tip' }, tooltip: { field: 'tip' },
            } },
          },
        ],
      },
      {
        type: 'text', name: 'extremesHalo', from: { data: 'annotations' },
        encode: { enter: {
          ...position('datum.radius'), text: { field: 'text' }, align: { value: 'center' }, baseline: { value: 'middle' },
          fontSize: { value: 12 }, stroke: { value: 'white' }, strokeWidth: { value: 4 }, strokeOpacity: { value: 0.9 }, fill: { value: 'white' },
        } },
      },
      {
        type: 'text', name: 'extremes', from: { data: 'annotations' },
        encode: { enter: {
          ...position('datum.radius'), text: { field: 'text' }, align: { value: 'center' }, baseline: { value: 'middle' },
          fontSize: { value: 12 }, fill: { value: '#333333' },
          description: { signal: "datum.which + ' score on this axis: ' + datum.text + '%'" },
        } },
      },
      {
        type: 'text', name: 'axisTitles', from: { data: 'axes' },
        encode: { enter: {
          ...position(String(TITLE_RADIUS)), text: { field: 'lines' },
          align: { field: 'align' }, baseline: { field: 'baseline' },
          // Vega stacks extra lines downwards from the anchor: lift the block so it
          // ends at the anchor (upper half) or centres on it (sides).
          dy: { signal: `datum.baseline === 'bottom' ? -${TITLE_LINE_HEIGHT} * (length(datum.lines) - 1) : datum.baseline === 'middle' ? -${TITLE_LINE_HEIGHT / 2} * (length(datum.lines) - 1) : 0` },
          fontSize: { value: 14 }, lineHeight: { value: TITLE_LINE_HEIGHT }, fill: { value: '#111111' },
          description: { signal: "join(datum.lines, ' ') + ' (' + datum.metric + ')'" },
        } },
      },
    ],
  };
}
