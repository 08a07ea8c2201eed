#!/usr/bin/env python3
"""The reference's zero-shot inference, in float32, as the yardstick for `npm run
classify` / `npm run retrieve` (runner/inference.ts).

Run:  .venv/bin/python scripts/parity/inference.py --checkpoint Llama3_MS_CLIP_weights.pt \
          --images DIR --class-names forest river --query "a river" --top-k 3
Prints one JSON object on stdout:
  {"images": [file names, listing order], "classes": [...], "templates": name,
   "probabilities": [[per class] per image], "predicted": [...],
   "retrieval": [{"query", "indices", "names", "similarities"}], "top_k": k}

Which reference semantics it follows (IBM/MS-CLIP HEAD 9dbeb33), in our own code:
- msclip/inference/utils.py get_preprocess: multispectral arrays as float32 through
  ToTensor, Resize(224) bicubic (torchvision >= 0.17 antialiases tensors),
  CenterCrop(224), Normalize; PIL images of RGB models through Resize, CenterCrop,
  convert('RGB'), ToTensor, Normalize. utils.preprocess_and_stack: band-last arrays of
  13 bands lose [0, 9, 10], of 12 bands [0, 9]. utils.load_npy_image and the .txt/.yaml
  list readers. classification.py / retrieval.py: the math (logits = 100 x cosine,
  softmax; cosine similarity, torch.topk). zeroshot_eval.zero_shot_classifier: class
  embeddings.
- Float32 throughout: no torch.autocast (the reference runs bf16 on CPU).
- Known bugs fixed, as msclip-bench fixes them: folders are listed sorted (the reference
  uses os.listdir order); every GeoTIFF becomes (H, W, bands) whatever its interleave
  (the reference moves the band axis only for <= 10 bands and garbles band-last 10-band
  tiles and band-first files); .npy arrays may be (bands, H, W).
- The model: the reference's CLIPDualEncoderModel needs pytorch_lightning; the
  exporter's shell (adapters/export/msclip_model.py) has the same parameter paths and
  loads the official checkpoint with strict=True. inference_vision / inference_text are
  F.normalize(encode_image / encode_text), as in msclip/model/model_arch.py.
- --onnx-bundle DIR runs a bundle's ONNX towers in onnxruntime instead of torch (the
  test fixtures' tiny bundle), with the same preprocessing and math.
"""
import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np
import tifffile
import torch
import torch.nn.functional as F
import yaml
from PIL import Image
from torchvision.transforms import InterpolationMode
from torchvision.transforms import functional as TF

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT / "adapters" / "export"))

MS_STATS = {
    "means": [925.161, 1183.128, 1338.041, 1667.254, 2233.633, 2460.96, 2555.569, 2619.542, 2406.497, 1841.645],
    "stds": [1205.586, 1223.713, 1399.638, 1403.298, 1378.513, 1434.924, 1491.141, 1454.089, 1473.248, 1365.08],
}
RGB_STATS = {"means": [0.48145466, 0.4578275, 0.40821073], "stds": [0.26862954, 0.26130258, 0.27577711]}
EXTENSIONS = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".npy")


# --- inputs: utils.py's loaders and preprocessing, bugs fixed as described above ---------

def read_list(path: str, key: str) -> list:
    """A list file: .txt holds one entry a line (blank lines skipped, ends trimmed);
    .yaml/.yml a mapping whose `key` holds the list."""
    if path.endswith((".yaml", ".yml")):
        with open(path) as handle:
            return yaml.safe_load(handle)[key]
    if path.endswith(".txt"):
        with open(path) as handle:
            return [entry for entry in (line.strip() for line in handle) if entry]
    raise ValueError("Unsupported file format. Use .txt or .yaml")


def list_images(path: str) -> list:
    """A folder's image files (sorted, no hidden files), or the entries of a list file
    (`images`), relative ones taken from the list file's folder."""
    if os.path.isdir(path):
        names = sorted(name for name in os.listdir(path) if not name.startswith("."))
        return [os.path.join(path, name) for name in names if name.lower().endswith(EXTENSIONS)]
    folder = os.path.dirname(os.path.abspath(path))
    return [os.path.join(folder, entry) for entry in read_list(path, "images")]


def band_last(array: np.ndarray, band_first: bool) -> np.ndarray:
    """(H, W, bands): a 2-D array gains a one-band axis; a band-first array is turned."""
    if array.ndim == 2:
        return array[:, :, np.newaxis]
    return np.moveaxis(array, 0, -1) if band_first else array


