#!/usr/bin/env python3
"""Golden files for metrics/ (test/fixtures/metrics/golden.json).

Run:  .venv/bin/python scripts/golden/metrics.py
Needs: torch, torchmetrics (1.9.0 here), numpy, scikit-learn (the reference harness
calls sklearn's classification_report and balanced_accuracy_score).

Every case stores two sets of numbers:

- "reference": the numbers the reference harness (IBM/MS-CLIP, HEAD 9dbeb33,
  msclip/inference/clip_benchmark/metrics/zeroshot_eval.py) reports, produced by
  scripts/parity/reference_metrics.py's torch code, which follows that file's
  semantics and calls the same libraries it calls (torchmetrics' RetrievalMAP module,
  sklearn's metrics, torch.topk / torch.max, np.mean). AP values are float32, as
  torchmetrics computes them; where logits tie they depend on torch.topk's
  unspecified tie order.
- "expected": the same computation with the project's deterministic tie-break (higher
  score first, then lower index): the same torch float32 arithmetic on the ranking,
  the same float32 mean of the other logits for multi-label, the same np.mean. On
  cases without ties the script asserts expected == reference exactly (every number,
  to the last bit), so "expected" is the reference's output; the TypeScript must
  match it to 1e-9 (it matches bit for bit).

"sums" checks metrics/reductions.ts alone: torch's float32 sum and mean of
inputs both sides generate from integers (lengths 1 to 16.8 million, so every level of
torch's cascade is used), and np.mean of float64 lists.

Where the reference crashes (ZeroDivisionError in per-class accuracy for a class with
no image; classification_report's ValueError when a class is neither a target nor a
prediction) the reference entry is None and "expected" uses 0 (sklearn's
zero_division="warn" value).
"""
import base64
import json
import sys
import warnings
from pathlib import Path
from typing import Optional

import numpy as np
import sklearn
import torch
import torchmetrics
from sklearn.metrics import balanced_accuracy_score, classification_report
from torch import Tensor

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "parity"))
from reference_metrics import reference_ap, retrieval_map_modules  # noqa: E402

# Expected noise: sklearn's zero-division and "y_pred contains classes not in y_true"
# warnings, which the cases provoke on purpose.
warnings.filterwarnings("ignore", category=FutureWarning)
warnings.filterwarnings("ignore", category=UserWarning)

OUT = Path(__file__).resolve().parents[2] / "test" / "fixtures" / "metrics" / "golden.json"
TOP_K = 100


PAPER_ERA_MAP, TM19_MAP = retrieval_map_modules()


# ---------------------------------------------------------------------------
# The reference's metrics, following the semantics of zeroshot_eval.py's functions.
def top_k_accuracies(logits: Tensor, target: Tensor, ks) -> list:
    """accuracy(): the fraction of images whose class is among their max(ks) highest
    logits as torch.topk orders them (ties in torch's order), read for each k."""
    ranked = torch.topk(logits, max(ks), dim=1, largest=True, sorted=True).indices
    found = ranked == target.unsqueeze(1)
    return [int(found[:, :k].any(dim=1).sum()) / len(target) for k in ks]


def retrieval_ap_per_class(scores: Tensor, relevance: Tensor, metric_class) -> list:
    """map_per_class() / map_per_class_ml(): every class column is one query over all
    images (a single query group), scored by a fresh metric_class(top_k=100)."""
    return [reference_ap(scores[:, column].numpy(), relevance[:, column].numpy(), metric_class, TOP_K)
            for column in range(scores.shape[1])]


def tallied_class_accuracy(logits: Tensor, target: Tensor) -> Optional[list]:
    """run_classification()'s per-class tally (its "# ADDED" lines): right answers over
    images of the class, the answer being torch.max's index. A class without images
    divides 0 by 0 there, a ZeroDivisionError that ends the run: None."""
    classes = logits.shape[1]
    answer = torch.max(logits, dim=1).indices.numpy()
    truth = target.numpy()
    images = np.bincount(truth, minlength=classes)
    right = np.bincount(truth[answer == truth], minlength=classes)
    if np.any(images[:classes] == 0):
        return None
    return [int(right[c]) / int(images[c]) for c in range(classes)]


