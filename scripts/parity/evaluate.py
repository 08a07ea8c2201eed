#!/usr/bin/env python3
"""The reference harness's zero-shot evaluation (IBM/MS-CLIP evaluation.py ->
benchmark_tool.zeroshot_evaluation -> clip_benchmark zeroshot_eval.evaluate), re-implemented
in float32 as the yardstick for `npm run evaluate` (cli/main.ts evaluate): same datasets,
transforms, classifier, logits and metric definitions, none of its known bugs.

Run (the project venv; BigEarthNet also needs rasterio, see reference_datasets.GdalReader):
  .venv/bin/python scripts/parity/evaluate.py --checkpoint Llama3_MS_CLIP_weights.pt \
      --dataset-dir benchmark_datasets [--datasets EuroSAT_MS,METERML_MS,BigEarthNet_MS] \
      [--templates msclip|clip|rs5m|FILE.json] [--batch-size 64] [--workers 0] \
      [--save-logits DIR] [--json]
  .venv/bin/python scripts/parity/evaluate.py --metrics-from-logits RESULTS_DIR_OR_RECORD.json ...

The evaluation, per dataset, as the reference runs it:
  1. the model: Llama3-MS-CLIP's training-module state_dict (the official checkpoint
     format) loaded strictly into the exporter's shell (adapters/export/msclip_model.py);
  2. the dataset and its transforms (reference_datasets.py), a DataLoader with
     batch_size and num_workers (0 by default, as the reference);
  3. the classifier: per class, template.format(c=name) for every template, open_clip's
     ViT-B-16 tokenizer, text embeddings L2-normalised, averaged, renormalised;
  4. per batch: image embeddings L2-normalised, logits = 100 x features @ classifier,
     float32 (no autocast: the reference's bf16 autocast on CPU is not fp32 exact);
  5. metrics (reference_metrics.py).
Bugs not copied: evaluation.py's build_model unpacking and amp= crashes, accuracy()'s
NumPy 2 failure, the multi-label check that never matches "BigEarthNet_MS", the band
axis of band-interleaved tiffs.

--json prints one object on stdout: {"seconds": wall clock from the start of this
process (imports, model load, classifiers, data loading, inference, metrics),
"model_load_seconds", "torch_threads", "datasets": {name: {n_images, classes,
metrics, per_class, diagnostics, seconds, classifier_seconds, model_seconds,
images_per_second}}, "skipped": {name: reason}}.
--save-logits DIR writes DIR/<dataset>.logits.npy (float32 [n, k]),
DIR/<dataset>.targets.npy, DIR/<dataset>.embeddings.npy (the L2-normalised image
embeddings, float32 [n, d]) and DIR/<dataset>.json (image ids in row order, classes).
--metrics-from-logits runs only step 5 on the logits/targets saved beside msclip-bench
result records and prints {"records": [{record, model, dataset, metrics, per_class, ...}]}.
"""
import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT / "adapters" / "export"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from inference import TorchModel, class_vectors, load_templates  # noqa: E402
from reference_datasets import MISSING, MODEL_BANDS, GdalReader, build_dataset  # noqa: E402
from reference_metrics import metrics_of  # noqa: E402
from saved_logits import record_files, saved_array  # noqa: E402

DATASETS = ["EuroSAT_MS", "METERML_MS", "BigEarthNet_MS"]


def log(line):
    print(line, file=sys.stderr, flush=True)


def run_classification(model, classifier, loader):
    logits, targets, embeddings, model_seconds = [], [], [], 0.0
    with torch.no_grad():
        for images, target in loader:
            started = time.perf_counter()
            features = F.normalize(model.inference_vision(images), dim=-1)
            logits.append((100.0 * features @ classifier).float())
            model_seconds += time.perf_counter() - started
            embeddings.append(features.float())
            targets.append(target)
    return torch.cat(logits).numpy(), torch.cat(targets).numpy(), torch.cat(embeddings).numpy(), model_seconds


def evaluate_dataset(name, model, tokenizer, templates, arguments, gdal_reader):
    started = time.perf_counter()
    dataset, classes, ids, multi = build_dataset(name, arguments.dataset_dir, gdal_reader)
    loader = torch.utils.data.DataLoader(dataset, batch_size=arguments.batch_size, num_workers=arguments.workers)
    classifier = class_vectors(model, tokenizer, classes, templates)
    classifier_seconds = time.perf_counter() - started
    logits, targets, embeddings, model_seconds = run_classification(model, classifier, loader)
    result = metrics_of(logits, targets, classes, multi)
    seconds = time.perf_counter() - started
    if arguments.save_logits:
        folder = Path(arguments.save_logits)
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / f"{name}.logits.npy", logits.astype("<f4"))
        np.save(folder / f"{name}.targets.npy", targets.astype(np.uint8) if multi else targets.astype("<i4"))
        np.save(folder / f"{name}.embeddings.npy", embeddings.astype("<f4"))
        (folder / f"{name}.json").write_text(json.dumps({"dataset": name, "classes": classes, "images": ids}, indent=1))
    return {
        "task": "multi-label" if multi else "single-label", "n_images": len(ids), "classes": classes,
        "metrics": result["metrics"], "per_class": result["per_class"], "diagnostics": result["diagnostics"],
        "seconds": seconds, "classifier_seconds": classifier_seconds, "model_seconds": model_seconds,
        "images_per_second": len(ids) / seconds,
    }


