"""Zero-shot metrics with the reference harness's definitions
(IBM/MS-CLIP msclip/inference/clip_benchmark/metrics/zeroshot_eval.py, evaluate()),
written from those definitions for scripts/parity/evaluate.py.

Single-label (logits [n, k] float32, targets [n] int):
- acc1 / acc5: share of images whose target is among the top 1 / 5 logits (acc5 is
  None when k < 5; the reference writes NaN).
- mean_per_class_recall: sklearn balanced_accuracy_score(target, argmax), the call the
  reference makes.
- mAP / mAP_tm19: mean over classes of AP@100, query c ranking every image by logit c,
  relevance target == c. mAP is the paper-era torchmetrics (<= 1.7.3) RetrievalMAP:
  mean over the relevant items inside the top 100 of (relevant so far / rank), 0 when
  none is retrieved; mAP_tm19 is torchmetrics >= 1.7.4, where an item scored <= 0 is
  never relevant.
- per class: accuracy = correct argmax / images of the class (the reference's
  class_accuracies), precision / recall / F1 of the argmax (sklearn, 0 for 0/0).
Multi-label (targets [n, k] 0/1):
- class c is predicted when its logit exceeds the mean of the image's other logits,
  that mean taken in float32 as the reference's torch code takes it;
  per-class accuracy of that prediction, Average_class_accuracy = their mean;
  Ave_mAP / Ave_mAP_tm19 with the target column as relevance; per-class P/R/F1.

Deliberate differences from running the reference code as is: AP is computed in
float64 and ties in a ranking go to the lower image index (torch.topk leaves their
order unspecified and torchmetrics sums in float32). `diagnostics` reports how far
the float32 torch route is: the paper-era formula on torch float32 tensors with
torch.topk, the installed torchmetrics RetrievalMAP for the >= 1.7.4 variant, and the
number of multi-label predictions a float64 mean would flip.
"""
import warnings

import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score, precision_recall_fscore_support

TOP_K = 100


def ranking(scores, k):
    """Indices of the k best scores: higher first, equal scores lower index first."""
    return np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")[:min(k, len(scores))]


def average_precision_at_k(scores, relevant, k=TOP_K, ignore_non_positive=False):
    order = ranking(scores, k)
    hit = np.asarray(relevant, dtype=bool)[order]
    if ignore_non_positive:
        hit &= np.asarray(scores, dtype=np.float64)[order] > 0
    ranks = np.flatnonzero(hit) + 1
    if ranks.size == 0:
        return 0.0
    return float(np.mean(np.arange(1, ranks.size + 1, dtype=np.float64) / ranks))


def average_precision_float32_torch(scores, relevant, k=TOP_K):
    """The paper-era formula as torch computes it: float32, torch.topk's order."""
    preds = torch.from_numpy(np.ascontiguousarray(scores, dtype=np.float32))
    target = torch.from_numpy(np.asarray(relevant, dtype=np.int64))
    hit = target[preds.topk(min(k, preds.shape[-1]), sorted=True, dim=-1)[1]]
    if not hit.sum():
        return 0.0
    positions = torch.arange(1, len(hit) + 1, dtype=torch.float32)[hit > 0]
    return (torch.arange(len(positions), dtype=torch.float32) + 1).div(positions).mean().item()


def average_precision_torchmetrics(scores, relevant, k=TOP_K):
    """The installed torchmetrics RetrievalMAP (>= 1.7.4 semantics here), one query."""
    from torchmetrics.retrieval import RetrievalMAP

    preds = torch.from_numpy(np.ascontiguousarray(scores, dtype=np.float32))
    target = torch.from_numpy(np.asarray(relevant, dtype=bool))
    return RetrievalMAP(top_k=k)(preds, target, indexes=torch.zeros(len(preds), dtype=torch.long)).item()


def per_class_ap(logits, relevance_of):
    out = []
    for c in range(logits.shape[1]):
        relevant = relevance_of(c)
        out.append({
            "ap": average_precision_at_k(logits[:, c], relevant),
            "ap_tm19": average_precision_at_k(logits[:, c], relevant, ignore_non_positive=True),
            "ap_float32_torch": average_precision_float32_torch(logits[:, c], relevant),
            "ap_tm19_torchmetrics": average_precision_torchmetrics(logits[:, c], relevant),
        })
    return out