def above_mean_of_others(scores: Tensor) -> Tensor:
    """The multi-label decision of multilabel_accuracy() and classwise_f1_scores()
    (other_features=False): class c is predicted for an image when its score is strictly
    above the float32 mean of that image's other scores, selected with a mask and
    reshaped as the reference does. int32 0/1, [images, classes]."""
    decided = torch.zeros_like(scores, dtype=torch.int)
    for c in range(scores.shape[1]):
        keep = torch.ones_like(scores, dtype=torch.bool)
        keep[:, c] = False
        others = scores[keep].reshape(scores.shape[0], -1).mean(dim=1, keepdim=True)
        decided[:, c] = (scores[:, c] > others.squeeze()).int()
    return decided


def per_column_accuracy(predictions: Tensor, truth: Tensor) -> list:
    """multilabel_accuracy(): per class, the share of images whose 0/1 decision is right."""
    agree = (predictions == truth).sum(dim=0)
    return [int(count) / predictions.shape[0] for count in agree]


# ---------------------------------------------------------------------------
# Reference runs.
def reference_single(logits_np, targets_np):
    logits, target = torch.from_numpy(logits_np), torch.from_numpy(targets_np.astype(np.int64))
    k = logits.shape[1]
    classes = [f"class {c}" for c in range(k)]
    relevance = target.unsqueeze(1) == torch.arange(k).unsqueeze(0)
    ap = retrieval_ap_per_class(logits, relevance, PAPER_ERA_MAP)
    ap_tm19 = retrieval_ap_per_class(logits, relevance, TM19_MAP)
    pred = logits.argmax(dim=1)
    if k >= 5:
        acc1, acc5 = top_k_accuracies(logits, target, (1, 5))
    else:
        acc1, = top_k_accuracies(logits, target, (1,))
        acc5 = None  # reference: float("nan")
    mean_per_class_recall = balanced_accuracy_score(target, pred)
    class_accuracies = tallied_class_accuracy(logits, target)
    try:
        report = classification_report(target, pred, digits=4, target_names=classes, output_dict=True)
    except ValueError:
        report = None  # a class neither a target nor a prediction: the reference crashes here
    per_class = []
    for c in range(k):
        entry = {"ap": ap[c], "ap_tm19": ap_tm19[c]}
        entry["accuracy"] = None if class_accuracies is None else class_accuracies[c]
        for field, key in (("precision", "precision"), ("recall", "recall"), ("f1", "f1-score")):
            entry[field] = None if report is None else report[classes[c]][key]
        per_class.append(entry)
    return {
        "metrics": {
            "acc1": acc1, "acc5": acc5, "mean_per_class_recall": mean_per_class_recall,
            "mAP": float(np.mean(ap)), "mAP_tm19": float(np.mean(ap_tm19)),
        },
        "perClass": per_class,
    }


def reference_multi(logits_np, targets_np):
    logits, target = torch.from_numpy(logits_np), torch.from_numpy(targets_np.astype(np.int64))
    k = logits.shape[1]
    classes = [f"class {c}" for c in range(k)]
    predicted_labels = above_mean_of_others(logits)
    accuracies = per_column_accuracy(predicted_labels, target)
    ap = retrieval_ap_per_class(logits, target, PAPER_ERA_MAP)
    ap_tm19 = retrieval_ap_per_class(logits, target, TM19_MAP)
    report = classification_report(target, predicted_labels, digits=4, target_names=classes, output_dict=True)
    per_class = [
        {
            "accuracy": accuracies[c], "ap": ap[c], "ap_tm19": ap_tm19[c],
            "precision": report[classes[c]]["precision"], "recall": report[classes[c]]["recall"],
            "f1": report[classes[c]]["f1-score"],
        }
        for c in range(k)
    ]
    return {
        "metrics": {
            "Average_class_accuracy": float(np.mean(accuracies)),
            "Ave_mAP": float(np.mean(ap)), "Ave_mAP_tm19": float(np.mean(ap_tm19)),
        },
        "perClass": per_class,
    }, predicted_labels.numpy().astype(np.uint8)


# ---------------------------------------------------------------------------
# Expected: the reference's arithmetic with ties broken lower index first.
def ranking(scores, k):
    """Top-k indices: higher score first, ties lower index first (stable sort of -score)."""
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    return order[: min(k, len(order))]


