"""The component provider: other languages use the components through a schema that Pulumi infers
from the Python types. The schema is pinned by a snapshot; an incompatible change fails."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import grpc
import pytest
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from pulumi_aiops.provider import COMPONENTS, incompatible_changes, schema

SNAPSHOT = Path(__file__).parent / "fixtures" / "provider-schema.json"
REGENERATE = "python -m pulumi_aiops.provider > tests/fixtures/provider-schema.json"


@pytest.fixture(scope="module")
def inferred() -> dict[str, Any]:
    return schema()


def test_schema_is_compatible_with_the_snapshot(inferred: dict[str, Any]) -> None:
    pinned = json.loads(SNAPSHOT.read_text())
    broken = incompatible_changes(pinned, inferred)
    assert not broken, "incompatible change to the public component API:\n  " + "\n  ".join(broken) + (
        f"\nIf it is intended, record it in CHANGELOG.md and regenerate: {REGENERATE}")
    assert inferred == pinned, f"the schema changed compatibly; regenerate the snapshot: {REGENERATE}"


def test_every_component_is_hosted_under_its_type_token(inferred: dict[str, Any]) -> None:
    tokens = {f"aiops:index:{ref.rsplit(':', 1)[1]}" for ref in COMPONENTS}
    assert set(inferred["resources"]) == tokens
    for token, res in inferred["resources"].items():
        assert res["isComponent"] is True, token
        assert res.get("description"), f"{token} has no description"


def test_wiring_fields_take_inputs(inferred: dict[str, Any]) -> None:
    """A workload's cluster comes by value from another language: kubeconfig is an Input."""
    server = inferred["resources"]["aiops:index:ModelServer"]["inputProperties"]
    cluster_type = server["cluster"]["$ref"].rsplit(":", 1)[-1]
    kube = inferred["types"][f"aiops:index:{cluster_type}"]["properties"]["kubeconfig"]
    assert kube["type"] == "string" and kube.get("plain") is not True
    assert "cluster" in inferred["resources"]["aiops:index:ModelServer"].get("requiredInputs", [])


def _rename(doc: dict[str, Any], token: str, old: str, new: str) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    props = out["resources"][token]["inputProperties"]
    props[new] = props.pop(old)
    return out


def test_a_renamed_arg_is_an_incompatible_change(inferred: dict[str, Any]) -> None:
    renamed = _rename(inferred, "aiops:index:ModelServer", "model", "modelId")
    assert incompatible_changes(inferred, renamed) == ["aiops:index:ModelServer input.model: removed (or renamed)"]
    # Adding an optional input is compatible.
    added = copy.deepcopy(inferred)
    added["resources"]["aiops:index:ModelServer"]["inputProperties"]["newKnob"] = {"type": "string"}
    assert incompatible_changes(inferred, added) == []
    retyped = copy.deepcopy(inferred)
    retyped["resources"]["aiops:index:ModelServer"]["inputProperties"]["gpus"] = {"type": "string"}
    assert incompatible_changes(inferred, retyped) == [
        "aiops:index:ModelServer input.gpus: type changed from integer to string"]


def test_the_plugin_serves_the_schema_over_grpc(inferred: dict[str, Any], repo_root: Path) -> None:
    """`components/` runs as the Pulumi CLI runs a provider plugin, and answers GetSchema."""
    proc = subprocess.Popen([sys.executable, "-u", "__main__.py", "127.0.0.1:1"], cwd=repo_root / "components",
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline().strip())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            served = json.loads(stub.GetSchema(provider_pb2.GetSchemaRequest(version=0), timeout=60).schema)
    finally:
        proc.kill()
        proc.communicate()
    assert served["resources"].keys() == inferred["resources"].keys()


def test_plugin_requirements_match_the_package(repo_root: Path) -> None:
    deps = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]["dependencies"]
    lines = [ln for ln in (repo_root / "components" / "requirements.txt").read_text().splitlines()
             if ln and not ln.startswith("#")]
    assert lines == deps
    plugin = (repo_root / "components" / "PulumiPlugin.yaml").read_text()
    assert "name: python" in plugin


def _readme_yaml_program(repo_root: Path) -> dict[str, Any]:
    import re

    import yaml

    text = (repo_root / "README.md").read_text()
    block = re.search(r"<!-- yaml-program -->\n```yaml\n(.*?)```", text, re.S)
    assert block, "README has no <!-- yaml-program --> block"
    doc: dict[str, Any] = yaml.safe_load(block.group(1))
    return doc


def _check_props(values: dict[str, Any], props: dict[str, Any], required: list[str], where: str,
                 types: dict[str, Any]) -> None:
    for key in required:
        assert key in values, f"{where}: required input {key!r} missing"
    for key, value in values.items():
        assert key in props, f"{where}.{key}: not an input of the schema"
        spec = props[key]
        ref = spec.get("$ref") or (spec.get("items") or {}).get("$ref")
        if ref and ref.startswith("#/types/"):
            typ = types[ref[len("#/types/"):]]
            if "enum" in typ:
                allowed = {e["value"] for e in typ["enum"]}
                items = value if isinstance(value, list) else [value]
                assert all(v in allowed for v in items), f"{where}.{key}: {value!r} not in {allowed}"
                continue
            items = value if isinstance(value, list) else [value]
            for i, item in enumerate(items):
                _check_props(item, typ.get("properties", {}), typ.get("required", []), f"{where}.{key}[{i}]", types)


def test_readme_yaml_program_matches_the_schema(inferred: dict[str, Any], repo_root: Path) -> None:
    import re

    program = _readme_yaml_program(repo_root)
    names = set(program["resources"])
    for name, res in program["resources"].items():
        schema_res = inferred["resources"][res["type"]]
        _check_props(res["properties"], schema_res["inputProperties"], schema_res.get("requiredInputs", []),
                     name, inferred["types"])
    refs = re.findall(r"\$\{(\w+)\.(\w+)\}", json.dumps(program))
    assert refs
    for resource, output in refs:
        assert resource in names
        token = program["resources"][resource]["type"]
        assert output in inferred["resources"][token]["properties"], f"{resource}.{output} is not an output"