def prf(targets, predictions, labels=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        precision, recall, f1, _ = precision_recall_fscore_support(targets, predictions, labels=labels, average=None, zero_division=0)
    return precision, recall, f1


def _diagnostics(aps, primary_key, tm19_key, metrics):
    float32 = float(np.mean([entry["ap_float32_torch"] for entry in aps]))
    tm19 = float(np.mean([entry["ap_tm19_torchmetrics"] for entry in aps]))
    return {
        f"{primary_key}_float32_torch": float32,
        f"{tm19_key}_torchmetrics": tm19,
        "max_ap_difference_float32_torch": max(abs(e["ap"] - e["ap_float32_torch"]) for e in aps),
        "max_ap_tm19_difference_torchmetrics": max(abs(e["ap_tm19"] - e["ap_tm19_torchmetrics"]) for e in aps),
        f"{primary_key}_difference_float32_torch": abs(metrics[primary_key] - float32),
    }


def single_label(logits, targets, classes):
    logits = np.asarray(logits, dtype=np.float32)
    targets = np.asarray(targets, dtype=np.int64)
    n, k = logits.shape
    order = np.argsort(-logits.astype(np.float64), axis=1, kind="stable")
    predicted = order[:, 0]
    aps = per_class_ap(logits, lambda c: targets == c)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "y_pred contains classes not in y_true": sklearn drops them, as the reference
        balanced = float(balanced_accuracy_score(targets, predicted))
    precision, recall, f1 = prf(targets, predicted, labels=list(range(k)))
    per_class = {}
    for c, name in enumerate(classes):
        total = int(np.sum(targets == c))
        correct = int(np.sum((targets == c) & (predicted == c)))
        per_class[name] = {"accuracy": correct / total if total else 0.0, "ap": aps[c]["ap"], "ap_tm19": aps[c]["ap_tm19"],
                           "precision": float(precision[c]), "recall": float(recall[c]), "f1": float(f1[c])}
    metrics = {
        "acc1": float(np.mean(predicted == targets)),
        "acc5": float(np.mean(np.any(order[:, :5] == targets[:, None], axis=1))) if k >= 5 else None,
        "mean_per_class_recall": balanced,
        "mAP": float(np.mean([entry["ap"] for entry in aps])),
        "mAP_tm19": float(np.mean([entry["ap_tm19"] for entry in aps])),
    }
    return {"metrics": metrics, "per_class": per_class, "diagnostics": _diagnostics(aps, "mAP", "mAP_tm19", metrics),
            "predicted": predicted}


def multilabel_predictions(logits, dtype):
    """1 where a logit exceeds the mean of the other logits of its row, the mean taken in `dtype`."""
    scores = torch.from_numpy(np.asarray(logits, dtype=dtype))
    predictions = torch.zeros(scores.shape, dtype=torch.uint8)
    for c in range(scores.shape[1]):
        keep = torch.ones(scores.shape, dtype=torch.bool)
        keep[:, c] = False
        others = scores[keep].reshape(scores.shape[0], -1).mean(dim=1)
        predictions[:, c] = (scores[:, c] > others).to(torch.uint8)
    return predictions.numpy()


def multi_label(logits, targets, classes):
    logits = np.asarray(logits, dtype=np.float32)
    targets = np.asarray(targets, dtype=np.uint8)
    predicted = multilabel_predictions(logits, np.float32)
    flips = int(np.sum(predicted != multilabel_predictions(logits, np.float64)))
    aps = per_class_ap(logits, lambda c: targets[:, c] == 1)
    precision, recall, f1 = prf(targets, predicted)
    per_class = {}
    for c, name in enumerate(classes):
        per_class[name] = {"accuracy": float(np.mean(predicted[:, c] == targets[:, c])), "ap": aps[c]["ap"], "ap_tm19": aps[c]["ap_tm19"],
                           "precision": float(precision[c]), "recall": float(recall[c]), "f1": float(f1[c])}
    metrics = {
        "Average_class_accuracy": float(np.mean([entry["accuracy"] for entry in per_class.values()])),
        "Ave_mAP": float(np.mean([entry["ap"] for entry in aps])),
        "Ave_mAP_tm19": float(np.mean([entry["ap_tm19"] for entry in aps])),
    }
    diagnostics = _diagnostics(aps, "Ave_mAP", "Ave_mAP_tm19", metrics)
    diagnostics["multilabel_float64_mean_flips"] = flips
    return {"metrics": metrics, "per_class": per_class, "diagnostics": diagnostics, "predicted": predicted}


def metrics_of(logits, targets, classes, multi):
    return multi_label(logits, targets, classes) if multi else single_label(logits, targets, classes)
