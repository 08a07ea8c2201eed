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

With `--records PATH ...` it checks records instead: for every record with saved
logits and a `ci`, scipy's percentile interval (`--resamples`, default the record's
own count) of each metric from the saved logits, against the record's interval, within
max(0.01, 1/n images) per end (`--metrics`, default acc1,mAP for single-label and
Average_class_accuracy,Ave_mAP for multi-label). Prints one line per interval and
exits 1 on any disagreement:

    .venv/bin/python scripts/parity/bootstrap_intervals.py --records results/ --resamples 10000
"""
import argparse
import json
import sys
import warnings
from pathlib import Path

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


def scipy_interval(metric, logits, targets, key, resamples, level, seed):
    n = logits.shape[0]
    result = stats.bootstrap(
        (np.arange(n),),
        lambda idx: metric(logits, targets, idx, key),
        n_resamples=resamples,
        confidence_level=level,
        method="percentile",
        vectorized=False,
        rng=np.random.default_rng(seed),
    )
    return [float(result.confidence_interval.low), float(result.confidence_interval.high)]


def check_records(paths, resamples, metrics, seed):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from saved_logits import record_files, saved_array

    failures = 0
    checked = 0
    for path, record in record_files(paths):
        if not record.get("ci") or not Path(f"{path}.logits.npy").exists():
            continue
        logits = saved_array(path, "logits")
        targets = saved_array(path, "targets")
        single = record["task"] == "single-label"
        metric = single_label if single else multi_label
        keys = metrics or (["acc1", "mAP"] if single else ["Average_class_accuracy", "Ave_mAP"])
        method = record.get("ci_method", {})
        n = logits.shape[0]
        tolerance = max(0.01, 1 / n)
        for key in keys:
            ours = record["ci"].get(key)
            if ours is None:
                continue
            theirs = scipy_interval(metric, logits, targets, key, resamples or method.get("resamples", 1000), method.get("level", 0.95), seed)
            difference = max(abs(ours[0] - theirs[0]), abs(ours[1] - theirs[1]))
            ok = difference <= tolerance
            failures += not ok
            checked += 1
            print(f"{'ok  ' if ok else 'FAIL'} {record['model']} {record['dataset']} {key}: ours [{ours[0]:.4f}, {ours[1]:.4f}] "
                  f"scipy [{theirs[0]:.4f}, {theirs[1]:.4f}] |difference| {difference:.4f} (tolerance {tolerance:.4f}, n {n})")
    print(f"{checked} intervals compared, {failures} outside the tolerance")
    return 1 if failures or not checked else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("request", nargs="?", help="a JSON request (the test's mode)")
    parser.add_argument("--records", nargs="+", help="record files or folders to check against scipy")
    parser.add_argument("--resamples", type=int, help="scipy's n_resamples (default: the record's)")
    parser.add_argument("--metrics", help="comma list of metric keys to check")
    parser.add_argument("--seed", type=int, default=0, help="scipy's generator seed")
    arguments = parser.parse_args()
    if arguments.records:
        metrics = arguments.metrics.split(",") if arguments.metrics else None
        sys.exit(check_records(arguments.records, arguments.resamples, metrics, arguments.seed))
    if not arguments.request:
        parser.error("give a request file or --records")
    request = json.loads(open(arguments.request).read())
    logits = np.load(request["logits"])
    targets = np.load(request["targets"])
    metric = single_label if request["task"] == "single-label" else multi_label
    n = logits.shape[0]
    answer = {"scipy": {}, "numpy_percentiles": {}, "recomputed": {}}
    low, high = request["percentiles"]
    for key in request["keys"]:
        answer["scipy"][key] = scipy_interval(metric, logits, targets, key, request["scipy_resamples"], request["level"], request["scipy_seed"])
        distribution = np.asarray(request["distributions"][key], dtype=np.float64)
        answer["numpy_percentiles"][key] = [float(np.percentile(distribution, low)), float(np.percentile(distribution, high))]
        answer["recomputed"][key] = [
            metric(logits, targets, np.repeat(np.arange(n), counts), key) for counts in request["counts"]
        ]
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
