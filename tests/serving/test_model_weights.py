"""The registry tool (``model_weights.py``) run for real: the exact text a server ships in its
``<server>-weights-tool`` ConfigMap, on file trees the tests make, against the manifest the server's
manifest ConfigMap holds. ``verify`` runs as the init container runs it (``python3 model_weights.py
verify …``, a subprocess); ``fetch`` and ``publish`` talk to an in-process S3 (moto)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from pulumi_aiops.config.serving import ModelVersionConfig
from pulumi_aiops.workloads.model_server import weights_tool_source

FILES = {"config.json": b'{"model_type": "qwen2"}\n', "tokenizer.json": b'{"version": "1.0"}\n',
         "model.safetensors": bytes(range(256)) * 64, "sub/extra_weights.bin": b"\x00\x01" * 1000}


def _version(files: dict[str, bytes] = FILES, version: str = "1") -> ModelVersionConfig:
    return ModelVersionConfig.model_validate({
        "name": "tiny", "version": version,
        "source": {"huggingFace": {"repo": "acme/tiny", "revision": "0" * 40}},
        "license": "apache-2.0", "intendedUse": "tests",
        "files": [{"path": p, "sizeBytes": len(b), "sha256": hashlib.sha256(b).hexdigest()} for p, b in files.items()]})


def _tree(root: Path, files: dict[str, bytes] = FILES) -> Path:
    for p, b in files.items():
        (root / p).parent.mkdir(parents=True, exist_ok=True)
        (root / p).write_bytes(b)
    return root


@pytest.fixture
def tool(tmp_path: Path) -> Path:
    """The tool as the ConfigMap ships it."""
    path = tmp_path / "tool" / "model_weights.py"
    path.parent.mkdir()
    path.write_text(weights_tool_source())
    return path


@pytest.fixture
def manifest(tmp_path: Path) -> tuple[Path, str]:
    m = _version()
    path = tmp_path / "etc" / "manifest.json"
    path.parent.mkdir()
    path.write_bytes(m.manifest_bytes())
    return path, m.manifest_sha256()


def _run(tool: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(tool), *args], capture_output=True, text=True, timeout=120)


def _verify(tool: Path, manifest: tuple[Path, str], root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return _run(tool, "verify", "--manifest", str(manifest[0]), "--manifest-sha256", manifest[1],
                "--dir", str(root), *extra)


def test_a_matching_tree_verifies(tool: Path, manifest: tuple[Path, str], tmp_path: Path) -> None:
    root = _tree(tmp_path / "models" / "tiny" / "1")
    done = _verify(tool, manifest, root)
    assert done.returncode == 0, done.stderr
    assert "verify OK, 4 file(s)" in done.stdout


def test_a_changed_byte_fails_the_pod_naming_the_file_and_both_digests(
        tool: Path, manifest: tuple[Path, str], tmp_path: Path) -> None:
    root = _tree(tmp_path / "m")
    data = bytearray(FILES["model.safetensors"])
    data[1000] ^= 0x01  # same size, one bit flipped
    (root / "model.safetensors").write_bytes(bytes(data))
    done = _verify(tool, manifest, root)
    assert done.returncode == 1
    expected = hashlib.sha256(FILES["model.safetensors"]).hexdigest()
    got = hashlib.sha256(bytes(data)).hexdigest()
    assert (f"model-weights: tiny@1: model.safetensors: sha256 {got} does not match the manifest's {expected}"
            in done.stderr)
    assert "verify FAILED (1 problem(s))" in done.stderr


@pytest.mark.parametrize(("change", "message"), [
    (lambda r: (r / "tokenizer.json").unlink(), "tokenizer.json: missing"),
    (lambda r: (r / "config.json").write_bytes(b"{}"), "config.json: 2 bytes, the manifest says 24"),
    (lambda r: (r / "trojan.py").write_text("import os"),
     "trojan.py: is not listed in the manifest (an unexpected file in the model directory)"),
    (lambda r: ((r / "config.json").unlink(), (r / "config.json").symlink_to(r / "tokenizer.json")),
     "config.json: is a symbolic link; the cache must hold regular files"),
])
def test_each_kind_of_difference_is_refused(tool: Path, manifest: tuple[Path, str], tmp_path: Path,
                                            change: Any, message: str) -> None:
    root = _tree(tmp_path / "m")
    change(root)
    done = _verify(tool, manifest, root)
    assert done.returncode == 1, done.stdout
    assert f"model-weights: tiny@1: {message}" in done.stderr


def test_a_manifest_changed_after_deployment_is_refused(tool: Path, manifest: tuple[Path, str],
                                                        tmp_path: Path) -> None:
    root = _tree(tmp_path / "m")
    doc = json.loads(manifest[0].read_bytes())
    doc["files"][0]["sha256"] = "f" * 64
    manifest[0].write_text(json.dumps(doc))
    done = _verify(tool, manifest, root)
    assert done.returncode == 2
    assert "but the pod template pins" in done.stderr and manifest[1] in done.stderr


def test_a_malformed_manifest_is_a_usage_error(tool: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema": "aiops.io/model-manifest/v1", "files": [
        {"path": "../../etc/passwd", "sizeBytes": 1, "sha256": "a" * 64}]}))
    done = _run(tool, "verify", "--manifest", str(bad), "--dir", str(tmp_path))
    assert done.returncode == 2
    assert "'../../etc/passwd' is not a safe relative path" in done.stderr


def test_the_shipped_server_verifies_what_its_configmaps_hold(tmp_path: Path) -> None:
    """The tool and the manifest exactly as the serving stack's chat-small server ships them, and the
    command its verify-weights init container runs, on a tree whose files match the manifest."""
    from stack_plans import planned

    graph = planned("serving").graph
    tool_cm = graph.named("eks-chat-small-weights-tool").inputs["data"]["model_weights.py"]
    manifest_cm = graph.named("eks-chat-small-model-manifest").inputs["data"]["manifest.json"]
    assert tool_cm == weights_tool_source()
    pod = graph.named("eks-chat-small-deployment").inputs["spec"]["template"]["spec"]
    verify = next(c for c in pod["initContainers"] if c["name"] == "verify-weights")
    (tool_dir,) = [m["mountPath"] for m in verify["volumeMounts"] if m["name"] == "weights-tool"]
    (manifest_dir,) = [m["mountPath"] for m in verify["volumeMounts"] if m["name"] == "manifest"]
    doc = json.loads(manifest_cm)
    # The real model is ~1 GB: the test builds a tree for a manifest of the same shape with small
    # files, and checks the shipped manifest's own pin with the shipped command line.
    tool = tmp_path / tool_dir.lstrip("/") / "model_weights.py"
    tool.parent.mkdir(parents=True)
    tool.write_text(tool_cm)
    mdir = tmp_path / manifest_dir.lstrip("/")
    mdir.mkdir(parents=True)
    (mdir / "manifest.json").write_text(manifest_cm)
    args = [a.replace(tool_dir, str(tool.parent)).replace(manifest_dir, str(mdir)) for a in verify["command"][1:]]
    pinned = args[args.index("--manifest-sha256") + 1]
    assert pinned == hashlib.sha256(manifest_cm.encode()).hexdigest()
    root = Path(args[args.index("--dir") + 1].replace("/models", str(tmp_path / "models"), 1))
    small = {f["path"]: f["path"].encode() * 3 for f in doc["files"]}
    _tree(root, small)
    args[args.index("--dir") + 1] = str(root)
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120)
    # Small stand-ins cannot carry the real digests: every file is reported, none is accepted.
    assert done.returncode == 1
    assert all(f"{f['path']}: {len(small[f['path']])} bytes, the manifest says {f['sizeBytes']}" in done.stderr
               for f in doc["files"])
    # With the manifest pin broken the same command refuses before hashing anything.
    (mdir / "manifest.json").write_text(manifest_cm.replace("apache-2.0", "mit"))
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "the manifest changed after deployment" in done.stderr


# -- fetch and publish against S3 (moto) --------------------------------------------------------
@pytest.fixture
def module(tool: Path, monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    mod = types.ModuleType("model_weights_under_test")
    monkeypatch.setitem(sys.modules, mod.__name__, mod)  # dataclasses resolve annotations through it
    exec(compile(tool.read_text(), str(tool), "exec"), mod.__dict__)  # the shipped text, not the package
    return mod


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Any:
    import boto3
    from moto import mock_aws

    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(k, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="registry")
        yield client


def test_publish_then_fetch_round_trips_and_skips_what_is_already_right(
        module: types.ModuleType, s3: Any, tmp_path: Path) -> None:
    m = _version()
    _doc, entries = module.load_manifest(_write(tmp_path / "manifest.json", m.manifest_bytes()))
    src = _tree(tmp_path / "src")
    assert module.publish(s3, "registry", "models/tiny/1/", src, entries, m.manifest_bytes()) == []
    assert s3.get_object(Bucket="registry", Key="models/tiny/1/manifest.json")["Body"].read() == m.manifest_bytes()
    cache = tmp_path / "cache" / "tiny" / "1"
    assert module.fetch(s3, "registry", "models/tiny/1/", cache, entries) == []
    assert module.verify(cache, entries) == []
    assert not list((cache / module.PARTIAL_DIR).rglob("*"))  # nothing half-written left behind
    # A second pod on the same shared cache downloads nothing (the objects could even be gone).
    s3.delete_object(Bucket="registry", Key="models/tiny/1/model.safetensors")
    assert module.fetch(s3, "registry", "models/tiny/1/", cache, entries) == []


def test_a_corrupt_registry_object_never_reaches_the_cache(module: types.ModuleType, s3: Any, tmp_path: Path) -> None:
    m = _version()
    _, entries = module.load_manifest(_write(tmp_path / "manifest.json", m.manifest_bytes()))
    for p, b in FILES.items():
        s3.put_object(Bucket="registry", Key=f"models/tiny/1/{p}", Body=b)
    s3.put_object(Bucket="registry", Key="models/tiny/1/tokenizer.json", Body=b'{"version": "EVIL"}\n')
    cache = tmp_path / "cache"
    problems = module.fetch(s3, "registry", "models/tiny/1/", cache, entries)
    assert len(problems) == 1 and problems[0].startswith(
        "tokenizer.json: the registry object s3://registry/models/tiny/1/tokenizer.json has 20 bytes and sha256 ")
    assert not (cache / "tokenizer.json").exists()
    assert (cache / "model.safetensors").read_bytes() == FILES["model.safetensors"]


def test_publish_refuses_a_tree_that_does_not_match(module: types.ModuleType, s3: Any, tmp_path: Path) -> None:
    m = _version()
    _, entries = module.load_manifest(_write(tmp_path / "manifest.json", m.manifest_bytes()))
    src = _tree(tmp_path / "src")
    (src / "config.json").write_bytes(b'{"model_type": "llama"}\n')
    problems = module.publish(s3, "registry", "models/tiny/1/", src, entries)
    assert problems and problems[0].startswith("config.json: sha256 ")
    assert s3.list_objects_v2(Bucket="registry").get("KeyCount", 0) == 0


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
