#!/usr/bin/env python3
"""The published reference harness's own datasets and transforms, on a benchmark tree.

  .venv/bin/python scripts/parity/published_datasets.py --reference-repo PATH/TO/MS-CLIP \\
      --dataset-dir TREE --out DIR [--datasets EuroSAT_MS,METERML_MS]

PATH/TO/MS-CLIP is a checkout of github.com/IBM/MS-CLIP (default: $MSCLIP_REFERENCE_REPO).
Imports its msclip.inference.benchmark_tool and builds each dataset exactly as its
evaluation does: zeroshot_get_dataset(name, TREE, other_features=False, "msclip",
transform=get_preprocess(is_ms=True)), i.e. its ImageFolder classes with tifffile, its
band deletion, torchvision ToTensor / Resize(bicubic, antialias) / CenterCrop /
Normalize with its Llama3-MS-CLIP statistics, and its class-name cleaning.

The harness's package imports modules it does not use on these paths (GIS libraries,
pytorch-lightning, transformers, pandas, ...); those that are not installed are
replaced by empty stand-ins, so only the code these datasets run is real. BigEarthNet
needs rasterio for real and is not built here.

Writes, per dataset, DIR/<name>.npy (float32 [n, 10, 224, 224], the transformed images
in the dataset's order) and DIR/datasets.json: {name: {classes, files, targets,
failed: {file: error}}} - the files its loader could not turn into a tensor (for
example band-first tiffs, which it reads with the band axis in the wrong place).
"""
import argparse
import importlib
import importlib.machinery
import json
import os
import sys
import types
from pathlib import Path

import numpy as np

STAND_INS = ["fiona", "fiona.transform", "pyproj", "rasterio", "rasterio.merge", "rasterio.crs", "rasterio.io",
             "rasterio.vrt", "rasterio.enums", "shapely", "rtree", "rtree.index", "pytorch_lightning",
             "transformers", "transformers.modeling_outputs", "yaml", "tabulate", "h5py", "pandas", "einops"]


class _Anything:
    """Whatever a module-level name of a stand-in is used as: a callable, a base class, an attribute holder."""

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return _Anything()

    def __getattr__(self, name):
        return _Anything()

    def __mro_entries__(self, bases):
        return (object,)


class _StandIn(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Anything()


def install_stand_ins():
    for name in STAND_INS:
        try:
            importlib.import_module(name)
            continue
        except Exception:  # noqa: BLE001 - absent or broken: replace it
            pass
        parts = name.split(".")
        for end in range(1, len(parts) + 1):
            prefix = ".".join(parts[:end])
            if prefix not in sys.modules:
                module = _StandIn(prefix)
                module.__path__ = []
                module.__spec__ = importlib.machinery.ModuleSpec(prefix, None, is_package=True)
                sys.modules[prefix] = module
    if isinstance(sys.modules.get("tabulate"), _StandIn):
        sys.modules["tabulate"].tabulate = lambda *args, **kwargs: ""  # torch formats with it at exit


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference-repo", default=os.environ.get("MSCLIP_REFERENCE_REPO"))
    parser.add_argument("--dataset-dir", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--datasets", default="EuroSAT_MS,METERML_MS")
    arguments = parser.parse_args(argv)
    if not arguments.reference_repo or not (Path(arguments.reference_repo) / "msclip").is_dir():
        parser.error("--reference-repo (or MSCLIP_REFERENCE_REPO) must be a checkout of github.com/IBM/MS-CLIP")
    install_stand_ins()
    sys.path.insert(0, str(Path(arguments.reference_repo).resolve()))
    from msclip.inference.benchmark_tool import zeroshot_get_dataset
    from msclip.inference.utils import get_preprocess

    out = Path(arguments.out)
    out.mkdir(parents=True, exist_ok=True)
    summary = {}
    for name in arguments.datasets.split(","):
        dataset, _ = zeroshot_get_dataset(name, arguments.dataset_dir, False, "msclip", transform=get_preprocess(is_ms=True))
        images, files, targets, failed = [], [], [], {}
        for index, (file, _) in enumerate(dataset.samples):
            try:
                image, target = dataset[index]
            except Exception as error:  # noqa: BLE001 - reported, compared by the caller
                failed[file] = str(error).splitlines()[0][:200]
                continue
            images.append(image.numpy())
            files.append(file)
            targets.append(int(target))
        np.save(out / f"{name}.npy", np.stack(images).astype("<f4"))
        summary[name] = {"classes": list(dataset.classes), "files": files, "targets": targets, "failed": failed}
    (out / "datasets.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps({name: {"images": len(entry["files"]), "failed": len(entry["failed"])} for name, entry in summary.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
