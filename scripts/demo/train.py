"""Trains the two tiny demo CLIP models contrastively on the demo suite's training split.

Input: a tensors folder written by `scripts/demo/suite.ts tensors` - per dataset
`<dataset>.ms.npy` / `<dataset>.rgb.npy` (float16 [n, channels, 64, 64], already
preprocessed by the evaluator's own loaders and preprocessing) and `listing.json`
(prompt class names, label indices per image). Output: `<out>/<model>.pt`, an open_clip
CLIP state_dict that adapters/export/export.py loads (checkpointFormat "open_clip"),
and `<out>/<model>.training.json` (settings, loss curve, time).

  1. the three datasets' prompt class names form one vocabulary, lower-cased as the
     CLIP tokenizer lower-cases them (EuroSAT-style "coniferous forest" and
     BigEarthNet's "Coniferous forest" are the same caption class);
  2. every (class, template) caption of the msclip template set is tokenised once;
  3. each step samples a batch (datasets weighted), augments it with the 8 flips and
     right-angle rotations, and captions every image with one of its classes in a
     random template;
  4. loss = CLIP's symmetric contrastive loss, where caption j is a positive for image
     i when its class is one of i's labels (multi-label patches, repeated classes) and
     pairs from different datasets with no shared class are left out; plus the same
     contrast of each image against one caption of every class of its own dataset
     (the zero-shot classifier's view);
  5. AdamW with warmup and cosine decay, learnable temperature (logit scale <= 100);
  6. fixed seeds and thread count: the run is deterministic on a given machine.

Text is encoded on the first L tokens only (L = longest caption): with CLIP's causal
mask and pooling at the end token, the padding after it never changes the result, so
this is the same function as open_clip's encode_text, only cheaper.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT_ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DATASET_WEIGHTS = {"EuroSAT_MS": 0.3, "METERML_MS": 0.3, "BigEarthNet_MS": 0.4}


def log(message: str) -> None:
    print(f"[demo:train] {message}", file=sys.stderr, flush=True)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description="Train a tiny demo CLIP model on preprocessed demo tensors.")
    parser.add_argument("--tensors", required=True, help="training tensors folder (suite.ts tensors)")
    parser.add_argument("--view", required=True, choices=["ms", "rgb"])
    parser.add_argument("--name", required=True, help="model name (output file stem)")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--config", default=os.path.join(HERE, "Demo-ViT-Tiny.json"), help="open_clip model config")
    parser.add_argument("--templates", default=os.path.join(PROJECT_ROOT, "templates", "msclip.json"))
    parser.add_argument("--eval-tensors", help="test tensors folder: print a zero-shot check at the end")
    parser.add_argument("--steps", type=int, default=250)
    parser.add_argument("--batch-size", type=int, default=96)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--weight-decay", type=float, default=0.05)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20250601)
    parser.add_argument("--threads", type=int, default=2)
    return parser.parse_args(argv)


def load_split(folder: str, view: str):
    """Images (float16 numpy, per dataset), prompt class names and labels from a tensors folder."""
    with open(os.path.join(folder, "listing.json"), encoding="utf8") as handle:
        listing = json.load(handle)["datasets"]
    datasets = []
    for entry in listing:
        images = np.load(os.path.join(folder, f"{entry['name']}.{view}.npy"))
        if images.shape[0] != len(entry["labels"]):
            raise SystemExit(f"{folder}: {entry['name']}.{view}.npy has {images.shape[0]} images, listing.json {len(entry['labels'])}")
        datasets.append({**entry, "images": images})
    return datasets


def build_model(config_path: str, channels: int):
    import logging

    import open_clip

    # open_clip warns that no pretrained weights were loaded: training from scratch is the point.
    logging.getLogger().setLevel(logging.ERROR)
    open_clip.add_model_config(config_path)
    architecture = os.path.splitext(os.path.basename(config_path))[0]
    model = open_clip.create_model(architecture, pretrained=None)
    old = model.visual.conv1
    if old.in_channels != channels:
        # As the exporter (and Llama3-MS-CLIP) build it: a bias-free patch embedding over `channels` bands.
        model.visual.conv1 = torch.nn.Conv2d(channels, old.out_channels, kernel_size=old.kernel_size, stride=old.stride, bias=old.bias is not None)
    return model, open_clip.get_tokenizer(architecture)


def encode_text_prefix(model, tokens: torch.Tensor) -> torch.Tensor:
    """open_clip's CLIP.encode_text on the first tokens.shape[1] positions (see the module comment)."""
    length = tokens.shape[1]
    x = model.token_embedding(tokens)
    x = x + model.positional_embedding[:length]
    x = model.transformer(x, attn_mask=model.attn_mask[:length, :length])
    x = model.ln_final(x)
    x = x[torch.arange(x.shape[0]), tokens.argmax(dim=-1)]
    return x @ model.text_projection


