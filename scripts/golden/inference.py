#!/usr/bin/env python3
"""Golden files for preprocess/resample/pillow.ts and the PNG path of preprocess/user-images.ts
(test/fixtures/inference/pil/).

Run:  .venv/bin/python scripts/golden/inference.py
Needs: Pillow, torch, torchvision (installed with open_clip in the project venv).

Also writes test/fixtures/inference/tiles/ (real-format inputs: 12-band L2A int16 and
13-band L1C uint16 band-last GeoTIFFs as the reference's examples, a band-first
10-band tile, a large deflate tile, .npy arrays both ways, a non-image file) and
rgb/ (PNG and a 3-band uint8 GeoTIFF like the reference's examples/rbg), and the
reference's answers for them with the tiny bundle: golden-ms.json / golden-rgb.json,
from scripts/parity/inference.py --onnx-bundle (the reference's inference logic in
float32, towers run by onnxruntime).

Also writes test/fixtures/inference/tiny-bundle/: two tiny ONNX towers (a few KB)
with the bundle format's input/output names, so the command tests run a real ONNX
Runtime session in milliseconds. The tests add the vocabulary and bundle.json.

The reference hands PNG/JPEG files of RGB models to open_clip's preprocessing as PIL
images: Resize(224, BICUBIC) (Pillow's 8-bit fixed-point resampler), CenterCrop(224),
convert('RGB'), ToTensor, Normalize(CLIP mean/std). This script writes small PNG
inputs of every PNG mode that matters and what Pillow and that pipeline make of them:

- resize/<case>.png + resize/<case>.expected.npy: Image.resize(size, BICUBIC or
  NEAREST as Pillow chooses for the mode), then convert('RGBA'), uint8 [h, w, 4].
- pipeline/<case>.png + pipeline/<case>.expected.npy: the full open_clip-style
  transform, float32 [3, 224, 224] sampled every 7th pixel -> [3, 32, 32] (keeps the
  fixture small; the sampled grid covers the crop borders and the centre).
"""
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image
from torchvision import transforms

ROOT = Path(__file__).resolve().parents[2] / "test" / "fixtures" / "inference" / "pil"
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
MS_MEAN = [925.161, 1183.128, 1338.041, 1667.254, 2233.633, 2460.96, 2555.569, 2619.542, 2406.497, 1841.645]
MS_STD = [1205.586, 1223.713, 1399.638, 1403.298, 1378.513, 1434.924, 1491.141, 1454.089, 1473.248, 1365.08]


def texture(rng: np.random.Generator, height: int, width: int, channels: int, noise_level: int = 60) -> np.ndarray:
    """Smooth gradients plus noise, so both clipping and smooth regions are exercised
    (large images get little noise: noise does not compress and fixtures stay small)."""
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([(x * 255 / max(width - 1, 1)), (y * 255 / max(height - 1, 1)), ((x + y) * 7) % 256][:channels] + [np.full((height, width), 200.0)] * max(0, channels - 3), axis=-1)
    noise = rng.integers(-noise_level, noise_level + 1, size=(height, width, channels))
    spikes = rng.random((height, width, channels)) < (0.05 if noise_level > 0 else 0.002)
    values = np.where(spikes, rng.choice([0, 255], size=(height, width, channels)), base + noise)
    return np.clip(values, 0, 255).astype(np.uint8)


def make_image(rng: np.random.Generator, mode: str, width: int, height: int) -> Image.Image:
    if mode == "RGB":
        return Image.fromarray(texture(rng, height, width, 3, 60 if width * height < 10000 else 0), "RGB")
    if mode == "RGBA":
        pixels = texture(rng, height, width, 4)
        pixels[..., 3] = rng.choice([0, 40, 128, 200, 255], size=(height, width))
        return Image.fromarray(pixels, "RGBA")
    if mode == "L":
        return Image.fromarray(texture(rng, height, width, 1)[..., 0], "L")
    if mode == "LA":
        pixels = texture(rng, height, width, 2)
        pixels[..., 1] = rng.choice([0, 90, 255], size=(height, width))
        return Image.fromarray(pixels, "LA")
    if mode == "P":
        return Image.fromarray(texture(rng, height, width, 3), "RGB").quantize(colors=16)
    raise ValueError(mode)


