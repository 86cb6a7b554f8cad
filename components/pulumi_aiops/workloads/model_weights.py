#!/usr/bin/env python3
"""Model weights: fetch a registry version into a cache, verify it against its manifest, publish.

This file is shipped verbatim to the cluster in a ConfigMap and runs in the vLLM image's
``python3`` (standard library; ``boto3`` only for ``fetch`` and ``publish``). It imports nothing
from ``pulumi_aiops``. Commands::

    model_weights.py verify  --manifest M --dir D [--manifest-sha256 X] [--allow-extra]
    model_weights.py fetch   --manifest M --dir D --bucket B --prefix P [--endpoint-url U]
                             [--pod-identity-uri URI --pod-identity-token-file F]
    model_weights.py publish --manifest M --dir D --bucket B --prefix P [--endpoint-url U] [--upload-manifest]

A manifest (JSON) names a model version and lists every file with its size and SHA-256::

    {"schema": "aiops.io/model-manifest/v1", "name": "qwen2.5-0.5b-instruct", "version": "1",
     "source": {"type": "huggingface", "repo": "Qwen/Qwen2.5-0.5B-Instruct", "revision": "7ae5…"},
     "license": "apache-2.0", "intendedUse": "…",
     "files": [{"path": "config.json", "sizeBytes": 659, "sha256": "18e1…"}, …]}

``verify`` exits 0 when every file listed is a regular file of the listed size and digest and no
other file is present (``--allow-extra`` permits others), 1 on any mismatch (one line per problem
on stderr, naming the file, the digest found and the digest expected), 2 on a usage error or an
unreadable manifest. With ``--manifest-sha256`` the manifest's own bytes must hash to that value
first (the pod template pins it, so a manifest changed after deployment is refused too).

``fetch`` downloads the files missing or wrong in ``--dir`` from ``s3://B/P<file>``, hashing as it
streams; a file is moved into place (atomic rename) only once its digest matches, so a cache shared
by several pods never exposes a partial or corrupt file. ``publish`` verifies a local directory and
uploads it (the sync job's last step).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

SCHEMA = "aiops.io/model-manifest/v1"
#: Files the tools write beside the weights; ``verify`` ignores them.
OWN_FILES = frozenset({".aiops-manifest.json"})
PARTIAL_DIR = ".aiops-partial"
_CHUNK = 8 * 1024 * 1024
_HEX64 = re.compile(r"^[0-9a-f]{64}$")

EXIT_OK, EXIT_MISMATCH, EXIT_USAGE = 0, 1, 2


class ManifestError(Exception):
    """The manifest cannot be read or is malformed (exit 2)."""


@dataclass(frozen=True)
class FileEntry:
    path: str
    size_bytes: int
    sha256: str


def canonical_manifest(manifest: dict[str, Any]) -> bytes:
    """The bytes a manifest is stored and hashed as: JSON, sorted keys, two-space indent, newline."""
    return (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _safe_relative(path: str) -> bool:
    p = PurePosixPath(path)
    return (bool(path) and not p.is_absolute() and ".." not in p.parts and "\\" not in path
            and p.parts[0] not in (PARTIAL_DIR,) and path not in OWN_FILES)


def load_manifest(path: Path, expected_sha256: str | None = None) -> tuple[dict[str, Any], list[FileEntry]]:
    """Read and check a manifest file; raise :class:`ManifestError` when it is unusable."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ManifestError(f"cannot read manifest {path}: {exc.strerror or exc}") from None
    if expected_sha256 is not None:
        got = sha256_bytes(raw)
        if got != expected_sha256:
            raise ManifestError(f"manifest {path} has sha256 {got}, but the pod template pins {expected_sha256}: "
                                "the manifest changed after deployment")
    try:
        doc = json.loads(raw)
    except ValueError as exc:
        raise ManifestError(f"manifest {path} is not JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise ManifestError(f"manifest {path} is not a {SCHEMA} document")
    files = doc.get("files")
    if not isinstance(files, list) or not files:
        raise ManifestError(f"manifest {path} lists no files")
    out: list[FileEntry] = []
    seen: set[str] = set()
    for i, f in enumerate(files):
        if not isinstance(f, dict):
            raise ManifestError(f"manifest {path}: files[{i}] is not an object")
        p, size, digest = f.get("path"), f.get("sizeBytes"), f.get("sha256")
        if not isinstance(p, str) or not _safe_relative(p):
            raise ManifestError(f"manifest {path}: files[{i}].path {p!r} is not a safe relative path")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ManifestError(f"manifest {path}: files[{i}].sizeBytes {size!r} is not a byte count")
        if not isinstance(digest, str) or not _HEX64.match(digest):
            raise ManifestError(f"manifest {path}: files[{i}].sha256 {digest!r} is not 64 lowercase hex digits")
        if p in seen:
            raise ManifestError(f"manifest {path}: {p!r} is listed twice")
        seen.add(p)
        out.append(FileEntry(p, size, digest))
    return doc, out


def _label(doc: dict[str, Any]) -> str:
    return f"{doc.get('name', '?')}@{doc.get('version', '?')}"


def hash_file(path: Path) -> tuple[int, str]:
    """``(size, sha256)`` of a file, read in chunks."""
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


def check_file(root: Path, entry: FileEntry) -> str | None:
    """``None`` when ``root/entry.path`` matches the entry, else what is wrong."""
    target = root / entry.path
    if target.is_symlink():
        return f"{entry.path}: is a symbolic link; the cache must hold regular files"
    if not target.exists():
        return f"{entry.path}: missing"
    if not target.is_file():
        return f"{entry.path}: is not a regular file"
    actual = target.stat().st_size
    if actual != entry.size_bytes:
        return f"{entry.path}: {actual} bytes, the manifest says {entry.size_bytes}"
    _, digest = hash_file(target)
    if digest != entry.sha256:
        return f"{entry.path}: sha256 {digest} does not match the manifest's {entry.sha256}"
    return None


def _walk(root: Path) -> Iterator[str]:
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        if rel_dir.parts[:1] == (PARTIAL_DIR,):
            dirnames[:] = []
            continue
        dirnames[:] = [d for d in dirnames if not (rel_dir == Path(".") and d == PARTIAL_DIR)]
        for name in filenames:
            yield (rel_dir / name).as_posix()


def verify(root: Path, entries: list[FileEntry], *, allow_extra: bool = False, workers: int = 8) -> list[str]:
    """Every problem found in ``root`` against ``entries`` (empty when it matches)."""
    if not root.is_dir():
        return [f"{root}: the model directory does not exist"]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        problems = [p for p in pool.map(lambda e: check_file(root, e), entries) if p]
    if not allow_extra:
        listed = {e.path for e in entries}
        for rel in sorted(_walk(root)):
            if rel not in listed and rel not in OWN_FILES:
                problems.append(f"{rel}: is not listed in the manifest (an unexpected file in the model directory)")
    return problems


# -- S3 (AWS S3, CoreWeave AI Object Storage) -------------------------------------------------
def _s3_client(endpoint_url: str | None, addressing_style: str | None) -> Any:
    import boto3  # the vLLM image ships boto3; only fetch and publish need it
    from botocore.config import Config

    cfg = Config(s3={"addressing_style": addressing_style} if addressing_style else {},
                 retries={"max_attempts": 10, "mode": "adaptive"})
    return boto3.client("s3", endpoint_url=endpoint_url or None, config=cfg)


def _key(prefix: str, path: str) -> str:
    return f"{prefix.rstrip('/')}/{path}" if prefix else path


def fetch_file(client: Any, bucket: str, prefix: str, root: Path, entry: FileEntry) -> str | None:
    """Download one file unless it is already right; ``None`` on success, else the problem."""
    if check_file(root, entry) is None:
        return None
    partial = root / PARTIAL_DIR / f"{entry.path}.{os.getpid()}"
    partial.parent.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    size = 0
    try:
        body = client.get_object(Bucket=bucket, Key=_key(prefix, entry.path))["Body"]
        with partial.open("wb") as out:
            for chunk in iter(lambda: body.read(_CHUNK), b""):
                h.update(chunk)
                size += len(chunk)
                out.write(chunk)
    except Exception as exc:  # the client's errors vary; report and let the pod restart
        partial.unlink(missing_ok=True)
        return f"{entry.path}: download of s3://{bucket}/{_key(prefix, entry.path)} failed: {exc}"
    digest = h.hexdigest()
    if size != entry.size_bytes or digest != entry.sha256:
        partial.unlink(missing_ok=True)
        return (f"{entry.path}: the registry object s3://{bucket}/{_key(prefix, entry.path)} has {size} bytes and "
                f"sha256 {digest}; the manifest says {entry.size_bytes} bytes and {entry.sha256}: the registry "
                "holds a corrupt or substituted file (re-run the sync job)")
    target = root / entry.path
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(partial, target)
    return None


def fetch(client: Any, bucket: str, prefix: str, root: Path, entries: Iterable[FileEntry],
          workers: int = 8) -> list[str]:
    root.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        problems = [p for p in pool.map(lambda e: fetch_file(client, bucket, prefix, root, e), list(entries)) if p]
    partial = root / PARTIAL_DIR
    # Empty directories only: another pod's download in progress stays.
    for d in [*sorted((p for p in partial.rglob("*") if p.is_dir()), reverse=True), partial]:
        with contextlib.suppress(OSError):
            d.rmdir()
    return problems


def publish(client: Any, bucket: str, prefix: str, root: Path, entries: list[FileEntry],
            manifest_bytes: bytes | None = None) -> list[str]:
    problems = verify(root, entries, allow_extra=True)
    if problems:
        return problems
    for e in entries:
        with (root / e.path).open("rb") as fh:
            client.put_object(Bucket=bucket, Key=_key(prefix, e.path), Body=fh)
    if manifest_bytes is not None:
        client.put_object(Bucket=bucket, Key=_key(prefix, "manifest.json"), Body=manifest_bytes,
                          ContentType="application/json")
    return []


# -- command line -----------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="model_weights.py", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    for name in ("verify", "fetch", "publish"):
        s = sub.add_parser(name)
        s.add_argument("--manifest", required=True, type=Path)
        s.add_argument("--dir", required=True, type=Path, dest="root")
        s.add_argument("--manifest-sha256", default=None)
        s.add_argument("--workers", type=int, default=8)
        if name == "verify":
            s.add_argument("--allow-extra", action="store_true")
        else:
            s.add_argument("--bucket", required=True)
            s.add_argument("--prefix", required=True)
            s.add_argument("--endpoint-url", default=os.environ.get("AIOPS_REGISTRY_ENDPOINT") or None)
            s.add_argument("--addressing-style", default=os.environ.get("AIOPS_REGISTRY_ADDRESSING") or None)
            # EKS Pod Identity for this process only (the server's pod mounts the token for this container).
            s.add_argument("--pod-identity-uri", default=None)
            s.add_argument("--pod-identity-token-file", default=None)
        if name == "publish":
            s.add_argument("--upload-manifest", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on a usage error
        return int(exc.code or 0)
    try:
        doc, entries = load_manifest(args.manifest, args.manifest_sha256)
    except ManifestError as exc:
        print(f"model-weights: {exc}", file=sys.stderr)
        return EXIT_USAGE
    label = _label(doc)
    if args.command != "verify" and args.pod_identity_uri and args.pod_identity_token_file:
        # What botocore's container credential provider reads (EKS Pod Identity).
        os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = args.pod_identity_uri
        os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = args.pod_identity_token_file
    if args.command == "verify":
        problems = verify(args.root, entries, allow_extra=args.allow_extra, workers=args.workers)
    elif args.command == "fetch":
        client = _s3_client(args.endpoint_url, args.addressing_style)
        problems = fetch(client, args.bucket, args.prefix, args.root, entries, workers=args.workers)
        if not problems:
            (args.root / ".aiops-manifest.json").write_bytes(args.manifest.read_bytes())
    else:
        client = _s3_client(args.endpoint_url, args.addressing_style)
        raw = args.manifest.read_bytes() if args.upload_manifest else None
        problems = publish(client, args.bucket, args.prefix, args.root, entries, raw)
    if problems:
        for p in problems:
            print(f"model-weights: {label}: {p}", file=sys.stderr)
        print(f"model-weights: {label}: {args.command} FAILED ({len(problems)} problem(s)) in {args.root}",
              file=sys.stderr)
        return EXIT_MISMATCH
    total = sum(e.size_bytes for e in entries)
    print(f"model-weights: {label}: {args.command} OK, {len(entries)} file(s), {total} bytes in {args.root}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
