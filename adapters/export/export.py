"""Checkpoint -> bundle (image.onnx, text.onnx, vocabulary, bundle.json), verified.

Driven by adapters/export.ts, which passes the registry entry as JSON (the registry
lives in TypeScript only). Modes:

  export.py --model-json JSON (--checkpoint FILE | --seed N) --out DIR [--tolerance 1e-4] [--text-length auto|fixed]
      Without --checkpoint/--seed the entry's public weights are downloaded.
  export.py --model-json JSON --seed N --write-random-checkpoint FILE
      Writes a seeded random checkpoint in the entry's official format (tests).
  export.py --model-json JSON (--checkpoint FILE | --seed N) --embed-images F32 --embed-texts JSON --embed-out DIR
      Reference embeddings from torch (L2-normalised float32, little-endian) for parity tests.

Steps of an export:
  1. resolve the checkpoint (local file, cache, or download; no torch import yet);
  2. build the torch model and load the checkpoint in its official format (strict);
  3. check the entry against the model (bands, image size, context length, tokenizer ids,
     open_clip's preprocessing for pretrained tags);
  4. export both towers with torch.onnx (dynamo) into a staging folder; the text tower
     with a dynamic sequence axis when cutting the padding is exact (towers.py), which
     bundle.json records as text.dynamicLength;
  5. run them in onnxruntime on sample inputs and refuse when they differ from torch
     (cut text rows against torch's full-context output too);
  6. copy the vocabulary, hash every file, write bundle.json, swap the folder into place.

Human progress goes to stderr; stdout carries one JSON line with the outcome.
Exit codes: 0 ok, 2 user-facing failure (the JSON has code and message).
"""
import argparse
import datetime
import json
import os
import shutil
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from errors import ExportError, PythonEnvironmentError  # noqa: E402
from weights import log, resolve_checkpoint, sha256_of  # noqa: E402

PROJECT_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_VOCABULARY = os.path.join(PROJECT_ROOT, "adapters", "vocab", "bpe_simple_vocab_16e6.txt.gz")
RESULT_STREAM = sys.stdout


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description="Export a CLIP checkpoint to an ONNX bundle.")
    parser.add_argument("--model-json", required=True, help="registry entry as JSON (or @file)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--checkpoint", help="local checkpoint file in the entry's official format")
    source.add_argument("--seed", type=int, help="seeded random weights (tests)")
    parser.add_argument("--out", help="bundle folder to write")
    parser.add_argument("--vocabulary", default=DEFAULT_VOCABULARY)
    parser.add_argument("--tolerance", type=float, default=1e-4, help="max abs diff of L2-normalised embeddings, ONNX vs torch")
    parser.add_argument("--external-data", choices=["auto", "always", "never"], default="auto",
                        help="weights in a separate .data file: auto = only past 1.8 GB (protobuf's 2 GB limit)")
    parser.add_argument("--text-length", choices=["auto", "fixed"], default="auto",
                        help="auto = the text tower takes any length up to the context when that is exact (causal, end-of-text pooling); "
                        "fixed = always the full context, as older bundles")
    parser.add_argument("--write-random-checkpoint", metavar="FILE")
    parser.add_argument("--embed-images", metavar="F32", help="float32 [n, bands, size, size] little-endian")
    parser.add_argument("--embed-texts", metavar="JSON", help="JSON list of prompts")
    parser.add_argument("--embed-out", metavar="DIR")
    return parser.parse_args(argv)


def load_entry(text: str) -> dict:
    if text.startswith("@"):
        with open(text[1:], encoding="utf8") as handle:
            text = handle.read()
    return json.loads(text)


def import_torch_stack():
    """torch, open_clip, onnx, onnxruntime; a missing one is a one-line environment error."""
    try:
        import torch  # noqa: F401
        import open_clip  # noqa: F401
        import onnx  # noqa: F401
        import onnxscript  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError as error:
        raise PythonEnvironmentError(f"{error.name or error} is not installed in {sys.prefix}: run npm run setup:python") from error
    warnings.filterwarnings("ignore")
    import logging

    logging.getLogger().setLevel(logging.ERROR)
    torch.set_num_threads(os.cpu_count() or 1)


