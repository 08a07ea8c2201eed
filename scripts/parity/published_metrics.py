#!/usr/bin/env python3
"""Runs the published reference harness's own metric code on logits msclip-bench saved.

  .venv/bin/python scripts/parity/published_metrics.py --reference-repo PATH/TO/MS-CLIP \\
      [--torchmetrics paper|installed] RESULTS_DIR_OR_RECORD.json ...

PATH/TO/MS-CLIP is a checkout of github.com/IBM/MS-CLIP (default: $MSCLIP_REFERENCE_REPO).
Its msclip/inference/clip_benchmark/metrics/zeroshot_eval.py is loaded by file path
(the package's __init__ would pull in the whole harness and its GIS dependencies; this
file needs only torch, torchmetrics, numpy, scikit-learn and tqdm), and its functions
are called on each record's saved logits and targets (`npm run evaluate --
--save-logits`), combined as its evaluate() combines them:

- single-label: accuracy(logits, target, topk=(1, 5)) -> acc1, acc5 (acc1 only and
  acc5 NaN below 5 classes); balanced_accuracy_score(target, logits.argmax(1)) ->
  mean_per_class_recall; map_per_class() -> per-class AP, np.mean -> mAP; the per-class
  accuracy tally of run_classification() (right answers of torch.max over images of the
  class; run_classification itself needs a model and a DataLoader).
- multi-label: multilabel_accuracy() -> per-class accuracy, np.mean ->
  Average_class_accuracy; map_per_class_ml() -> per-class AP, np.mean -> Ave_mAP.

Two changes in the published module's namespace, none to its code:
- `float` inside the module takes `.item()` of a one-element array first: NumPy 2
  refuses float() of an array (the reference's accuracy() bug);
- --torchmetrics paper (default): the per-query AP that torchmetrics' RetrievalMAP
  calls is the <= 1.7.3 one (the paper's era, our `mAP`); installed: torchmetrics as
  installed (>= 1.7.4 here: compared with our `mAP_tm19`).

Prints JSON {"torchmetrics": ..., "records": [{record, dataset, compared: {name: [ours,
published]}, max_abs_difference, identical}]} and exits 1 when any number differs by
more than 1e-9. Per-class precision/recall/F1 are left out: the reference only prints
them, rounded to 4 digits, in a classification_report.
"""
import argparse
import builtins
import importlib.util
import json
import math
import os
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_metrics import paper_era_average_precision  # noqa: E402
from saved_logits import record_files, saved_array  # noqa: E402

TOLERANCE = 1e-9
MODULE = Path("msclip/inference/clip_benchmark/metrics/zeroshot_eval.py")


def load_published(repo, era):
    path = Path(repo) / MODULE
    if not path.exists():
        raise SystemExit(f"{path}: not found; pass --reference-repo with a checkout of github.com/IBM/MS-CLIP")
    spec = importlib.util.spec_from_file_location("published_zeroshot_eval", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.float = lambda value: builtins.float(np.asarray(value).item())
    if era == "paper":
        import torchmetrics.retrieval.average_precision as retrieval_module
        retrieval_module.retrieval_average_precision = paper_era_average_precision
    return module


def tally_class_accuracy(logits, target, classes):
    """run_classification()'s "# ADDED" lines: right answers over images, per class."""
    answers = torch.max(logits, 1)[1]
    correct, total = {}, {}
    for label, answer in zip(target.tolist(), answers.tolist()):
        total[label] = total.get(label, 0) + 1
        if label == answer:
            correct[label] = correct.get(label, 0) + 1
    return [correct.get(index, 0) / total[index] if index in total else None for index in range(classes)]


def published_numbers(module, logits_np, targets_np, record, era):
    """{name: value} from the published functions, named as our record names them."""
    logits = torch.from_numpy(np.ascontiguousarray(logits_np, dtype=np.float32))
    classes = record["classes"]
    suffix = "" if era == "paper" else "_tm19"
    numbers = {}
    if record["task"] == "multi-label":
        target = torch.from_numpy(targets_np.astype(np.int64))
        accuracies = list(module.multilabel_accuracy(target, logits).values())
        aps = list(module.map_per_class_ml(logits, target, topk=100).values())
        numbers["Average_class_accuracy"] = float(np.mean(accuracies))
        numbers[f"Ave_mAP{suffix}"] = float(np.mean(aps))
    else:
        target = torch.from_numpy(targets_np.astype(np.int64))
        if len(classes) >= 5:
            numbers["acc1"], numbers["acc5"] = module.accuracy(logits, target, topk=(1, 5))
        else:
            numbers["acc1"], = module.accuracy(logits, target, topk=(1,))
        numbers["mean_per_class_recall"] = float(module.balanced_accuracy_score(target, logits.argmax(axis=1)))
        aps = list(module.map_per_class(logits, target, topk=100).values())
        numbers[f"mAP{suffix}"] = float(np.mean(aps))
        accuracies = tally_class_accuracy(logits, target, len(classes))
    for name, accuracy, ap in zip(classes, accuracies, aps):
        if accuracy is not None:
            numbers[f"{name} accuracy"] = float(accuracy)
        numbers[f"{name} ap{suffix}"] = float(ap)
    return numbers


def ours(record, name):
    if name in record["metrics"]:
        return record["metrics"][name]
    class_name, field = name.rsplit(" ", 1)
    return record["per_class"][class_name][field]


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference-repo", default=os.environ.get("MSCLIP_REFERENCE_REPO"))
    parser.add_argument("--torchmetrics", choices=["paper", "installed"], default="paper")
    parser.add_argument("paths", nargs="+", metavar="RECORD_OR_DIR")
    arguments = parser.parse_args(argv)
    if not arguments.reference_repo:
        parser.error("--reference-repo (or MSCLIP_REFERENCE_REPO) is required")
    module = load_published(arguments.reference_repo, arguments.torchmetrics)
    import torchmetrics
    out = {"torchmetrics": "<= 1.7.3 per-query AP" if arguments.torchmetrics == "paper" else torchmetrics.__version__,
           "records": []}
    worst = 0.0
    for path, record in record_files(arguments.paths):
        numbers = published_numbers(module, saved_array(path, "logits"), saved_array(path, "targets"), record,
                                    arguments.torchmetrics)
        compared = {name: [ours(record, name), value] for name, value in numbers.items()}
        differences = [abs(a - b) for a, b in compared.values() if not (a is None or math.isnan(b))]
        largest = max(differences, default=0.0)
        worst = max(worst, largest)
        out["records"].append({"record": str(path), "dataset": record["dataset"], "compared": compared,
                               "max_abs_difference": largest,
                               "identical": all(a == b for a, b in compared.values() if a is not None)})
    if not out["records"]:
        raise SystemExit(f"no msclip-bench result record with saved logits under {' '.join(arguments.paths)}")
    print(json.dumps(out, indent=1))
    return 1 if worst > TOLERANCE else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
