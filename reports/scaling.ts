/**
 * The radar's smoothed min-max scaling.
 *
 * Plain min-max puts the worst model on the centre of the radar, where its polygon
 * collapses to a point and its score can no longer be read. The smoothed version
 * keeps a floor below the worst score:
 *
 *     s(x) = (x - min + epsilon * (max - min)) / ((1 + epsilon) * (max - min))
 *
 * so the worst model sits at epsilon / (1 + epsilon) of the radius and the best on the
 * outer ring (1). With the default epsilon = 0.5 the worst model is drawn at a third
 * of the radius. s is strictly increasing in x, so the order of the models on each
 * axis is preserved. When every model has the same score (max == min, including a
 * single model) the range is empty and all of them are drawn on the outer ring.
 * For a metric where lower is better, the formula runs on -x: the best (lowest)
 * value is on the outer ring.
 */
export const RADAR_EPSILON = 0.5;

export interface SmoothedMinMaxOptions {
  epsilon?: number;
  higherIsBetter?: boolean;
}

export function smoothedMinMax(value: number, min: number, max: number, options: SmoothedMinMaxOptions = {}): number {
  const epsilon = options.epsilon ?? RADAR_EPSILON;
  const range = max - min;
  if (!(range > 0)) return 1;
  const distanceFromWorst = options.higherIsBetter === false ? max - value : value - min;
  return (distanceFromWorst + epsilon * range) / ((1 + epsilon) * range);
}

/** Where the worst model lands: the radius fraction of the inner annotation. */
export function smoothedFloor(epsilon = RADAR_EPSILON): number {
  return epsilon / (1 + epsilon);
}