def check_entry_against_model(entry: dict, facts: dict, vocabulary: str) -> None:
    """The manifest must describe the model that was loaded, not what the registry hoped for."""
    import open_clip

    image, text = entry["image"], entry["text"]
    if facts["channels"] != len(image["bands"]):
        raise ExportError(f"{entry['name']}: the checkpoint's patch embedding takes {facts['channels']} bands, the registry lists {len(image['bands'])}")
    if facts["imageSize"] != image["size"]:
        raise ExportError(f"{entry['name']}: {entry['architecture']} takes {facts['imageSize']}px images, the registry says {image['size']}")
    if facts["contextLength"] != text["contextLength"]:
        raise ExportError(f"{entry['name']}: context length {facts['contextLength']}, the registry says {text['contextLength']}")
    tokenizer = open_clip.get_tokenizer(entry["architecture"])
    ids = {"startId": getattr(tokenizer, "sot_token_id", None), "endId": getattr(tokenizer, "eot_token_id", None)}
    for field, value in ids.items():
        if value is not None and value != text[field]:
            raise ExportError(f"{entry['name']}: open_clip's tokenizer has {field} {value}, the registry says {text[field]}")
    # The bundle's vocabulary must be the one torch's tokenizer used (open_clip's own file).
    shipped = os.path.join(os.path.dirname(open_clip.__file__), "bpe_simple_vocab_16e6.txt.gz")
    if os.path.isfile(shipped) and sha256_of(shipped) != sha256_of(vocabulary):
        raise ExportError(f"{vocabulary} differs from open_clip's {shipped}: the bundle's tokenizer would not match torch's")
    weights = entry["weights"]
    if weights["kind"] == "open_clip":
        config = open_clip.get_pretrained_cfg(entry["architecture"], weights["pretrained"])
        if not config:
            raise ExportError(f"open_clip {open_clip.__version__} has no pretrained tag {weights['pretrained']} for {entry['architecture']}")
        if config.get("hf_hub", "").rstrip("/") != weights["repo"]:
            raise ExportError(f"open_clip's {weights['pretrained']} lives in {config.get('hf_hub')}, the registry says {weights['repo']}")
        for field in ("mean", "std"):
            expected = config.get(field) or getattr(open_clip, f"OPENAI_DATASET_{field.upper()}")
            if any(abs(a - b) > 1e-7 for a, b in zip(expected, image[field])):
                raise ExportError(f"{entry['name']}: open_clip normalises with {field} {list(expected)}, the registry says {image[field]}")


def write_manifest(entry: dict, folder: str, source: dict, facts: dict, differences: dict, files: list, tolerance: float) -> dict:
    import onnxruntime
    import open_clip
    import torch
    import towers

    image, text = entry["image"], entry["text"]
    hashes = {name: sha256_of(os.path.join(folder, name)) for name in sorted(files)}
    manifest = {
        "schema": 1,
        "name": entry["name"],
        "family": entry["family"],
        "architecture": entry["architecture"],
        "demo": entry["family"] == "demo",
        "embeddingSize": facts["embeddingSize"],
        "opset": facts["opset"],
        "image": {
            "file": "image.onnx",
            "input": towers.IMAGE_INPUT,
            "output": towers.IMAGE_OUTPUT,
            "kind": image["kind"],
            "bands": image["bands"],
            "size": image["size"],
            "interpolation": image["interpolation"],
            "mean": image["mean"],
            "std": image["std"],
        },
        "text": {
            "file": "text.onnx",
            "input": towers.TEXT_INPUT,
            "output": towers.TEXT_OUTPUT,
            "vocabulary": os.path.basename(DEFAULT_VOCABULARY),
            "contextLength": text["contextLength"],
            "padId": text["padId"],
            "startId": text["startId"],
            "endId": text["endId"],
            "dynamicLength": facts["textDynamicLength"],
        },
        "files": hashes,
        "source": source,
        "export": {
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tool": "msclip-bench adapters/export/export.py (torch.onnx dynamo)",
            "torch": torch.__version__,
            "openClip": open_clip.__version__,
            "onnxruntime": onnxruntime.__version__,
            "tolerance": tolerance,
            "maxAbsDiff": differences,
        },
    }
    with open(os.path.join(folder, "bundle.json"), "w", encoding="utf8") as handle:
        json.dump(manifest, handle, indent=2)
        handle.write("\n")
    return manifest