def dihedral(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """A random flip / right-angle rotation per image (scene content does not depend on orientation)."""
    choice = torch.randint(0, 8, (images.shape[0],), generator=generator)
    out = images.clone()
    for k in range(8):
        index = (choice == k).nonzero(as_tuple=True)[0]
        if index.numel() == 0:
            continue
        part = images[index]
        if k >= 4:
            part = part.flip(-1)
        out[index] = torch.rot90(part, k % 4, dims=(-2, -1))
    return out


def soft_cross_entropy(logits: torch.Tensor, positives: torch.Tensor) -> torch.Tensor:
    """Cross-entropy against the positives spread evenly (rows with none are skipped)."""
    counts = positives.sum(1)
    keep = counts > 0
    log_probabilities = F.log_softmax(logits[keep], dim=1).masked_fill(~torch.isfinite(logits[keep]), 0)
    return -((log_probabilities * positives[keep]).sum(1) / counts[keep]).mean()


def train(arguments) -> dict:
    torch.manual_seed(arguments.seed)
    torch.set_num_threads(arguments.threads)
    generator = torch.Generator().manual_seed(arguments.seed)
    rng = np.random.default_rng(arguments.seed)

    # Step 1.
    datasets = load_split(arguments.tensors, arguments.view)
    vocabulary = sorted({name.lower() for entry in datasets for name in entry["classes"]})
    global_id = {name: index for index, name in enumerate(vocabulary)}
    for entry in datasets:
        entry["global"] = [global_id[name.lower()] for name in entry["classes"]]
        entry["multi_hot"] = np.zeros((len(entry["labels"]), len(vocabulary)), dtype=np.float32)
        for row, labels in enumerate(entry["labels"]):
            entry["multi_hot"][row, [entry["global"][label] for label in labels]] = 1
        # A patch none of whose labels map to a class has nothing to be captioned with.
        entry["usable"] = np.array([row for row, labels in enumerate(entry["labels"]) if labels])
    class_masks = torch.zeros(len(datasets), len(vocabulary), dtype=torch.bool)
    for dataset_index, entry in enumerate(datasets):
        class_masks[dataset_index, entry["global"]] = True
    channels = datasets[0]["images"].shape[1]
    model, tokenizer = build_model(arguments.config, channels)
    model.train()

    # Step 2.
    with open(arguments.templates, encoding="utf8") as handle:
        templates = json.load(handle)["templates"]
    captions = tokenizer([template.replace("{c}", name) for name in vocabulary for template in templates])
    length = int(captions.argmax(dim=-1).max()) + 1
    captions = captions[:, :length].reshape(len(vocabulary), len(templates), length)
    log(f"{arguments.name}: {sum(len(entry['usable']) for entry in datasets)} training images, {len(vocabulary)} caption classes x {len(templates)} templates, captions cut to {length} tokens")

    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and "embedding" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.ndim >= 2 and "embedding" not in n)]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": arguments.weight_decay}, {"params": no_decay, "weight_decay": 0.0}], lr=arguments.lr, betas=(0.9, 0.98), eps=1e-6)
    weights = np.array([DATASET_WEIGHTS.get(entry["name"], 1.0) for entry in datasets])
    weights = weights / weights.sum()
    curve = []
    started = time.time()
    for step in range(arguments.steps):
        # Step 5: learning rate schedule.
        scale = (step + 1) / arguments.warmup if step < arguments.warmup else 0.5 * (1 + math.cos(math.pi * (step - arguments.warmup) / max(1, arguments.steps - arguments.warmup)))
        for group in optimizer.param_groups:
            group["lr"] = arguments.lr * scale
        # Step 3.
        source = rng.choice(len(datasets), size=arguments.batch_size, p=weights)
        images, multi_hot, dataset_of, caption_class, own_classes = [], [], [], [], []
        for dataset_index in range(len(datasets)):
            count = int((source == dataset_index).sum())
            if count == 0:
                continue
            entry = datasets[dataset_index]
            rows = rng.choice(entry["usable"], size=count, replace=False if count <= len(entry["usable"]) else True)
            images.append(torch.from_numpy(entry["images"][rows].astype(np.float32)))
            multi_hot.append(torch.from_numpy(entry["multi_hot"][rows]))
            dataset_of += [dataset_index] * count
            for row in rows:
                caption_class.append(entry["global"][entry["labels"][row][rng.integers(len(entry["labels"][row]))]])
        pixels = dihedral(torch.cat(images), generator)
        multi_hot = torch.cat(multi_hot)
        dataset_of = torch.tensor(dataset_of)
        caption_class = torch.tensor(caption_class)
        batch_templates = torch.from_numpy(rng.integers(len(templates), size=len(caption_class)))
        class_templates = torch.from_numpy(rng.integers(len(templates), size=len(vocabulary)))
        tokens = torch.cat([captions[caption_class, batch_templates], captions[torch.arange(len(vocabulary)), class_templates]])

        # Step 4.
        image_features = F.normalize(model.encode_image(pixels), dim=-1)
        text_features = F.normalize(encode_text_prefix(model, tokens), dim=-1)
        logit_scale = model.logit_scale.exp().clamp(max=100)
        batch = len(caption_class)
        logits = logit_scale * image_features @ text_features[:batch].T
        positives = multi_hot[:, caption_class]
        comparable = (dataset_of[:, None] == dataset_of[None, :]) | (positives > 0)
        logits = logits.masked_fill(~comparable, float("-inf"))
        contrastive = 0.5 * (soft_cross_entropy(logits, positives) + soft_cross_entropy(logits.T, positives.T))
        class_logits = logit_scale * image_features @ text_features[batch:].T
        own = class_masks[dataset_of]
        class_logits = class_logits.masked_fill(~own, float("-inf"))
        classification = soft_cross_entropy(class_logits, multi_hot * own)
        loss = contrastive + classification
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if step % 25 == 0 or step == arguments.steps - 1:
            elapsed = time.time() - started
            curve.append({"step": step, "loss": round(loss.item(), 4), "contrastive": round(contrastive.item(), 4), "classification": round(classification.item(), 4), "seconds": round(elapsed, 1)})
            log(f"{arguments.name} step {step + 1}/{arguments.steps}: loss {loss.item():.3f} (contrastive {contrastive.item():.3f}, classes {classification.item():.3f}), scale {logit_scale.item():.1f}, {elapsed:.0f}s")

    # Step 6.
    model.eval()
    os.makedirs(arguments.out, exist_ok=True)
    checkpoint = os.path.join(arguments.out, f"{arguments.name}.pt")
    torch.save(model.state_dict(), checkpoint)
    summary = {
        "name": arguments.name,
        "view": arguments.view,
        "config": arguments.config and os.path.relpath(arguments.config, PROJECT_ROOT),
        "steps": arguments.steps,
        "batchSize": arguments.batch_size,
        "lr": arguments.lr,
        "seed": arguments.seed,
        "threads": arguments.threads,
        "torch": torch.__version__,
        "seconds": round(time.time() - started, 1),
        "parameters": sum(p.numel() for p in model.parameters()),
        "curve": curve,
    }
    if arguments.eval_tensors:
        summary["pythonZeroShot"] = zero_shot_check(model, tokenizer, templates, load_split(arguments.eval_tensors, arguments.view))
        log(f"{arguments.name} zero-shot (Python check): {json.dumps(summary['pythonZeroShot'])}")
    with open(os.path.join(arguments.out, f"{arguments.name}.training.json"), "w", encoding="utf8") as handle:
        json.dump(summary, handle, indent=2)
        handle.write("\n")
    log(f"wrote {checkpoint} ({summary['seconds']}s)")
    return summary


