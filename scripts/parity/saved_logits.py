"""msclip-bench result records and the logits/targets `--save-logits` writes beside them."""
import json
from pathlib import Path

import numpy as np


def record_files(paths):
    for path in map(Path, paths):
        candidates = sorted(path.rglob("*.json")) if path.is_dir() else [path]
        for candidate in candidates:
            try:
                record = json.loads(candidate.read_text())
            except (ValueError, UnicodeDecodeError):
                continue
            if isinstance(record, dict) and "schema" in record and "task" in record:
                yield candidate, record


def saved_array(record_path, kind):
    for candidate in (Path(f"{record_path}.{kind}.npy"), record_path.with_suffix(f".{kind}.npy")):
        if candidate.exists():
            return np.load(candidate)
    raise FileNotFoundError(f"{record_path}: no {kind}.npy beside it (run npm run evaluate with --save-logits)")