def swap_into_place(staging: str, out: str) -> None:
    """Replace `out` by `staging` with renames only, so readers never see half a bundle."""
    retired = None
    if os.path.exists(out):
        retired = f"{out}.old-{os.getpid()}"
        os.rename(out, retired)
    os.rename(staging, out)
    if retired:
        shutil.rmtree(retired, ignore_errors=True)


def export_bundle(entry: dict, arguments, resolved) -> dict:
    """`resolved`: (checkpoint file, manifest source) from step 1, or None for --seed."""
    from models import load_model, model_facts, write_random_checkpoint
    import towers

    out = os.path.abspath(arguments.out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    staging = f"{out}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(staging)
    try:
        # Steps 1-2.
        if arguments.seed is not None:
            checkpoint = os.path.join(staging, "random-checkpoint.pt")
            write_random_checkpoint(entry, arguments.seed, checkpoint)
            source = {"kind": "random", "seed": arguments.seed}
        else:
            checkpoint, source = resolved
        log(f"loading {checkpoint}")
        model = load_model(entry, checkpoint)
        if arguments.seed is not None:
            os.remove(checkpoint)
        # Step 3.
        facts = model_facts(model)
        check_entry_against_model(entry, facts, arguments.vocabulary)
        facts["opset"] = towers.OPSET
        # Step 4.
        channels, size, context = facts["channels"], facts["imageSize"], facts["contextLength"]
        full_text_tower = towers.TextTower(model)
        fixed_reason = "--text-length fixed" if arguments.text_length == "fixed" else towers.prefix_text_unsupported(model)
        facts["textDynamicLength"] = fixed_reason is None
        image_tower = towers.ImageTower(model)
        text_tower = towers.PrefixTextTower(model) if facts["textDynamicLength"] else full_text_tower
        log(f"exporting the image tower ({entry['architecture']}, {channels} bands, {size}px)")
        files = towers.export_tower(image_tower, towers.sample_images(channels, size, 2, seed=7), towers.IMAGE_INPUT, towers.IMAGE_OUTPUT, os.path.join(staging, "image.onnx"), arguments.external_data)
        # An end-of-text token needs a start token before it: rows have at least 2 positions.
        sequence_range = (2, context) if facts["textDynamicLength"] else None
        if sequence_range:
            log(f"exporting the text tower (ids of length 2..{context}: it is causal and pools at the end-of-text token)")
        else:
            log(f"exporting the text tower (ids of length {context}: {fixed_reason})")
        tokens = towers.sample_token_ids(context)
        files += towers.export_tower(text_tower, tokens[:2], towers.TEXT_INPUT, towers.TEXT_OUTPUT, os.path.join(staging, "text.onnx"), arguments.external_data, sequence_range)
        # Step 5.
        log("verifying the ONNX towers against torch")
        text_file = os.path.join(staging, "text.onnx")
        differences = {
            "image": towers.verify_tower(image_tower, os.path.join(staging, "image.onnx"), towers.IMAGE_INPUT, [towers.sample_images(channels, size, 3), towers.sample_images(channels, size, 1, seed=1)]),
            "text": towers.verify_tower(text_tower, text_file, towers.TEXT_INPUT, [tokens, tokens[2:3]]),
        }
        if facts["textDynamicLength"]:
            # Cut rows (the shortest possible one included) against torch's full-context features.
            cut_batches = [tokens, tokens[:4], tokens[1:2], tokens[[0, 3]], towers.sample_token_ids(context, [""])]
            cut = towers.verify_tower(text_tower, text_file, towers.TEXT_INPUT, cut_batches, reference=full_text_tower, pad_id=entry["text"]["padId"])
            differences["text"] = max(differences["text"], cut)
        log(f"max abs difference of L2-normalised embeddings: image {differences['image']:.2e}, text {differences['text']:.2e}")
        for tower, difference in differences.items():
            if not difference <= arguments.tolerance:
                raise ExportError(
                    f"the exported {tower} tower of {entry['name']} differs from torch by {difference:.3g} (max abs, L2-normalised; "
                    f"tolerance {arguments.tolerance:g}): bundle not written"
                )
        facts["embeddingSize"] = int(model.visual.output_dim)
        # Step 6.
        shutil.copyfile(arguments.vocabulary, os.path.join(staging, os.path.basename(DEFAULT_VOCABULARY)))
        files.append(os.path.basename(DEFAULT_VOCABULARY))
        manifest = write_manifest(entry, staging, source, facts, differences, files, arguments.tolerance)
        swap_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log(f"wrote {out}")
    return {"bundle": out, "maxAbsDiff": manifest["export"]["maxAbsDiff"], "source": manifest["source"]}


def write_reference_embeddings(entry: dict, arguments) -> dict:
    """torch's L2-normalised embeddings for given images and prompts (parity tests)."""
    import numpy as np
    import open_clip
    import torch
    from models import load_model, model_facts, write_random_checkpoint

    os.makedirs(arguments.embed_out, exist_ok=True)
    if arguments.seed is not None:
        checkpoint = os.path.join(arguments.embed_out, f"random-checkpoint-{os.getpid()}.pt")
        write_random_checkpoint(entry, arguments.seed, checkpoint)
        model = load_model(entry, checkpoint)
        os.remove(checkpoint)
    else:
        model = load_model(entry, resolve_checkpoint(entry, arguments.checkpoint)[0])
    facts = model_facts(model)
    written = {}
    with torch.no_grad():
        if arguments.embed_images:
            pixels = np.fromfile(arguments.embed_images, dtype="<f4")
            per_image = facts["channels"] * facts["imageSize"] ** 2
            if pixels.size % per_image:
                raise ExportError(f"{arguments.embed_images} does not hold whole {facts['channels']}x{facts['imageSize']}x{facts['imageSize']} images")
            images = torch.from_numpy(pixels.reshape(-1, facts["channels"], facts["imageSize"], facts["imageSize"]).copy())
            features = torch.nn.functional.normalize(model.encode_image(images), dim=-1)
            features.numpy().astype("<f4").tofile(os.path.join(arguments.embed_out, "image-embeddings.f32"))
            written["images"] = int(images.shape[0])
        if arguments.embed_texts:
            with open(arguments.embed_texts, encoding="utf8") as handle:
                prompts = json.load(handle)
            tokens = open_clip.get_tokenizer(entry["architecture"])(prompts)
            features = torch.nn.functional.normalize(model.encode_text(tokens), dim=-1)
            features.numpy().astype("<f4").tofile(os.path.join(arguments.embed_out, "text-embeddings.f32"))
            tokens.numpy().astype("<i8").tofile(os.path.join(arguments.embed_out, "token-ids.i64"))
            written["texts"] = len(prompts)
    return {"embeddingSize": facts["embeddingSize"], **written}


def main(argv) -> int:
    global RESULT_STREAM
    arguments = parse_arguments(argv)
    # Libraries print progress on stdout; keep stdout for the one result line.
    RESULT_STREAM, sys.stdout = sys.stdout, sys.stderr
    try:
        entry = load_entry(arguments.model_json)
        if arguments.write_random_checkpoint:
            if arguments.seed is None:
                raise ExportError("--write-random-checkpoint needs --seed N")
            import_torch_stack()
            from models import write_random_checkpoint

            write_random_checkpoint(entry, arguments.seed, arguments.write_random_checkpoint)
            result = {"checkpoint": os.path.abspath(arguments.write_random_checkpoint)}
        elif arguments.embed_out:
            import_torch_stack()
            result = write_reference_embeddings(entry, arguments)
        else:
            if not arguments.out:
                raise ExportError("--out DIR is required")
            # Step 1 before torch loads: a missing network must fail fast.
            resolved = None if arguments.seed is not None else resolve_checkpoint(entry, arguments.checkpoint)
            import_torch_stack()
            result = export_bundle(entry, arguments, resolved)
    except ExportError as error:
        message = str(error).replace("\n", " ")
        print(f"error: {message}", file=sys.stderr, flush=True)
        print(json.dumps({"ok": False, "code": error.code, "message": message}), file=RESULT_STREAM, flush=True)
        return 2
    print(json.dumps({"ok": True, **result}), file=RESULT_STREAM, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
