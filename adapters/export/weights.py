"""Where a bundle's weights come from: a local file, or a download of the public checkpoint.

Downloads go through huggingface_hub (its cache, its progress bars on stderr) or, for
checkpoints published outside the hub (SkyCLIP), a plain HTTPS download into
~/.cache/msclip-bench. A cached file is used without touching the network. Before a
download, the host is probed with a short timeout so that a machine without network
fails in about a second with one line saying how to proceed, instead of retrying.
This module imports neither torch nor open_clip, so that failure comes fast.
"""
import hashlib
import os
import shutil
import socket
import sys
import threading
import time
import urllib.parse
import urllib.request
import zipfile

from errors import ExportError

PROBE_TIMEOUT_SECONDS = 5.0


def log(message: str) -> None:
    print(f"[export] {message}", file=sys.stderr, flush=True)


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def host_reachable(url: str, timeout: float = PROBE_TIMEOUT_SECONDS) -> bool:
    """TCP connect to the URL's host; DNS has no timeout of its own, hence the thread."""
    parsed = urllib.parse.urlparse(url)
    host = parsed.hostname or ""
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    outcome = {"ok": False}

    def connect() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                outcome["ok"] = True
        except OSError:
            pass

    thread = threading.Thread(target=connect, daemon=True)
    thread.start()
    thread.join(timeout)
    return outcome["ok"]


def _export_command(entry: dict) -> str:
    return f"npm run export -- --model {entry['name']} --checkpoint FILE"


def _hf_endpoint() -> str:
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


def download_from_hub(entry: dict, repo: str, filenames: list) -> tuple:
    """First of `filenames` in `repo` (cache first, then network). Returns (path, filename)."""
    from huggingface_hub import hf_hub_download

    for filename in filenames:
        try:
            return hf_hub_download(repo_id=repo, filename=filename, local_files_only=True), filename
        except Exception:  # not cached (LocalEntryNotFoundError and friends)
            pass
    wanted = f"{repo}/{filenames[-1]}"
    url = f"{_hf_endpoint()}/{repo}/resolve/main/{filenames[-1]}"
    if os.environ.get("HF_HUB_OFFLINE") == "1" or not host_reachable(_hf_endpoint()):
        raise ExportError(
            f"cannot download {wanted} (no network: {urllib.parse.urlparse(_hf_endpoint()).hostname} unreachable): "
            f"download {url} elsewhere and run: {_export_command(entry)}"
        )
    last_error = None
    for filename in filenames:
        log(f"downloading {repo}/{filename} from the Hugging Face hub ...")
        try:
            return hf_hub_download(repo_id=repo, filename=filename), filename
        except Exception as error:  # 404 for the safetensors variant, or a network failure
            last_error = error
    first = str(last_error).strip().splitlines()[0] if last_error else "unknown error"
    raise ExportError(f"cannot download {wanted} ({first}): download {url} elsewhere and run: {_export_command(entry)}")


def _cache_root() -> str:
    base = os.environ.get("MSCLIP_CACHE") or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "msclip-bench")
    os.makedirs(base, exist_ok=True)
    return base


def _download_url(url: str, target: str) -> None:
    temporary = f"{target}.part-{os.getpid()}"
    started = last = time.monotonic()
    with urllib.request.urlopen(url, timeout=60) as response, open(temporary, "wb") as out:
        total = int(response.headers.get("Content-Length") or 0)
        done = 0
        while True:
            block = response.read(1 << 20)
            if not block:
                break
            out.write(block)
            done += len(block)
            now = time.monotonic()
            if now - last >= 2 or done == total:
                last = now
                share = f"{100 * done / total:5.1f}% of {total / 1e6:.0f} MB" if total else f"{done / 1e6:.0f} MB"
                log(f"downloading {os.path.basename(url)}: {share} ({done / 1e6 / max(now - started, 1e-3):.1f} MB/s)")
    os.replace(temporary, target)