def ap_at_k(scores, relevant, k, ignore_non_positive=False):
    """AP of one query over its top k as torchmetrics computes it (float32 division per
    hit, torch's float32 mean), on our ranking: the <= 1.7.3 behaviour, or with
    ignore_non_positive the >= 1.7.4 one (scores <= 0 count as not relevant)."""
    scores = np.asarray(scores, dtype=np.float32)
    relevant = np.asarray(relevant) > 0
    if ignore_non_positive:
        relevant = relevant & (scores > 0)
    hit = torch.from_numpy(relevant[ranking(scores, k)])
    if not bool(hit.any()):
        return 0.0
    ranks = torch.arange(1, len(hit) + 1, dtype=torch.float32)[hit]
    return torch.div(torch.arange(len(ranks), dtype=torch.float32) + 1, ranks).mean().item()


def prf(y_true_binary, y_pred_binary):
    tp = int(np.sum((y_true_binary == 1) & (y_pred_binary == 1)))
    predicted, actual = int(y_pred_binary.sum()), int(y_true_binary.sum())
    div = lambda a, b: 0.0 if b == 0 else a / b
    return {"precision": div(tp, predicted), "recall": div(tp, actual), "f1": div(2 * tp, actual + predicted)}


def expected_single(logits_np, targets_np):
    n, k = logits_np.shape
    pred = np.array([ranking(row, 1)[0] for row in logits_np])
    top5 = [ranking(row, 5) for row in logits_np]
    per_class = []
    for c in range(k):
        relevant = (targets_np == c).astype(np.int64)
        entry = {"ap": ap_at_k(logits_np[:, c], relevant, TOP_K),
                 "ap_tm19": ap_at_k(logits_np[:, c], relevant, TOP_K, ignore_non_positive=True)}
        scores = prf(relevant, (pred == c).astype(np.int64))
        entry["accuracy"] = scores["recall"]
        entry.update(scores)
        per_class.append(entry)
    present = [c for c in range(k) if np.any(targets_np == c)]
    return {
        "metrics": {
            "acc1": float(np.mean(pred == targets_np)),
            "acc5": float(np.mean([targets_np[i] in top5[i] for i in range(n)])) if k >= 5 else None,
            "mean_per_class_recall": float(np.mean([per_class[c]["recall"] for c in present])),
            "mAP": float(np.mean([e["ap"] for e in per_class])),
            "mAP_tm19": float(np.mean([e["ap_tm19"] for e in per_class])),
        },
        "perClass": per_class,
    }


def multilabel_predictions64(logits_np):
    """The decision with a float64 mean (only to count where float32 decides otherwise)."""
    logits = logits_np.astype(np.float64)
    n, k = logits.shape
    predictions = np.zeros((n, k), dtype=np.uint8)
    for c in range(k):
        others = np.delete(logits, c, axis=1)
        predictions[:, c] = logits[:, c] > others.sum(axis=1) / (k - 1)
    return predictions


def expected_multi(logits_np, targets_np):
    n, k = logits_np.shape
    predictions = above_mean_of_others(torch.from_numpy(logits_np)).numpy().astype(np.uint8)
    per_class = []
    for c in range(k):
        entry = {"accuracy": float(np.mean(predictions[:, c] == targets_np[:, c])),
                 "ap": ap_at_k(logits_np[:, c], targets_np[:, c], TOP_K),
                 "ap_tm19": ap_at_k(logits_np[:, c], targets_np[:, c], TOP_K, ignore_non_positive=True)}
        entry.update(prf(targets_np[:, c].astype(np.int64), predictions[:, c].astype(np.int64)))
        per_class.append(entry)
    return {
        "metrics": {
            "Average_class_accuracy": float(np.mean([e["accuracy"] for e in per_class])),
            "Ave_mAP": float(np.mean([e["ap"] for e in per_class])),
            "Ave_mAP_tm19": float(np.mean([e["ap_tm19"] for e in per_class])),
        },
        "perClass": per_class,
    }, predictions