def resize_cases(rng: np.random.Generator) -> None:
    folder = ROOT / "resize"
    folder.mkdir(parents=True, exist_ok=True)
    cases = [
        ("rgb-up", "RGB", (37, 23), (50, 31)),
        ("rgb-down", "RGB", (64, 48), (20, 15)),
        ("rgb-wide", "RGB", (90, 12), (33, 7)),
        ("rgb-only-width", "RGB", (30, 20), (45, 20)),
        ("rgba-up", "RGBA", (30, 20), (45, 30)),
        ("l-up", "L", (25, 25), (40, 40)),
        ("la-down", "LA", (40, 30), (17, 13)),
        ("p-nearest", "P", (30, 20), (17, 41)),
    ]
    for name, mode, size, target in cases:
        image = make_image(rng, mode, *size)
        image.save(folder / f"{name}.png")
        reread = Image.open(folder / f"{name}.png")
        assert reread.mode == mode, (name, reread.mode)
        resized = reread.resize(target, Image.Resampling.BICUBIC)
        np.save(folder / f"{name}.expected.npy", np.asarray(resized.convert("RGBA"), dtype=np.uint8))


def pipeline_cases(rng: np.random.Generator) -> None:
    folder = ROOT / "pipeline"
    folder.mkdir(parents=True, exist_ok=True)
    transform = transforms.Compose([
        transforms.Resize(224, interpolation=transforms.InterpolationMode.BICUBIC),
        transforms.CenterCrop(224),
        lambda image: image.convert("RGB"),
        transforms.ToTensor(),
        transforms.Normalize(mean=CLIP_MEAN, std=CLIP_STD),
    ])
    cases = [("rgb-40x30", "RGB", (40, 30)), ("rgb-260x230", "RGB", (260, 230)), ("rgba-50x64", "RGBA", (50, 64)), ("p-60x45", "P", (60, 45)), ("rgb-224", "RGB", (224, 224))]
    for name, mode, size in cases:
        make_image(rng, mode, *size).save(folder / f"{name}.png")
        tensor = transform(Image.open(folder / f"{name}.png"))
        np.save(folder / f"{name}.expected.npy", tensor.numpy()[:, ::7, ::7].astype(np.float32))


