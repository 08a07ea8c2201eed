/**
 * Every metric the harness reports, each declaring whether higher is better so the
 * leaderboard reads direction from here instead of hard-coding it. Values are
 * fractions in [0, 1], as the reference harness writes them (not percentages).
 */
export interface MetricDefinition {
  key: string;
  higherIsBetter: boolean;
  description: string;
}

function define(key: string, description: string): MetricDefinition {
  return { key, higherIsBetter: true, description };
}

export const METRICS: Record<string, MetricDefinition> = {
  acc1: define('acc1', 'Top-1 accuracy: share of images whose highest logit is their class.'),
  acc5: define('acc5', 'Top-5 accuracy: share of images whose class is among their 5 highest logits (absent with fewer than 5 classes).'),
  mean_per_class_recall: define('mean_per_class_recall', 'Balanced accuracy: mean over the classes present of the recall of the top-1 prediction.'),
  mAP: define('mAP', 'Retrieval mAP@100: mean over classes of AP@100 ranking all images by that class (torchmetrics <= 1.7.3, as in the paper).'),
  mAP_tm19: define('mAP_tm19', 'Retrieval mAP@100 as torchmetrics >= 1.7.4 computes it: images scored <= 0 never count as relevant.'),
  Average_class_accuracy: define('Average_class_accuracy', 'Multi-label: mean over classes of the accuracy of "logit above the mean of the other logits".'),
  Ave_mAP: define('Ave_mAP', 'Multi-label retrieval mAP@100: mean over classes of AP@100 with the label column as relevance (torchmetrics <= 1.7.3, as in the paper).'),
  Ave_mAP_tm19: define('Ave_mAP_tm19', 'Multi-label retrieval mAP@100 as torchmetrics >= 1.7.4 computes it: images scored <= 0 never count as relevant.'),
  macro_f1: define('macro_f1', 'Few-shot probes: mean over the classes present in targets or predictions of the F1 of the prediction (sklearn f1_score, average="macro").'),
  macro_mAP: define('macro_mAP', 'Few-shot probes, multi-label: mean over the classes with a positive test image of the average precision ranking all test images (sklearn average_precision_score).'),
  micro_f1: define('micro_f1', 'Few-shot probes, multi-label: F1 of all (image, class) decisions pooled (sklearn f1_score, average="micro").'),
};

export { argmaxRows, type MetricResult, type PerClass, singleLabelMetrics } from './classification.ts';
export { multiLabelMetrics, multiLabelPredictions } from './multilabel.ts';
export { averagePrecision, multiLabelPredictionMetrics, singleLabelPredictionMetrics } from './predictions.ts';
export { averagePrecisionAtK, topKIndices } from './retrieval.ts';
export {
  bootstrapDistributions, bootstrapIntervals, comparePaired, DEFAULT_LEVEL, holmAdjust, type Interval, type IntervalMethod,
  meanOfDistributions, observedValues, type PairedComparison, percentileInterval,
} from './bootstrap.ts';
export { recordStatistic } from './bootstrap-statistics.ts';
export { streamOf } from './random.ts';