# Band counts a model or a product has; an .npy whose first axis is one of them and last
# axis is not is taken as band-first.
KNOWN_BAND_COUNTS = (13, 12, 10, 3)


def read_image(path: str, rgb: bool):
    """A GeoTIFF or .npy as an (H, W, bands) array; a PNG/JPEG, or for an RGB model a
    3-band uint8 GeoTIFF, as a PIL image (open_clip's pipeline takes PIL images)."""
    extension = os.path.splitext(path)[-1].lower()
    if extension == ".npy":
        array = np.load(path)
        first_is_bands = array.shape[0] in KNOWN_BAND_COUNTS and array.shape[-1] not in KNOWN_BAND_COUNTS
        return band_last(array, first_is_bands)
    if extension in (".tif", ".tiff"):
        with tifffile.TiffFile(path) as tiff:
            page = tiff.pages[0]
            array = band_last(page.asarray(), page.planarconfig == tifffile.PLANARCONFIG.SEPARATE)
        if rgb and array.shape[-1] == 3 and array.dtype == np.uint8:
            return Image.fromarray(array, "RGB")
        return array
    return Image.open(path)


# The bands a 10-band model does not take: B01, B09, B10 of L1C (13) and B01, B09 of
# L2A (12), by position in band-last arrays.
DROPPED_BANDS = {13: [0, 9, 10], 12: [0, 9]}


def model_inputs(paths: list, preprocess, rgb: bool) -> torch.Tensor:
    """Every image read, cut to the model's bands, preprocessed; stacked [N, C, H, W]."""
    tensors = []
    for path in paths:
        image = read_image(path, rgb)
        if isinstance(image, np.ndarray) and image.shape[2] in DROPPED_BANDS:
            image = np.delete(image, DROPPED_BANDS[image.shape[2]], axis=2)
        tensors.append(preprocess(image))
    return torch.stack(tensors)


def make_preprocess(multispectral: bool, means, stds, size: int = 224):
    """get_preprocess's two pipelines as functions: shorter side to `size` (bicubic,
    antialiased), centre crop `size`, standardisation; multispectral arrays enter as
    float32 (ToTensor does not scale them), PIL images leave as RGB scaled to [0, 1]."""
    def multispectral_image(array: np.ndarray) -> torch.Tensor:
        chw = TF.to_tensor(array.astype(np.float32))
        chw = TF.center_crop(TF.resize(chw, [size], interpolation=InterpolationMode.BICUBIC, antialias=True), [size])
        return TF.normalize(chw, means, stds)

    def rgb_image(image) -> torch.Tensor:
        image = TF.center_crop(TF.resize(image, [size], interpolation=InterpolationMode.BICUBIC, antialias=True), [size])
        return TF.normalize(TF.to_tensor(image.convert("RGB")), means, stds)

    return multispectral_image if multispectral else rgb_image


# --- models ---------------------------------------------------------------------------

class TorchModel:
    """Llama3-MS-CLIP from its official training-module state_dict."""

    def __init__(self, checkpoint: str, architecture: str, channels: int) -> None:
        from msclip_model import CLIPDualEncoderModel, load_training_module, unwrap_state_dict

        shell = CLIPDualEncoderModel(architecture, channels=channels)
        load_training_module(shell, unwrap_state_dict(torch.load(checkpoint, map_location="cpu", weights_only=True)))
        self.model = shell.clip.eval()
        self.rgb = channels == 3
        stats = RGB_STATS if self.rgb else MS_STATS
        self.means, self.stds, self.size = stats["means"], stats["stds"], 224

    def inference_vision(self, images: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.model.encode_image(images), dim=-1)

    def inference_text(self, tokens: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.model.encode_text(tokens), dim=-1)


