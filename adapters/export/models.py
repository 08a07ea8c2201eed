"""Building the torch model of a registry entry, from a checkpoint file or from a seed.

Two checkpoint formats exist (the entry's `checkpointFormat`):
- 'msclip-training-module': state_dict of Llama3-MS-CLIP's training module
  (Llama3_MS_CLIP_weights.pt; see msclip_model.py), loaded with strict=True.
- 'open_clip': an open_clip CLIP state_dict (open_clip pretrained weights, RemoteCLIP,
  GeoRSCLIP, SkyCLIP's epoch_20.pt), loaded by open_clip.load_checkpoint (strict), the
  same call the reference's `open_clip.create_model(name, pretrained=FILE)` makes.

A seeded random checkpoint is written in the same official format, so tests exercise
exactly the loading path of real weights.
"""
import os

import torch
from torch import nn

from msclip_model import CLIPDualEncoderModel, load_training_module, replace_patch_embedding, unwrap_state_dict
from errors import ExportError

PROJECT_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def register_model_config(entry: dict) -> None:
    """Custom open_clip configs (demo/test models) are JSON files whose stem is the architecture name."""
    config = entry.get("modelConfig")
    if not config:
        return
    import open_clip

    path = config if os.path.isabs(config) else os.path.join(PROJECT_ROOT, config)
    if not os.path.isfile(path):
        raise ExportError(f"model config {path} of {entry['name']} not found")
    stem = os.path.splitext(os.path.basename(path))[0]
    if stem != entry["architecture"]:
        raise ExportError(f"model config {path} must be named {entry['architecture']}.json (its architecture)")
    open_clip.add_model_config(path)


def _channels(entry: dict) -> int:
    return len(entry["image"]["bands"])


def _quick_gelu(entry: dict) -> bool:
    """open_clip sets QuickGELU from some pretrained tags' configs (e.g. openai); follow it."""
    weights = entry.get("weights", {})
    if weights.get("kind") != "open_clip":
        return False
    import open_clip

    return bool(open_clip.get_pretrained_cfg(entry["architecture"], weights["pretrained"]).get("quick_gelu", False))


def _new_open_clip(entry: dict) -> nn.Module:
    import open_clip

    register_model_config(entry)
    model = open_clip.create_model(entry["architecture"], pretrained=None, force_quick_gelu=_quick_gelu(entry))
    replace_patch_embedding(model, _channels(entry))
    return model


def _new_training_module(entry: dict) -> CLIPDualEncoderModel:
    register_model_config(entry)
    return CLIPDualEncoderModel(entry["architecture"], channels=_channels(entry))


def _read_failure(path: str, error: Exception) -> ExportError:
    """One line for an unreadable checkpoint; torch's weights-only refusal is long, keep its reason."""
    text = str(error)
    lines = [line.strip() for line in text.splitlines() if line.strip()] or [type(error).__name__]
    if "Weights only load failed" in text:
        reason = next((lines[index + 1] for index, line in enumerate(lines) if line.endswith("WeightsUnpickler error:") and index + 1 < len(lines)), "")
        if "Unsupported operand" in reason or "invalid load key" in reason:
            return ExportError(f"cannot read checkpoint {path}: not a PyTorch checkpoint (torch.save) or .safetensors file")
        return ExportError(
            f"cannot read checkpoint {path}: it holds Python objects besides tensors ({reason or 'weights-only load refused'}); "
            "save its state_dict alone with torch.save and pass that file"
        )
    return ExportError(f"cannot read checkpoint {path}: {lines[0][:300]}")


def _load_file(path: str) -> object:
    try:
        if path.endswith(".safetensors"):
            from safetensors.torch import load_file

            return load_file(path, device="cpu")
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises many kinds here; all mean "not a usable checkpoint"
        raise _read_failure(path, error) from error


def load_model(entry: dict, checkpoint: str) -> nn.Module:
    """The open_clip CLIP model (eval mode) of `entry` with the weights of `checkpoint`."""
    fmt = entry["checkpointFormat"]
    if fmt == "msclip-training-module":
        shell = _new_training_module(entry)
        try:
            load_training_module(shell, unwrap_state_dict(_load_file(checkpoint)))
        except ValueError as error:
            raise ExportError(f"{checkpoint}: {error}") from error
        model = shell.clip
    elif fmt == "open_clip":
        import open_clip

        model = _new_open_clip(entry)
        try:
            open_clip.load_checkpoint(model, checkpoint, strict=True)
        except Exception as error:  # unreadable file, or a state_dict of another model
            lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()] or [type(error).__name__]
            if "state_dict" in lines[0] or isinstance(error, (KeyError, StopIteration)):
                detail = next((line for line in lines[1:] if "size mismatch" in line or "Missing key" in line or "Unexpected key" in line), lines[0])
                raise ExportError(f"{checkpoint} is not an open_clip {entry['architecture']} state_dict with {_channels(entry)} bands: {detail[:300]}") from error
            raise _read_failure(checkpoint, error) from error
    else:
        raise ExportError(f"unknown checkpointFormat {fmt!r} for {entry['name']}")
    model.eval()
    return model


def _perturb_constant_tensors(module: nn.Module, generator: torch.Generator) -> None:
    """open_clip initialises norms to 1 and biases to 0; jitter them so every tensor matters in parity tests."""
    with torch.no_grad():
        for parameter in module.parameters():
            if parameter.is_floating_point() and parameter.numel() > 1 and torch.all(parameter == parameter.flatten()[0]):
                parameter.add_(torch.randn(parameter.shape, generator=generator) * 0.02)


def random_state_dict(entry: dict, seed: int) -> dict:
    """A seeded random checkpoint in the entry's official format (same keys and shapes as real weights)."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed + 1)
    if entry["checkpointFormat"] == "msclip-training-module":
        module = _new_training_module(entry)
        _perturb_constant_tensors(module.clip, generator)
    else:
        module = _new_open_clip(entry)
        _perturb_constant_tensors(module, generator)
    return module.state_dict()


def write_random_checkpoint(entry: dict, seed: int, path: str) -> None:
    state_dict = random_state_dict(entry, seed)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    temporary = f"{path}.tmp-{os.getpid()}"
    torch.save(state_dict, temporary)
    os.replace(temporary, path)


def model_facts(model: nn.Module) -> dict:
    """What the manifest states about the architecture, read from the model itself."""
    image_size = model.visual.image_size
    size = image_size[0] if isinstance(image_size, (tuple, list)) else int(image_size)
    return {
        "channels": model.visual.conv1.in_channels,
        "imageSize": int(size),
        "contextLength": int(model.context_length),
        "vocabularySize": int(model.vocab_size),
        "embeddingSize": int(model.visual.output_dim),
    }