def download_zip_member(entry: dict, url: str, member: str) -> str:
    """`member` (a path suffix) of the zip at `url`, extracted once into the cache."""
    folder = os.path.join(_cache_root(), hashlib.sha256(url.encode()).hexdigest()[:16])
    target = os.path.join(folder, os.path.basename(member))
    if os.path.isfile(target):
        return target
    if not host_reachable(url):
        raise ExportError(
            f"cannot download {url} (no network: {urllib.parse.urlparse(url).hostname} unreachable): "
            f"download it elsewhere, unzip it and run: {_export_command(entry)} with FILE = its {member}"
        )
    os.makedirs(folder, exist_ok=True)
    archive = os.path.join(folder, os.path.basename(urllib.parse.urlparse(url).path))
    try:
        if not os.path.isfile(archive):
            log(f"downloading {url} ...")
            _download_url(url, archive)
        with zipfile.ZipFile(archive) as bundle:
            names = [name for name in bundle.namelist() if name.endswith(member)]
            if not names:
                raise ExportError(f"{url} holds no {member}: download it elsewhere and run: {_export_command(entry)}")
            with bundle.open(names[0]) as source, open(f"{target}.part", "wb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
            os.replace(f"{target}.part", target)
    except (OSError, zipfile.BadZipFile) as error:
        raise ExportError(f"cannot download {url} ({error}): download it elsewhere, unzip it and run: {_export_command(entry)}") from error
    os.remove(archive)
    return target


PROJECT_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def recorded_path(path: str) -> str:
    """A checkpoint path for the manifest: relative when inside the project (committed
    bundles must not carry one machine's absolute paths), absolute otherwise."""
    inside = os.path.commonpath([PROJECT_ROOT, path]) == PROJECT_ROOT
    return os.path.relpath(path, PROJECT_ROOT) if inside else path


def resolve_checkpoint(entry: dict, checkpoint) -> tuple:
    """(local checkpoint file, manifest `source`) for an entry and an optional --checkpoint."""
    weights = entry["weights"]
    if checkpoint:
        path = os.path.abspath(checkpoint)
        if not os.path.isfile(path):
            raise ExportError(f"checkpoint {checkpoint} not found")
        kind = "demo" if entry["family"] == "demo" else "checkpoint"
        return path, {"kind": kind, "checkpoint": recorded_path(path), "checkpointSha256": sha256_of(path)}
    kind = weights["kind"]
    if kind == "huggingface":
        path, filename = download_from_hub(entry, weights["repo"], [weights["file"]])
        return path, {"kind": "huggingface", "repo": weights["repo"], "file": filename, "checkpointSha256": sha256_of(path)}
    if kind == "open_clip":
        # The files open_clip's own download_pretrained_from_hf tries, in its order.
        path, filename = download_from_hub(entry, weights["repo"], ["open_clip_model.safetensors", "open_clip_pytorch_model.bin"])
        return path, {
            "kind": "open_clip",
            "pretrained": weights["pretrained"],
            "repo": weights["repo"],
            "file": filename,
            "checkpointSha256": sha256_of(path),
        }
    if kind == "url":
        path = download_zip_member(entry, weights["url"], weights["member"])
        return path, {"kind": "url", "url": weights["url"], "file": weights["member"], "checkpointSha256": sha256_of(path)}
    if kind == "local":
        path = weights["path"] if os.path.isabs(weights["path"]) else os.path.join(os.path.dirname(__file__), "..", "..", weights["path"])
        if not os.path.isfile(path):
            raise ExportError(f"{entry['name']} has no checkpoint at {weights['path']}: {weights.get('hint', 'pass --checkpoint FILE')}")
        path = os.path.abspath(path)
        return path, {"kind": "demo" if entry["family"] == "demo" else "checkpoint", "checkpoint": recorded_path(path), "checkpointSha256": sha256_of(path)}
    if kind == "unpublished":
        raise ExportError(f"{entry['name']} has no published weights: {weights.get('hint') or 'pass --checkpoint FILE'} ({_export_command(entry)})")
    raise ExportError(f"unknown weights kind {kind!r} for {entry['name']}")
