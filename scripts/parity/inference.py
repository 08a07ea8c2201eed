#!/usr/bin/env python3
"""The reference's zero-shot inference, in float32, as the yardstick for `npm run
classify` / `npm run retrieve` (harness/inference.ts).

Run:  .venv/bin/python scripts/parity/inference.py --checkpoint Llama3_MS_CLIP_weights.pt \
          --images DIR --class-names forest river --query "a river" --top-k 3
Prints one JSON object on stdout:
  {"images": [file names, listing order], "classes": [...], "templates": name,
   "probabilities": [[per class] per image], "predicted": [...],
   "retrieval": [{"query", "indices", "names", "similarities"}], "top_k": k}

What is copied from IBM/MS-CLIP (HEAD 9dbeb33), and what is not:
- msclip/inference/utils.py: get_preprocess (ToTensor, Resize(224) bicubic - torchvision
  >= 0.17 antialiases tensors - CenterCrop(224), Normalize), preprocess_and_stack (drop
  bands [0, 9, 10] of 13-band and [0, 9] of 12-band band-last arrays), load_npy_image,
  the .txt/.yaml list readers; classification.py / retrieval.py: the math;
  clip_benchmark zeroshot_eval.zero_shot_classifier: class embeddings.
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
from torchvision import transforms

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT / "adapters" / "export"))

MS_STATS = {
    "means": [925.161, 1183.128, 1338.041, 1667.254, 2233.633, 2460.96, 2555.569, 2619.542, 2406.497, 1841.645],
    "stds": [1205.586, 1223.713, 1399.638, 1403.298, 1378.513, 1434.924, 1491.141, 1454.089, 1473.248, 1365.08],
}
RGB_STATS = {"means": [0.48145466, 0.4578275, 0.40821073], "stds": [0.26862954, 0.26130258, 0.27577711]}
EXTENSIONS = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".npy")


# --- msclip/inference/utils.py, bugs fixed as described above -------------------------

def load_list(path: str, key: str) -> list:
    if path.endswith(".txt"):
        with open(path) as handle:
            return [line.strip() for line in handle if line.strip()]
    if path.endswith((".yaml", ".yml")):
        with open(path) as handle:
            return yaml.safe_load(handle)[key]
    raise ValueError("Unsupported file format. Use .txt or .yaml")


def load_image_paths(path: str) -> list:
    if os.path.isdir(path):
        return [os.path.join(path, name) for name in sorted(os.listdir(path)) if name.lower().endswith(EXTENSIONS) and not name.startswith(".")]
    base = os.path.dirname(os.path.abspath(path))
    return [entry if os.path.isabs(entry) else os.path.join(base, entry) for entry in load_list(path, "images")]


def load_tiff_image(path: str) -> np.ndarray:
    with tifffile.TiffFile(path) as tiff:
        page = tiff.pages[0]
        image = page.asarray()
        separate = page.planarconfig == tifffile.PLANARCONFIG.SEPARATE
    if image.ndim == 2:
        return image[..., None]
    return np.moveaxis(image, 0, -1) if separate else image


def load_npy_image(path: str, known=(13, 12, 10, 3)) -> np.ndarray:
    image = np.load(path)
    if image.ndim == 2:
        return image[..., None]
    if image.shape[0] in known and image.shape[-1] not in known:
        return np.moveaxis(image, 0, -1)
    return image


def load_image_file(path: str, rgb: bool):
    extension = os.path.splitext(path)[-1].lower()
    if extension in (".tif", ".tiff"):
        image = load_tiff_image(path)
        if rgb and image.shape[-1] == 3 and image.dtype == np.uint8:
            return Image.fromarray(image, "RGB")
        return image
    if extension == ".npy":
        return load_npy_image(path)
    return Image.open(path)


def preprocess_and_stack(paths: list, preprocess, rgb: bool) -> torch.Tensor:
    batch = []
    for path in paths:
        image = load_image_file(path, rgb)
        if isinstance(image, np.ndarray):
            if image.shape[2] == 13:
                image = np.delete(image, [0, 9, 10], axis=2)
            elif image.shape[2] == 12:
                image = np.delete(image, [0, 9], axis=2)
        batch.append(preprocess(image))
    return torch.stack(batch)


def get_preprocess(is_ms: bool, means, stds, size: int = 224):
    if is_ms:
        return transforms.Compose([
            transforms.Lambda(lambda x: x.astype(np.float32)),
            transforms.ToTensor(),
            transforms.Resize(size=[size], interpolation=transforms.InterpolationMode.BICUBIC),
            transforms.CenterCrop([size]),
            transforms.Normalize(mean=means, std=stds),
        ])
    return transforms.Compose([
        transforms.Resize(size=[size], interpolation=transforms.InterpolationMode.BICUBIC),
        transforms.CenterCrop([size]),
        lambda image: image.convert("RGB"),
        transforms.ToTensor(),
        transforms.Normalize(mean=means, std=stds),
    ])


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

def zero_shot_classifier(model, tokenizer, classnames: list, templates: list) -> torch.Tensor:
    with torch.no_grad():
        weights = []
        for classname in classnames:
            texts = tokenizer([template.format(c=classname) for template in templates])
            class_embedding = F.normalize(model.inference_text(texts), dim=-1).mean(dim=0)
            class_embedding /= class_embedding.norm()
            weights.append(class_embedding)
        return torch.stack(weights, dim=1)


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
    paths = load_image_paths(arguments.images)
    preprocess = get_preprocess(not model.rgb, model.means, model.stds, model.size)
    result = {"images": [os.path.basename(path) for path in paths]}
    with torch.no_grad():
        image_features = model.inference_vision(preprocess_and_stack(paths, preprocess, model.rgb))
        image_features = F.normalize(image_features, dim=-1)
        classnames = arguments.class_names or (load_list(arguments.classes_file, "classes") if arguments.classes_file else None)
        if classnames:
            template_name, templates = load_templates(arguments.templates)
            classifier = zero_shot_classifier(model, tokenizer, classnames, templates)
            logits = 100.0 * image_features @ classifier
            probabilities = logits.softmax(dim=-1).to(torch.float32).numpy()
            result.update(classes=classnames, templates=template_name, probabilities=probabilities.astype(float).tolist(),
                          predicted=[classnames[int(index)] for index in probabilities.argmax(axis=1)])
        queries = arguments.query or (load_list(arguments.queries_file, "queries") if arguments.queries_file else None)
        if queries:
            text_features = model.inference_text(tokenizer(queries))
            similarity = image_features @ text_features.T
            k = min(arguments.top_k, len(paths))
            result["top_k"] = k
            result["retrieval"] = []
            for column, query in enumerate(queries):
                top = torch.topk(similarity[:, column], k=k)
                indices = top.indices.tolist()
                result["retrieval"].append({"query": query, "indices": indices, "names": [result["images"][index] for index in indices],
                                            "similarities": [float(value) for value in top.values.tolist()]})
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