def metrics_from_logits(paths):
    out = []
    for path, record in record_files(paths):
        logits, targets = saved_array(path, "logits"), saved_array(path, "targets")
        result = metrics_of(logits, targets, record["classes"], record["task"] == "multi-label")
        out.append({"record": str(path), "model": record["model"], "dataset": record["dataset"], "task": record["task"],
                    "n_images": int(logits.shape[0]), "metrics": result["metrics"], "per_class": result["per_class"],
                    "diagnostics": result["diagnostics"]})
    if not out:
        raise SystemExit(f"no msclip-bench result record with saved logits under {' '.join(paths)}")
    return {"records": out}


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoint", help="Llama3-MS-CLIP training-module state_dict (official format)")
    parser.add_argument("--dataset-dir", default="benchmark_datasets")
    parser.add_argument("--datasets", default=",".join(DATASETS), help="comma list of " + ", ".join(DATASETS))
    parser.add_argument("--templates", default="msclip", help="msclip, clip, rs5m or a JSON file")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--workers", type=int, default=0, help="DataLoader num_workers (the reference's default: 0)")
    parser.add_argument("--save-logits", metavar="DIR")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--metrics-from-logits", nargs="+", metavar="RECORD_OR_DIR")
    parser.add_argument("--drop-bands", default="", help="comma list of model bands to fill instead of reading (a band condition)")
    parser.add_argument("--fill", default="channel-mean", choices=["channel-mean", "pixel-mean", "zero"])
    arguments = parser.parse_args(argv)
    if not arguments.metrics_from_logits and not arguments.checkpoint:
        parser.error("--checkpoint is required (or --metrics-from-logits)")
    return arguments


def main(argv):
    arguments = parse_arguments(argv)
    if arguments.metrics_from_logits:
        json.dump(metrics_from_logits(arguments.metrics_from_logits), sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
        return 0

    import open_clip

    names = [name.strip() for name in arguments.datasets.split(",") if name.strip()]
    unknown = [name for name in names if name not in DATASETS]
    if unknown:
        raise SystemExit(f"unknown dataset(s) {', '.join(unknown)}: choose from {', '.join(DATASETS)}")
    _, templates = load_templates(arguments.templates)
    MISSING["bands"] = [band.strip() for band in arguments.drop_bands.split(",") if band.strip()]
    MISSING["fill"] = arguments.fill
    loading = time.perf_counter()
    model = TorchModel(arguments.checkpoint, "ViT-B-16", len(MODEL_BANDS))
    tokenizer = open_clip.get_tokenizer("ViT-B-16")
    model_load_seconds = time.perf_counter() - loading
    log(f"model loaded in {model_load_seconds:.1f} s (torch {torch.__version__}, {torch.get_num_threads()} threads)")

    summary = {"datasets": {}, "skipped": {}, "templates": arguments.templates, "batch_size": arguments.batch_size,
               "model_load_seconds": model_load_seconds, "torch_threads": torch.get_num_threads()}
    gdal_reader = None
    try:
        for name in names:
            if name == "BigEarthNet_MS":
                if not GdalReader.available():
                    summary["skipped"][name] = "rasterio is not importable here nor in PARITY_GDAL_PYTHON (default /usr/bin/python3)"
                    log(f"{name}: skipped, {summary['skipped'][name]}")
                    continue
                gdal_reader = GdalReader()
            result = evaluate_dataset(name, model, tokenizer, templates, arguments, gdal_reader)
            summary["datasets"][name] = result
            headline = ", ".join(f"{key} {value:.4f}" for key, value in result["metrics"].items() if value is not None)
            log(f"{name}: {result['n_images']} images, {result['seconds']:.1f} s ({result['images_per_second']:.1f} images/s): {headline}")
    finally:
        if gdal_reader is not None:
            gdal_reader.close()
    summary["seconds"] = time.perf_counter() - STARTED
    log(f"total wall clock {summary['seconds']:.1f} s (from process start, imports included)")
    if arguments.json:
        json.dump(summary, sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
