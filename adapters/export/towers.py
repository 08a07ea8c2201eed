"""ONNX export of the two towers and their verification against torch.

Each tower is a tiny wrapper whose forward is the model's raw `encode_image` /
`encode_text` (no normalisation: the TypeScript adapter L2-normalises), exported with
torch.onnx's dynamo exporter and a dynamic batch axis. Verification runs the written
files in onnxruntime on sample inputs (random normalised images; real prompts tokenised
by open_clip) and compares L2-normalised rows with torch's.

The text tower can also take a dynamic sequence axis (`PrefixTextTower`): open_clip's
CLIP text transformer is causal and pools at the end-of-text token, so the positions
after the batch's last end-of-text token never reach the pooled features. Running on
ids cut to that length gives the numbers of the full-context run at a fraction of the
cost (prompts are ~10-25 of 77 positions). It is enabled only for towers where that
holds (`prefix_text_unsupported`), and verified against the full-context torch output.
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


# Pool types that read one position at or before the end-of-text token.
_END_OF_TEXT_POOLS = ("argmax", "eos")
_TEXT_PARTS = ("token_embedding", "positional_embedding", "transformer", "ln_final", "text_projection")


def _text_module(model: nn.Module):
    """(module holding the text tower's parts, pool type, eos id), or None for other towers.

    open_clip's CLIP keeps the parts on the model itself (`text_pool_type`); CustomTextCLIP
    keeps a TextTransformer as `model.text` (`pool_type`). HF text towers are neither.
    """
    from open_clip.transformer import TextTransformer

    text = getattr(model, "text", None)
    if isinstance(text, TextTransformer):
        return text, text.pool_type, text.eos_id
    if all(hasattr(model, name) for name in (*_TEXT_PARTS, "attn_mask", "text_pool_type")):
        return model, model.text_pool_type, getattr(model, "text_eos_id", None)
    return None


def prefix_text_unsupported(model: nn.Module):
    """Why the text tower must see the whole context; None when a prefix gives the same features."""
    found = _text_module(model)
    if found is None:
        return "its text tower is not open_clip's text transformer"
    text, pool_type, _ = found
    if pool_type not in _END_OF_TEXT_POOLS:
        return f"it pools text with {pool_type!r}, not at the end-of-text token"
    if getattr(text, "cls_emb", None) is not None or getattr(text, "use_pad_mask", False) or getattr(text, "output_tokens", False):
        return "its text tower appends a class token, masks padding or returns tokens"
    mask = getattr(text, "attn_mask", None)
    positions = text.positional_embedding.shape[0]
    causal = torch.full((positions, positions), float("-inf")).triu(1)
    if mask is None or tuple(mask.shape) != (positions, positions) or not torch.equal(mask.float().cpu(), causal):
        return "its text attention is not causal"
    return None


class PrefixTextTower(nn.Module):
    """`encode_text` on ids of any length up to the context: positions and mask cut to it.

    The stock modules add the full positional embedding and mask, so they only take full
    rows; everything else is open_clip's own code path (CLIP.encode_text).
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        reason = prefix_text_unsupported(model)
        if reason:
            raise ValueError(f"the text tower cannot run on a prefix: {reason}")
        self.model = model
        text, self.pool_type, self.eos_id = _text_module(model)
        self.nested = text is not model

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        from open_clip.transformer import text_global_pool

        text = self.model.text if self.nested else self.model
        length = input_ids.shape[1]
        cast_dtype = text.transformer.get_cast_dtype()
        x = text.token_embedding(input_ids).to(cast_dtype)
        x = x + text.positional_embedding[:length].to(cast_dtype)
        x = text.transformer(x, attn_mask=text.attn_mask[:length, :length])
        x = text.ln_final(x)
        x = text_global_pool(x, input_ids, self.pool_type, eos_token_id=self.eos_id)
        projection = text.text_projection
        if projection is not None:
            x = projection(x) if isinstance(projection, nn.Linear) else x @ projection
        return x


def _parameter_bytes(module: nn.Module) -> int:
    return sum(parameter.numel() * parameter.element_size() for parameter in module.parameters())


def export_tower(tower: nn.Module, example: torch.Tensor, input_name: str, output_name: str, path: str, external_data: str = "auto", sequence_range=None) -> list:
    """Writes `path` (plus `path`.data for towers past 1.8 GB, or always/never); returns the file names written.

    `sequence_range` (minimum, maximum) makes axis 1 dynamic too ("sequence").
    """
    axes = {0: torch.export.Dim("batch", min=1, max=65536)}
    if sequence_range is not None:
        axes[1] = torch.export.Dim("sequence", min=sequence_range[0], max=sequence_range[1])
    program = torch.onnx.export(
        tower.eval(),
        (example,),
        input_names=[input_name],
        output_names=[output_name],
        dynamic_shapes={input_name: axes},
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


def sample_token_ids(context_length: int, prompts=None) -> torch.Tensor:
    import open_clip

    return open_clip.tokenize(VERIFICATION_PROMPTS if prompts is None else prompts, context_length=context_length)


def used_length(token_ids: torch.Tensor, pad_id: int) -> int:
    """Positions up to the batch's last non-padding id (its longest end-of-text token), at least 2.

    The TypeScript adapter cuts its batches the same way (adapters/clip.ts).
    """
    used = (token_ids != pad_id).long()
    positions = torch.arange(1, token_ids.shape[1] + 1).expand_as(used)
    return max(2, int((used * positions).max()))


def verify_tower(tower: nn.Module, path: str, input_name: str, batches: list, reference=None, pad_id=None) -> float:
    """Max abs difference of L2-normalised rows, onnxruntime vs torch, over `batches`.

    With `pad_id`, onnxruntime runs each batch cut to `used_length` while torch runs
    `reference` (default `tower`) on the full rows: the check that cutting is exact.
    """
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    reference = reference or tower
    worst = 0.0
    for inputs in batches:
        with torch.no_grad():
            expected = reference(inputs).numpy()
        if pad_id is not None:
            inputs = inputs[:, : used_length(inputs, pad_id)]
        actual = session.run(None, {input_name: inputs.numpy()})[0]
        if actual.shape != expected.shape:
            raise RuntimeError(f"{os.path.basename(path)} returned shape {list(actual.shape)}, torch {list(expected.shape)}")
        worst = max(worst, float(np.abs(l2_normalise(actual) - l2_normalise(expected)).max()))
    return worst