# ---------------------------------------------------------------------------
def has_ties(logits_np):
    """True when some column or row repeats a value (then torch's order is unspecified)."""
    columns = any(len(np.unique(logits_np[:, c])) < logits_np.shape[0] for c in range(logits_np.shape[1]))
    rows = any(len(np.unique(row)) < len(row) for row in logits_np)
    return columns or rows


# Numbers that depend on the order torch gives to equal scores (torch.topk); argmax and
# torch.max take the first maximum, so everything else is order-free.
TIE_SENSITIVE = ("acc1", "acc5", "mAP", "mAP_tm19", "Ave_mAP", "Ave_mAP_tm19", "ap", "ap_tm19")


def compare(expected, reference, where, ties):
    """Assert reference == expected, every number to the last bit. With ties, only the
    numbers that do not depend on torch's tie order are compared."""
    def check(key, a, b):
        if b is None or (ties and key.split(" ")[-1] in TIE_SENSITIVE):
            return
        if a is None or a != b:
            raise AssertionError(f"{where}: {key}: expected {a!r}, reference {b!r}")
    for key, value in reference["metrics"].items():
        check(key, expected["metrics"][key], value)
    for c, (e, r) in enumerate(zip(expected["perClass"], reference["perClass"])):
        for key in r:
            check(f"class {c} {key}", e[key], r[key])


def tie_order_agrees(expected, reference):
    """Whether torch's tie order happened to give our numbers too (informative only)."""
    try:
        compare(expected, reference, "", False)
        return True
    except AssertionError:
        return False


def encode_f32(array):
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode("ascii")


def encode_u8(array):
    return base64.b64encode(np.ascontiguousarray(array, dtype=np.uint8).tobytes()).decode("ascii")


def f32(array):
    return np.asarray(array, dtype=np.float32)


def single_cases(rng):
    """(name, logits [n,k] float32, targets [n] int) with the shapes the brief asks for."""
    cases = []
    n, k = 200, 10
    targets = rng.integers(0, k, n)
    logits = f32(rng.normal(0, 4, (n, k)) + 5 * np.eye(k)[targets])
    cases.append(("random_signed_n200_k10", logits, targets))  # n > 100: top_k cuts
    targets = rng.integers(0, k, n)
    logits = f32(20 + rng.normal(0, 2, (n, k)) + 2 * np.eye(k)[targets])  # CLIP-like, all > 0
    cases.append(("clip_like_positive_n200_k10", logits, targets))
    n, k = 150, 6
    targets = rng.integers(0, k, n)
    logits = f32(rng.integers(-2, 3, (n, k)) + np.eye(k)[targets] * rng.integers(0, 2, (n, 1)))
    cases.append(("ties_integers_n150_k6", logits, targets))  # ties everywhere, zeros and negatives
    n, k = 50, 3
    targets = rng.integers(0, k, n)
    logits = f32(rng.normal(0, 1, (n, k)) + np.eye(k)[targets])
    cases.append(("few_classes_n50_k3", logits, targets))  # k < 5: acc5 absent; n < 100
    n, k = 80, 8
    targets = rng.choice([0, 1, 2, 4, 6], n)  # classes 3, 5, 7 have no image
    logits = f32(rng.normal(0, 1, (n, k)))
    logits[:, 7] -= 10  # class 7: neither a target nor a prediction (classification_report refuses)
    logits[:, 3] += 0.8  # class 3: predicted, never a target (balanced accuracy drops it)
    cases.append(("empty_classes_n80_k8", logits, targets))
    n, k = 120, 5
    targets = rng.integers(0, k, n)
    logits = f32(-3 + rng.normal(0, 1, (n, k)) + 2.5 * np.eye(k)[targets])  # mostly negative scores
    cases.append(("mostly_negative_n120_k5", logits, targets))
    n, k = 100, 7
    targets = rng.integers(0, k, n)
    logits = f32(rng.normal(0, 1, (n, k)) + np.eye(k)[targets])
    cases.append(("exactly_top_k_n100_k7", logits, targets))
    n, k = 1, 1
    cases.append(("single_image_single_class", f32([[0.5]]), np.array([0])))
    return cases