def average_precision_at_100(scores: np.ndarray, relevant: np.ndarray) -> float:
    """Paper-era AP@100: mean precision at the relevant items retrieved in the top 100."""
    order = np.argsort(-scores, kind="stable")[:100]
    hits = relevant[order] > 0
    if not hits.any():
        return 0.0
    precision = np.cumsum(hits) / (np.arange(len(hits)) + 1)
    return float(precision[hits].mean())


@torch.no_grad()
def zero_shot_check(model, tokenizer, templates, datasets) -> dict:
    """A quick zero-shot evaluation in Python (the committed metrics come from the TypeScript evaluator)."""
    results = {}
    for entry in datasets:
        prompts = tokenizer([template.replace("{c}", name) for name in entry["classes"] for template in templates])
        text = F.normalize(model.encode_text(prompts), dim=-1).reshape(len(entry["classes"]), len(templates), -1).mean(1)
        classifier = F.normalize(text, dim=-1)
        images = torch.from_numpy(entry["images"].astype(np.float32))
        features = torch.cat([F.normalize(model.encode_image(images[start:start + 256]), dim=-1) for start in range(0, len(images), 256)])
        logits = (100 * features @ classifier.T).numpy()
        targets = np.zeros_like(logits)
        for row, labels in enumerate(entry["labels"]):
            targets[row, labels] = 1
        mean_ap = float(np.mean([average_precision_at_100(logits[:, c], targets[:, c]) for c in range(logits.shape[1])]))
        if entry["task"] == "multi-label":
            others = (logits.sum(1, keepdims=True) - logits) / (logits.shape[1] - 1)
            predicted = logits > others
            results[entry["name"]] = {"Average_class_accuracy": round(float((predicted == (targets > 0)).mean(0).mean()), 4), "Ave_mAP": round(mean_ap, 4)}
        else:
            truth = np.array([labels[0] for labels in entry["labels"]])
            results[entry["name"]] = {"acc1": round(float((logits.argmax(1) == truth).mean()), 4), "mAP": round(mean_ap, 4)}
    return results


if __name__ == "__main__":
    train(parse_arguments(sys.argv[1:]))
