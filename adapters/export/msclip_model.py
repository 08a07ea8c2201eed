"""The module layout of Llama3-MS-CLIP's training module, rebuilt without its training stack.

The published checkpoint (`Llama3_MS_CLIP_weights.pt`) is `torch.save(state_dict)` of the
reference's `CLIPDualEncoderModel` (msclip/model/model_arch.py, a LightningModule). That
module holds ONE open_clip CLIP model under three names - `clip_base_model.model`,
`text_encoder.model`, `image_encoder.model` - plus a `temperature` parameter, so its
state_dict carries every CLIP tensor three times. The reference loads it with
`strict=True`; this shell has exactly the same submodule paths and no pytorch_lightning
or transformers dependency, so the same file loads here with `strict=True` as well.

`visual.conv1` is replaced as the reference's `load_model` does (msclip/model/factory.py):
a bias-free Conv2d with `channels` inputs and the ViT's kernel and stride.
"""
import torch
from torch import nn


def replace_patch_embedding(clip_model: nn.Module, channels: int) -> None:
    """Gives the ViT's patch embedding `channels` input bands (as the reference's load_model)."""
    old = clip_model.visual.conv1
    if old.in_channels == channels:
        return
    clip_model.visual.conv1 = nn.Conv2d(
        in_channels=channels,
        out_channels=old.out_channels,
        kernel_size=old.kernel_size,
        stride=old.stride,
        bias=old.bias is not None,
    )


class _Holder(nn.Module):
    """`BaseModel`, `ImageEncoder` and `TextEncoder` of the reference: each keeps the CLIP model as `.model`."""

    def __init__(self, clip_model: nn.Module) -> None:
        super().__init__()
        self.model = clip_model


class CLIPDualEncoderModel(nn.Module):
    """Same parameter paths as the reference's training module; only what inference needs."""

    def __init__(self, architecture: str = "ViT-B-16", channels: int = 10, initial_temperature: float = 0.07) -> None:
        super().__init__()
        import open_clip

        clip_model = open_clip.create_model(architecture, pretrained=None)
        replace_patch_embedding(clip_model, channels)
        # Registration order as in the reference (it does not matter for loading).
        self.clip_base_model = _Holder(clip_model)
        self.text_encoder = _Holder(clip_model)
        self.image_encoder = _Holder(clip_model)
        self.temperature = nn.Parameter(torch.ones([]) * initial_temperature)

    @property
    def clip(self) -> nn.Module:
        return self.clip_base_model.model


# Non-persistent buffers that some open_clip versions wrote into state_dicts; they carry
# no weights, so dropping them before a strict load changes nothing.
_BENIGN_EXTRA_SUFFIXES = ("attn_mask", "position_ids")


def unwrap_state_dict(loaded: object) -> dict:
    """The state_dict inside a loaded file: a bare state_dict, or a Lightning checkpoint's `state_dict`."""
    if isinstance(loaded, dict) and "state_dict" in loaded and isinstance(loaded["state_dict"], dict):
        loaded = loaded["state_dict"]
    if not isinstance(loaded, dict) or not loaded:
        raise ValueError("the file does not hold a state_dict")
    state_dict = dict(loaded)
    if all(key.startswith("module.") for key in state_dict):
        state_dict = {key[len("module."):]: value for key, value in state_dict.items()}
    return state_dict


def load_training_module(shell: CLIPDualEncoderModel, state_dict: dict) -> None:
    """Strict load, as the reference; the error names the first missing/unexpected keys."""
    expected = set(shell.state_dict().keys())
    state_dict = {
        key: value
        for key, value in state_dict.items()
        if key in expected or not key.endswith(_BENIGN_EXTRA_SUFFIXES)
    }
    missing = sorted(expected - state_dict.keys())
    unexpected = sorted(state_dict.keys() - expected)
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"{len(missing)} missing keys (e.g. {', '.join(missing[:3])})")
        if unexpected:
            parts.append(f"{len(unexpected)} unexpected keys (e.g. {', '.join(unexpected[:3])})")
        raise ValueError("not a Llama3-MS-CLIP training-module state_dict: " + "; ".join(parts))
    for key, tensor in shell.state_dict().items():
        if tuple(state_dict[key].shape) != tuple(tensor.shape):
            raise ValueError(
                f"tensor {key} has shape {list(state_dict[key].shape)}, the model expects {list(tensor.shape)}"
                " (wrong architecture or number of bands?)"
            )
    shell.load_state_dict(state_dict, strict=True)