def multi_cases(rng):
    cases = []
    n, k = 300, 19
    targets = (rng.random((n, k)) < 0.15).astype(np.uint8)
    targets[rng.random(n) < 0.1] = 0  # all-zero rows: images left with no label
    targets[:, 11] = 0  # a class no image has
    logits = f32(rng.normal(0, 3, (n, k)) + 3 * targets)  # both signs
    cases.append(("ml_random_signed_n300_k19", logits, targets))
    targets = (rng.random((n, k)) < 0.2).astype(np.uint8)
    targets[::17] = 0
    logits = f32(18 + rng.normal(0, 2, (n, k)) + 2 * targets)  # CLIP-like, all > 0
    cases.append(("ml_clip_like_positive_n300_k19", logits, targets))
    n, k = 40, 19
    targets = (rng.random((n, k)) < 0.2).astype(np.uint8)
    logits = f32(rng.normal(15, 2, (n, k)))
    for row, value in zip(range(0, n, 4), (0.1, 0.3, 0.7, 1.1, 3.3, 17.7, 21.9, 23.1, 29.3, 31.7)):
        logits[row] = value  # all-equal rows: no logit exceeds the mean of the others
    cases.append(("ml_equal_rows_n40_k19", logits, targets))
    n, k = 60, 5
    targets = (rng.random((n, k)) < 0.4).astype(np.uint8)
    targets[:6] = 0
    logits = f32(rng.integers(-1, 2, (n, k)))
    logits[::7] = 1.0  # all-equal rows: nothing exceeds the mean of the others
    logits[3::11] = 0.1  # all-equal rows whose float32 mean is inexact
    cases.append(("ml_ties_n60_k5", logits, targets))
    n, k = 90, 4
    targets = (rng.random((n, k)) < 0.5).astype(np.uint8)
    targets[:, 0] = 1  # a class every image has
    logits = f32(rng.normal(-1, 1, (n, k)) + targets)
    cases.append(("ml_small_n90_k4", logits, targets))
    n, k = 190, 19
    targets = (rng.random((n, k)) < 0.2).astype(np.uint8)
    logits = f32(rng.normal(20, 3, (n, k)))
    for row in range(n):
        # Logit c of this row on (or one float32 step above) torch's float32 mean of the
        # other 18: decided by the last bit of that mean, so by torch's summation order.
        c = row % k
        mean32 = np.float32(torch.from_numpy(np.delete(logits[row], c)).mean().item())
        logits[row, c] = mean32 if row % 2 == 0 else np.nextafter(mean32, np.float32(np.inf))
    cases.append(("ml_on_the_float32_mean_n190_k19", logits, targets))
    return cases


def ap_cases(rng):
    """Single queries for averagePrecisionAtK, checked against both functionals directly."""
    cases = []
    cases.append(("torchmetrics_doc_example", f32([0.2, 0.3, 0.5]), np.array([1, 0, 1]), None))
    for n, k in ((30, 1), (30, 5), (30, 30), (30, 1000), (250, 100), (250, 10)):
        scores = f32(rng.normal(0, 1, n))
        relevant = (rng.random(n) < 0.3).astype(np.uint8)
        cases.append((f"random_n{n}_k{k}", scores, relevant, k))
    cases.append(("no_relevant", f32(rng.normal(0, 1, 20)), np.zeros(20, dtype=np.uint8), 10))
    cases.append(("all_non_positive", f32(-rng.random(20)), (rng.random(20) < 0.5).astype(np.uint8), 10))
    cases.append(("zero_scores", f32([0, 0, 1, 0, -1, 2]), np.array([1, 1, 0, 1, 1, 1]), 4))
    cases.append(("ties", f32([1, 1, 1, 0.5, 0.5, 1]), np.array([0, 1, 0, 1, 1, 1]), 5))
    # Over 512 hits: torch's summation folds its partial sums in chunks (see "sums").
    cases.append(("many_hits_n3000_k3000", f32(rng.normal(0, 1, 3000)), (rng.random(3000) < 0.4).astype(np.uint8), 3000))
    return cases


# Inputs both sides generate from integers: value i = float32(((i * a + b) mod m - c) / d).
SUM_LENGTHS = list(range(1, 41)) + [63, 64, 65, 100, 127, 128, 129, 511, 512, 513, 1000, 2047, 2048, 2049,
                                    4095, 4096, 4097, 65536, 65537, 131079, 1000003, 2 ** 24 + 100]
