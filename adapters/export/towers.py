"""ONNX export of the two towers and their verification against torch.

Each tower is a tiny wrapper whose forward is the model's raw `encode_image` /
`encode_text` (no normalisation: the TypeScript adapter L2-normalises), exported with
torch.onnx's dynamo exporter and a dynamic batch axis. Verification runs the written
files in onnxruntime on sample inputs (random normalised images; real prompts tokenised
by open_clip) and compares L2-normalised rows with torch's.
"""
import os

import numpy as np
import torch
from torch import nn

OPSET = 18
IMAGE_INPUT, IMAGE_OUTPUT = "image", "image_features"
TEXT_INPUT, TEXT_OUTPUT = "input_ids", "text_features"
# A tower whose weights pass this size goes to an external-data file (protobuf's 2 GB limit).
EXTERNAL_DATA_BYTES = 1_800_000_000

VERIFICATION_PROMPTS = [
    "a satellite image of annual crop land.",
    "an aerial photo of a river next to a highway",
    "A centered satellite photo of Permanent Crop Land, as seen from space!",
    "the cafe\u0301 \u201cstreet\u201d & harbour \u2014 sentinel-2 &amp; landsat",
    " ".join(["a long caption that has to be truncated to the context length"] * 12),
]


class ImageTower(nn.Module):
    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.model.encode_image(image)


class TextTower(nn.Module):
    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        return self.model.encode_text(input_ids)


def _parameter_bytes(module: nn.Module) -> int:
    return sum(parameter.numel() * parameter.element_size() for parameter in module.parameters())


def export_tower(tower: nn.Module, example: torch.Tensor, input_name: str, output_name: str, path: str, external_data: str = "auto") -> list:
    """Writes `path` (plus `path`.data for towers past 1.8 GB, or always/never); returns the file names written."""
    batch = torch.export.Dim("batch", min=1, max=65536)
    program = torch.onnx.export(
        tower.eval(),
        (example,),
        input_names=[input_name],
        output_names=[output_name],
        dynamic_shapes={input_name: {0: batch}},
        opset_version=OPSET,
        dynamo=True,
        optimize=True,
        verbose=False,
    )
    external = external_data == "always" or (external_data == "auto" and _parameter_bytes(tower) > EXTERNAL_DATA_BYTES)
    program.save(path, external_data=external)
    folder = os.path.dirname(path)
    stem = os.path.basename(path)
    return sorted(name for name in os.listdir(folder) if name == stem or name.startswith(stem + "."))


def l2_normalise(rows: np.ndarray) -> np.ndarray:
    rows = rows.astype(np.float64)
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


def sample_images(channels: int, size: int, count: int = 3, seed: int = 0) -> torch.Tensor:
    """Normalised-looking inputs: smooth fields plus noise, roughly zero mean, unit spread."""
    generator = torch.Generator().manual_seed(seed)
    coarse = torch.randn(count, channels, 8, 8, generator=generator)
    smooth = torch.nn.functional.interpolate(coarse, size=(size, size), mode="bilinear", align_corners=False)
    return (smooth + 0.3 * torch.randn(count, channels, size, size, generator=generator)).float()


def sample_token_ids(context_length: int) -> torch.Tensor:
    import open_clip

    return open_clip.tokenize(VERIFICATION_PROMPTS, context_length=context_length)


def verify_tower(tower: nn.Module, path: str, input_name: str, batches: list) -> float:
    """Max abs difference of L2-normalised rows, onnxruntime vs torch, over `batches`."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    worst = 0.0
    for inputs in batches:
        with torch.no_grad():
            expected = tower(inputs).numpy()
        actual = session.run(None, {input_name: inputs.numpy()})[0]
        if actual.shape != expected.shape:
            raise RuntimeError(f"{os.path.basename(path)} returned shape {list(actual.shape)}, torch {list(expected.shape)}")
        worst = max(worst, float(np.abs(l2_normalise(actual) - l2_normalise(expected)).max()))
    return worst