class OnnxModel:
    """A bundle's towers in onnxruntime."""

    def __init__(self, bundle: str) -> None:
        import onnxruntime

        manifest = json.loads((Path(bundle) / "bundle.json").read_text())
        image, text = manifest["image"], manifest["text"]
        options = onnxruntime.SessionOptions()
        self.image = onnxruntime.InferenceSession(str(Path(bundle) / image["file"]), options, providers=["CPUExecutionProvider"])
        self.text = onnxruntime.InferenceSession(str(Path(bundle) / text["file"]), options, providers=["CPUExecutionProvider"])
        self.names = (image["input"], image["output"], text["input"], text["output"])
        self.rgb = image["kind"] == "rgb"
        self.means, self.stds, self.size = image["mean"], image["std"], image["size"]

    def inference_vision(self, images: torch.Tensor) -> torch.Tensor:
        out = self.image.run([self.names[1]], {self.names[0]: images.numpy()})[0]
        return F.normalize(torch.from_numpy(out), dim=-1)

    def inference_text(self, tokens: torch.Tensor) -> torch.Tensor:
        out = self.text.run([self.names[3]], {self.names[2]: tokens.numpy().astype(np.int64)})[0]
        return F.normalize(torch.from_numpy(out), dim=-1)


# --- classification.py / retrieval.py / zeroshot_eval.py, float32 ---------------------

def class_vectors(model, tokenizer, classnames: list, templates: list) -> torch.Tensor:
    """zero_shot_classifier's class vectors: a class's prompts (each template filled with
    its name) are embedded, brought to unit length and averaged, and the average is
    brought to unit length again. [dimension, classes]."""
    columns = []
    with torch.no_grad():
        for name in classnames:
            embeddings = F.normalize(model.inference_text(tokenizer([template.format(c=name) for template in templates])), dim=-1)
            centroid = embeddings.mean(dim=0)
            columns.append(centroid / centroid.norm())
    return torch.stack(columns, dim=1)


def load_templates(name: str) -> tuple:
    path = PROJECT / "templates" / f"{name}.json" if name in ("msclip", "clip", "rs5m") else Path(name)
    data = json.loads(path.read_text())
    return (data.get("name", path.name) if isinstance(data, dict) else path.name), (data["templates"] if isinstance(data, dict) else data)


def main(argv) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--checkpoint", help="Llama3-MS-CLIP training-module state_dict (official format)")
    source.add_argument("--onnx-bundle", help="bundle folder: run its ONNX towers instead")
    parser.add_argument("--architecture", default="ViT-B-16")
    parser.add_argument("--channels", type=int, default=10)
    parser.add_argument("--images", required=True)
    parser.add_argument("--class-names", nargs="*")
    parser.add_argument("--classes-file")
    parser.add_argument("--templates", default="msclip")
    parser.add_argument("--query", nargs="*")
    parser.add_argument("--queries-file")
    parser.add_argument("--top-k", type=int, default=5)
    arguments = parser.parse_args(argv)

    import open_clip

    torch.set_num_threads(os.cpu_count() or 1)
    model = OnnxModel(arguments.onnx_bundle) if arguments.onnx_bundle else TorchModel(arguments.checkpoint, arguments.architecture, arguments.channels)
    tokenizer = open_clip.get_tokenizer(arguments.architecture)
    paths = list_images(arguments.images)
    preprocess = make_preprocess(not model.rgb, model.means, model.stds, model.size)
    result = {"images": [os.path.basename(path) for path in paths]}
    with torch.no_grad():
        image_features = model.inference_vision(model_inputs(paths, preprocess, model.rgb))
        image_features = F.normalize(image_features, dim=-1)
        classnames = arguments.class_names or (read_list(arguments.classes_file, "classes") if arguments.classes_file else None)
        if classnames:
            template_name, templates = load_templates(arguments.templates)
            classifier = class_vectors(model, tokenizer, classnames, templates)
            logits = 100.0 * image_features @ classifier
            probabilities = logits.softmax(dim=-1).to(torch.float32).numpy()
            result.update(classes=classnames, templates=template_name, probabilities=probabilities.astype(float).tolist(),
                          predicted=[classnames[int(index)] for index in probabilities.argmax(axis=1)])
        queries = arguments.query or (read_list(arguments.queries_file, "queries") if arguments.queries_file else None)
        if queries:
            text_features = model.inference_text(tokenizer(queries))
            similarity = image_features @ text_features.T
            k = min(arguments.top_k, len(paths))
            result["top_k"] = k
            result["retrieval"] = []
            for column, query in enumerate(queries):
                best_scores, best_images = torch.topk(similarity[:, column], k=k)
                ranked = best_images.tolist()
                result["retrieval"].append({"query": query, "indices": ranked, "names": [result["images"][index] for index in ranked],
                                            "similarities": [float(value) for value in best_scores.tolist()]})
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