SUM_FORMULAS = [(7919, 13, 10007, 0, 10007), (104729, 3, 99991, 33330, 9999.1), (31, 0, 97, 48, 0.37)]


def generated(length, a, b, m, c, d):
    i = np.arange(length, dtype=np.int64)
    return (((i * a + b) % m - c) / d).astype(np.float32)


def sum_cases(rng):
    """torch.sum / torch.mean of generated float32 vectors, on one thread (torch
    splits a single sum over threads from 32,768 elements; every sum the metrics take
    is far smaller), and np.mean of float64 lists."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        float32 = []
        for index, length in enumerate(SUM_LENGTHS):
            formula = SUM_FORMULAS[index % len(SUM_FORMULAS)]
            values = torch.from_numpy(generated(length, *formula))
            float32.append({"length": length, "formula": list(formula),
                            "sum": values.sum().item(), "mean": values.mean().item()})
    finally:
        torch.set_num_threads(threads)
    float64 = []
    for length in list(range(1, 21)) + [100, 127, 128, 129, 255, 256, 300, 1000]:
        values = [float(x) for x in rng.random(length) * rng.choice([1e-3, 1.0, 1e3], length)]
        float64.append({"values": values, "mean": float(np.mean(values))})
    return {"float32": float32, "numpyMean": float64}


def main():
    rng = np.random.default_rng(20250315)
    out = {
        "generator": "scripts/golden/metrics.py",
        "versions": {"torch": torch.__version__, "torchmetrics": torchmetrics.__version__,
                     "numpy": np.__version__, "sklearn": sklearn.__version__},
        "topK": TOP_K,
        "single": [], "multi": [], "averagePrecision": [], "sums": sum_cases(np.random.default_rng(20261122)),
    }
    for name, logits, targets in single_cases(rng):
        ties = has_ties(logits)
        expected = expected_single(logits, targets)
        reference = reference_single(logits, targets)
        compare(expected, reference, name, ties)
        agrees = tie_order_agrees(expected, reference)
        out["single"].append({"name": name, "n": int(logits.shape[0]), "k": int(logits.shape[1]),
                              "logits": encode_f32(logits), "targets": [int(t) for t in targets],
                              "ties": ties, "referenceAgrees": agrees,
                              "expected": expected, "reference": reference})
    for name, logits, targets in multi_cases(rng):
        ties = has_ties(logits)
        expected, predictions = expected_multi(logits, targets)
        reference, reference_predictions = reference_multi(logits, targets)
        if not np.array_equal(predictions, reference_predictions):
            raise AssertionError(f"{name}: predictions differ from the reference's")
        flips = int(np.sum(multilabel_predictions64(logits) != predictions))
        if flips:
            print(f"note: {name}: a float64 mean of the other logits would flip {flips} predictions",
                  file=sys.stderr)
        compare(expected, reference, name, ties)
        agrees = tie_order_agrees(expected, reference)
        out["multi"].append({"name": name, "n": int(logits.shape[0]), "k": int(logits.shape[1]),
                             "logits": encode_f32(logits), "targets": encode_u8(targets),
                             "ties": ties, "referenceAgrees": agrees, "float32MeanFlips": flips,
                             "expectedPredictions": encode_u8(predictions),
                             "expected": expected, "reference": reference})
    for name, scores, relevant, k in ap_cases(rng):
        top_k = k if k is not None else len(scores)
        ties = len(np.unique(scores)) < len(scores)
        expected = {"ap": ap_at_k(scores, relevant, top_k),
                    "ap_tm19": ap_at_k(scores, relevant, top_k, ignore_non_positive=True)}
        reference = {"ap": reference_ap(scores, relevant, PAPER_ERA_MAP, k),
                     "ap_tm19": reference_ap(scores, relevant, TM19_MAP, k)}
        for key in expected:
            if not ties and expected[key] != reference[key]:
                raise AssertionError(f"{name}: {key}: expected {expected[key]!r}, reference {reference[key]!r}")
        out["averagePrecision"].append({"name": name, "scores": [float(x) for x in scores],
                                        "relevant": [int(x) for x in relevant], "k": top_k, "ties": ties,
                                        "expected": expected, "reference": reference})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, separators=(",", ":"), allow_nan=False) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