def tiny_bundle(rng: np.random.Generator) -> None:
    """image [N,C,224,224] -> 32x32 average pool -> flatten -> matmul -> [N,16];
    input_ids [N,77] int64 -> sin(0.01 * id) -> matmul -> [N,16]. Two towers, one
    multispectral (10 bands) and one RGB (3 bands); not a CLIP, but real ONNX."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    folder = ROOT.parent / "tiny-bundle"
    folder.mkdir(parents=True, exist_ok=True)
    dimension = 16

    def image_tower(bands: int) -> onnx.ModelProto:
        weights = rng.standard_normal((bands * 7 * 7, dimension)).astype(np.float32)
        nodes = [
            helper.make_node("AveragePool", ["image"], ["pooled"], kernel_shape=[32, 32], strides=[32, 32]),
            helper.make_node("Flatten", ["pooled"], ["flat"], axis=1),
            helper.make_node("MatMul", ["flat", "weights"], ["image_features"]),
        ]
        graph = helper.make_graph(
            nodes, "tiny_image",
            [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", bands, 224, 224])],
            [helper.make_tensor_value_info("image_features", TensorProto.FLOAT, ["batch", dimension])],
            [numpy_helper.from_array(weights, "weights")],
        )
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)

    def text_tower() -> onnx.ModelProto:
        weights = rng.standard_normal((77, dimension)).astype(np.float32)
        nodes = [
            helper.make_node("Cast", ["input_ids"], ["ids"], to=TensorProto.FLOAT),
            helper.make_node("Mul", ["ids", "scale"], ["scaled"]),
            helper.make_node("Sin", ["scaled"], ["waves"]),
            helper.make_node("MatMul", ["waves", "weights"], ["text_features"]),
        ]
        graph = helper.make_graph(
            nodes, "tiny_text",
            [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", 77])],
            [helper.make_tensor_value_info("text_features", TensorProto.FLOAT, ["batch", dimension])],
            [numpy_helper.from_array(weights, "weights"), numpy_helper.from_array(np.array(0.01, dtype=np.float32), "scale")],
        )
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)

    for name, model in (("image-ms.onnx", image_tower(10)), ("image-rgb.onnx", image_tower(3)), ("text.onnx", text_tower())):
        onnx.checker.check_model(model)
        onnx.save(model, folder / name)


CLASSES = ["annual crop", "forest", "river", "sea lake", "residential buildings"]
QUERIES = ["a river", "dense forest, with clouds", "snow-covered mountains"]


def tiles(rng: np.random.Generator) -> None:
    import tifffile

    folder = ROOT.parent / "tiles"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()

    def reflectance(height: int, width: int, bands: int, dtype) -> np.ndarray:
        return rng.integers(0, 6000, size=(height, width, bands)).astype(dtype)

    tifffile.imwrite(folder / "a-l2a-int16.tif", reflectance(20, 24, 12, np.int16), photometric="minisblack", planarconfig="contig")
    tifffile.imwrite(folder / "B-l1c-uint16.tif", reflectance(20, 20, 13, np.uint16), photometric="minisblack", planarconfig="contig")
    tifffile.imwrite(folder / "c-model-order-band-first.tif", np.moveaxis(reflectance(22, 22, 10, np.uint16), -1, 0), photometric="minisblack", planarconfig="separate")
    y, x = np.mgrid[0:228, 0:240]
    smooth = np.stack([1000 + 9 * x + 5 * y + 300 * band for band in range(12)], axis=-1).astype(np.int16)
    # Horizontal differencing makes the smooth tile compress to a few KB.
    tifffile.imwrite(folder / "d-large-deflate.tif", smooth, photometric="minisblack", planarconfig="contig", compression="zlib", predictor=True)
    np.save(folder / "e-band-last.npy", reflectance(16, 18, 12, np.float32))
    np.save(folder / "f-band-first.npy", np.moveaxis(reflectance(16, 16, 10, np.int16), -1, 0))
    (folder / "notes.txt").write_text("not an image\n")

    rgb = ROOT.parent / "rgb"
    rgb.mkdir(parents=True, exist_ok=True)
    Image.fromarray(texture(rng, 30, 40, 3), "RGB").save(rgb / "p-photo.png")
    tifffile.imwrite(rgb / "q-rgb.tif", texture(rng, 26, 26, 3), photometric="rgb", planarconfig="contig")


def goldens() -> None:
    import subprocess
    import tempfile

    parity = Path(__file__).resolve().parents[1] / "parity" / "inference.py"
    base = ROOT.parent
    # The model inputs themselves: the reference's preprocessing of every fixture tile,
    # [tiles, 10, 16, 16] sampled every 14th pixel (starting at 0) to stay small.
    sys.path.insert(0, str(parity.parent))
    import inference as reference

    paths = reference.list_images(str(base / "tiles"))
    stacked = reference.model_inputs(paths, reference.make_preprocess(True, MS_MEAN, MS_STD), False)
    np.save(base / "tiles-inputs.expected.npy", stacked.numpy()[:, :, ::14, ::14].astype(np.float32))
    for name, image_file, kind, bands, mean, std, images in (
        ("ms", "image-ms.onnx", "multispectral", 10, MS_MEAN, MS_STD, base / "tiles"),
        ("rgb", "image-rgb.onnx", "rgb", 3, list(CLIP_MEAN), list(CLIP_STD), base / "rgb"),
    ):
        with tempfile.TemporaryDirectory() as bundle:
            manifest = {
                "image": {"file": str(base / "tiny-bundle" / image_file), "input": "image", "output": "image_features", "kind": kind, "size": 224, "mean": mean, "std": std},
                "text": {"file": str(base / "tiny-bundle" / "text.onnx"), "input": "input_ids", "output": "text_features"},
            }
            (Path(bundle) / "bundle.json").write_text(json.dumps(manifest))
            command = [sys.executable, str(parity), "--onnx-bundle", bundle, "--images", str(images), "--class-names", *CLASSES,
                       "--templates", "msclip", "--query", *QUERIES, "--top-k", "3"]
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        (base / f"golden-{name}.json").write_text(json.dumps(json.loads(output), indent=1) + "\n")


def jpeg_cases(rng: np.random.Generator) -> None:
    """A 4:4:4 JPEG and Pillow's decoding of it: jpeg-js is held to a few levels."""
    folder = ROOT / "jpeg"
    folder.mkdir(parents=True, exist_ok=True)
    Image.fromarray(texture(rng, 30, 40, 3), "RGB").save(folder / "q90-444.jpg", quality=90, subsampling=0)
    np.save(folder / "q90-444.expected.npy", np.asarray(Image.open(folder / "q90-444.jpg").convert("RGB"), dtype=np.uint8))


def main() -> None:
    rng = np.random.default_rng(20250611)
    resize_cases(rng)
    pipeline_cases(rng)
    jpeg_cases(np.random.default_rng(5))
    tiny_bundle(np.random.default_rng(7))
    tiles(np.random.default_rng(11))
    goldens()
    total = sum(path.stat().st_size for path in ROOT.parent.rglob("*") if path.is_file())
    print(f"wrote {ROOT.parent} ({total / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
