"""The bootstrap of metrics/bootstrap.ts, checked with scipy and numpy.

Reads one JSON request (path in argv[1]) and prints one JSON answer:

- "scipy": per metric, `scipy.stats.bootstrap(method="percentile")` interval of the
  metric over the images (its own resamples, from `scipy_seed`), the metric
  recomputed from the resampled logits with numpy/sklearn (below);
- "numpy_percentiles": per metric, `np.percentile` of the distribution msclip-bench
  computed, at the percentiles it used (bit-for-bit check of its quantile);
- "recomputed": per metric, its value on each resample msclip-bench drew (given as
  multiplicities), recomputed here from the images repeated that many times.

Metrics, as the reference harness defines them (see metrics/*.ts), on a test set given
as row indices `idx` into the logits (repeats allowed):
  acc1 / acc5: target among the top 1 / 5 logits; mean_per_class_recall: sklearn's
  balanced_accuracy_score of the argmax; mAP / mAP_tm19: mean over classes of AP@100
  (paper era; tm19 = items scored <= 0 never relevant); Average_class_accuracy: mean
  over classes of (logit > mean of the other logits) == target; Ave_mAP(_tm19) with the
  label column as relevance. Computed in float64; the requests use random continuous
  logits, so no two scores tie and no logit sits on a decision boundary.
"""
import json
import sys
import warnings

import numpy as np
from scipy import stats
from sklearn.metrics import balanced_accuracy_score

TOP_K = 100


def average_precision(scores, relevant, ignore_non_positive):
    order = np.argsort(-scores, kind="stable")[:TOP_K]
    hits = relevant[order]
    if ignore_non_positive:
        hits = hits & (scores[order] > 0)
    positions = np.nonzero(hits)[0] + 1
    if len(positions) == 0:
        return 0.0
    return float(np.mean(np.arange(1, len(positions) + 1) / positions))


def mean_ap(logits, relevance, ignore_non_positive):
    return float(np.mean([average_precision(logits[:, c], relevance[:, c], ignore_non_positive) for c in range(logits.shape[1])]))


def single_label(logits, targets, idx, key):
    scores, labels = logits[idx], targets[idx]
    k = scores.shape[1]
    if key in ("acc1", "acc5"):
        top = np.argsort(-scores, axis=1, kind="stable")[:, : 1 if key == "acc1" else 5]
        return float(np.mean(np.any(top == labels[:, None], axis=1)))
    if key == "mean_per_class_recall":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(balanced_accuracy_score(labels, np.argmax(scores, axis=1)))
    relevance = labels[:, None] == np.arange(k)[None, :]
    return mean_ap(scores, relevance, key == "mAP_tm19")


def multi_label(logits, targets, idx, key):
    scores, labels = logits[idx].astype(np.float64), targets[idx].astype(bool)
    k = scores.shape[1]
    if key == "Average_class_accuracy":
        others = (scores.sum(axis=1, keepdims=True) - scores) / (k - 1)
        return float(np.mean(np.mean((scores > others) == labels, axis=0)))
    return mean_ap(scores, labels, key == "Ave_mAP_tm19")


def main():
    request = json.loads(open(sys.argv[1]).read())
    logits = np.load(request["logits"])
    targets = np.load(request["targets"])
    metric = single_label if request["task"] == "single-label" else multi_label
    n = logits.shape[0]
    answer = {"scipy": {}, "numpy_percentiles": {}, "recomputed": {}}
    low, high = request["percentiles"]
    for key in request["keys"]:
        result = stats.bootstrap(
            (np.arange(n),),
            lambda idx, key=key: metric(logits, targets, idx, key),
            n_resamples=request["scipy_resamples"],
            confidence_level=request["level"],
            method="percentile",
            vectorized=False,
            rng=np.random.default_rng(request["scipy_seed"]),
        )
        answer["scipy"][key] = [float(result.confidence_interval.low), float(result.confidence_interval.high)]
        distribution = np.asarray(request["distributions"][key], dtype=np.float64)
        answer["numpy_percentiles"][key] = [float(np.percentile(distribution, low)), float(np.percentile(distribution, high))]
        answer["recomputed"][key] = [
            metric(logits, targets, np.repeat(np.arange(n), counts), key) for counts in request["counts"]
        ]
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
