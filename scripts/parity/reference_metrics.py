"""Zero-shot metrics with the reference harness's definitions
(IBM/MS-CLIP msclip/inference/clip_benchmark/metrics/zeroshot_eval.py, evaluate()),
written from those definitions for scripts/parity/evaluate.py.

Single-label (logits [n, k] float32, targets [n] int):
- acc1 / acc5: share of images whose target is among the top 1 / 5 logits (acc5 is
  None when k < 5; the reference writes NaN).
- mean_per_class_recall: sklearn balanced_accuracy_score(target, argmax), the call the
  reference makes.
- mAP / mAP_tm19: mean (np.mean) over classes of AP@100, query c ranking every image
  by logit c, relevance target == c, each AP computed by torchmetrics' RetrievalMAP
  module exactly as the reference calls it (map_per_class): mAP with the module's
  per-query function as torchmetrics <= 1.7.3 had it (the paper's), mAP_tm19 as
  torchmetrics >= 1.7.4 has it (an item scored <= 0 is never relevant). float32, and
  torch.topk's order for equal scores.
- per class: accuracy = correct argmax / images of the class (the reference's
  class_accuracies), precision / recall / F1 of the argmax (sklearn, 0 for 0/0).
Multi-label (targets [n, k] 0/1):
- class c is predicted when its logit exceeds the mean of the image's other logits,
  that mean taken in float32 as the reference's torch code takes it;
  per-class accuracy of that prediction, Average_class_accuracy = their mean;
  Ave_mAP / Ave_mAP_tm19 with the target column as relevance; per-class P/R/F1.

Deliberate differences from running the reference code as is: none in the numbers
(its crashes aside: per-class accuracy of a class without images is 0, not a
ZeroDivisionError). `diagnostics` says how far a float64 AP with ties broken lower
index first would be, how many columns have tied scores (where torch.topk's order,
not ours, decides), and for multi-label how many predictions a float64 mean of the
other logits would flip.
"""
import warnings

import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score, precision_recall_fscore_support

TOP_K = 100


def ranking(scores, k):
    """Indices of the k best scores: higher first, equal scores lower index first."""
    return np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")[:min(k, len(scores))]


def average_precision_float64(scores, relevant, k=TOP_K, ignore_non_positive=False):
    """The AP formula in float64 with ties lower index first (diagnostics only)."""
    order = ranking(scores, k)
    hit = np.asarray(relevant, dtype=bool)[order]
    if ignore_non_positive:
        hit &= np.asarray(scores, dtype=np.float64)[order] > 0
    ranks = np.flatnonzero(hit) + 1
    if ranks.size == 0:
        return 0.0
    return float(np.mean(np.arange(1, ranks.size + 1, dtype=np.float64) / ranks))


# torchmetrics' retrieval_average_precision up to v1.7.3 (the paper's era), from its
# documented behaviour: rank by score with torch.topk (sorted), keep the first top_k,
# and average (hits so far / rank) over the hits among them, in float32; 0 without a
# hit. v1.7.4 (Lightning-AI/torchmetrics#3160) first zeroes the relevance of every item
# scored <= 0. The RetrievalMAP module around it is the same in both.
def paper_era_average_precision(preds, target, top_k=None):
    preds, target = preds.float().flatten(), target.flatten()
    depth = min(top_k or preds.shape[-1], preds.shape[-1])
    retrieved = target[preds.topk(depth, sorted=True, dim=-1)[1]]
    if not retrieved.sum():
        return torch.tensor(0.0)
    ranks = torch.arange(1, len(retrieved) + 1, dtype=torch.float32)[retrieved > 0]
    return torch.div(torch.arange(len(ranks), dtype=torch.float32) + 1, ranks).mean()


def _tm19_average_precision(preds, target, top_k=None):
    preds, target = preds.float().flatten(), target.flatten()
    return paper_era_average_precision(preds, torch.where(preds > 0, target, torch.zeros_like(target)), top_k)


def retrieval_map_modules():
    """(paper-era RetrievalMAP, >= 1.7.4 RetrievalMAP) built on the installed module."""
    import torchmetrics
    from torchmetrics.retrieval import RetrievalMAP

    class PaperEraRetrievalMAP(RetrievalMAP):
        def _metric(self, preds, target):
            return paper_era_average_precision(preds, target, top_k=self.k)

    class Tm19RetrievalMAP(RetrievalMAP):
        def _metric(self, preds, target):
            return _tm19_average_precision(preds, target, top_k=self.k)

    version = tuple(int(part) for part in torchmetrics.__version__.split(".")[:3] if part.isdigit())
    return PaperEraRetrievalMAP, (RetrievalMAP if version >= (1, 7, 4) else Tm19RetrievalMAP)


def reference_ap(scores, relevant, module, k=TOP_K):
    """map_per_class(): one query over all images, a fresh module(top_k=k), .item()."""
    preds = torch.from_numpy(np.ascontiguousarray(scores, dtype=np.float32))
    target = torch.from_numpy(np.asarray(relevant, dtype=bool))
    return module(top_k=k)(preds=preds, target=target, indexes=torch.zeros(len(preds), dtype=torch.long)).item()


def per_class_ap(logits, relevance_of):
    paper_era, tm19 = retrieval_map_modules()
    out = []
    for c in range(logits.shape[1]):
        relevant = relevance_of(c)
        column = logits[:, c]
        out.append({
            "ap": reference_ap(column, relevant, paper_era),
            "ap_tm19": reference_ap(column, relevant, tm19),
            "ap_float64": average_precision_float64(column, relevant),
            "tied": len(np.unique(column)) < len(column),
        })
    return out


def prf(targets, predictions, labels=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        precision, recall, f1, _ = precision_recall_fscore_support(targets, predictions, labels=labels, average=None, zero_division=0)
    return precision, recall, f1


def _diagnostics(aps):
    return {
        "max_ap_difference_float64": max(abs(e["ap"] - e["ap_float64"]) for e in aps),
        "columns_with_tied_scores": sum(1 for e in aps if e["tied"]),
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
    return {"metrics": metrics, "per_class": per_class, "diagnostics": _diagnostics(aps),
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
    diagnostics = _diagnostics(aps)
    diagnostics["multilabel_float64_mean_flips"] = flips
    return {"metrics": metrics, "per_class": per_class, "diagnostics": diagnostics, "predicted": predicted}


def metrics_of(logits, targets, classes, multi):
    return multi_label(logits, targets, classes) if multi else single_label(logits, targets, classes)
