"""The policy harness itself, against a throwaway pack written with pulumi-policy alone.

These pin down the runtime gotchas the harness exists for: the proto's ADVISORY default, schema
defaults the SDK does not fill, read-only proxies, floats, provider and options, stack
resources with parents and dependencies, and a clean process lifecycle.
"""

from __future__ import annotations

import os
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest
from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2

from pulumi_aiops.testing import run_program
from pulumi_aiops.testing.policy import (
    PolicyHarnessError,
    PolicyPackProcess,
    evaluate_graph,
    fixture_inputs,
    list_packs,
    policy_packs_dir,
    resolve_policy_config,
)

KEY = "aws:kms/key:Key"


def _levels(diags: list) -> dict[str, str]:
    return {d.policy: d.enforcement_level for d in diags}


def test_analyzer_info_is_typed(tiny_pack: PolicyPackProcess) -> None:
    info = tiny_pack.info()
    assert info.name == "tiny"
    assert info.version == "1.2.3"  # from PulumiPolicy.yaml, as the CLI reports it
    rot = info.policy("kms-rotation")
    assert (rot.severity, rot.enforcement_level, rot.policy_type) == ("high", "mandatory",
                                                                      "resource")
    assert rot.framework is not None and rot.framework.reference == "164.312(a)(2)(iv)"
    assert rot.remediation_steps == "Set enableKeyRotation: true."
    assert info.policy("max-nodes").policy_type == "stack"
    assert info.policy("required-tags").schema_defaults() == {"required": ["owner"]}
    assert tiny_pack.handshake_supported is False  # the Python SDK: UNIMPLEMENTED, CLI falls back


def test_mandatory_stays_mandatory(tiny_pack: PolicyPackProcess) -> None:
    tiny_pack.configure()
    diags = tiny_pack.analyze(KEY, "k", {"enableKeyRotation": False, "tags": {"owner": "a"}})
    assert _levels(diags) == {"kms-rotation": "mandatory"}
    assert diags[0].severity == "high"
    assert diags[0].frameworks == {"hipaa": ("164.312(a)(2)(iv)",)}


def test_the_proto_default_would_downgrade_mandatory(tiny_pack: PolicyPackProcess) -> None:
    """What the harness protects against: Configure without a level means ADVISORY."""
    req = analyzer_pb2.ConfigureAnalyzerRequest()
    props = struct_pb2.Struct()
    props.update({"required": ["owner"]})
    req.policyConfig["required-tags"].CopyFrom(analyzer_pb2.PolicyConfig(properties=props))
    req.policyConfig["kms-rotation"].CopyFrom(analyzer_pb2.PolicyConfig())
    tiny_pack._call("Configure", req)
    naive = tiny_pack.analyze(KEY, "k", {"enableKeyRotation": False, "tags": {"owner": "a"}})
    assert _levels(naive)["kms-rotation"] == "advisory"
    tiny_pack.configure()
    fixed = tiny_pack.analyze(KEY, "k", {"enableKeyRotation": False, "tags": {"owner": "a"}})
    assert _levels(fixed)["kms-rotation"] == "mandatory"


def test_levels_from_config_all_and_per_policy(tiny_pack: PolicyPackProcess) -> None:
    sent = tiny_pack.configure({"all": "advisory", "required-tags": "mandatory",
                                "proxy-probe": "disabled"})
    assert sent["kms-rotation"]["enforcementLevel"] == "advisory"
    diags = tiny_pack.analyze(KEY, "k", {"enableKeyRotation": False})
    assert _levels(diags) == {"kms-rotation": "advisory", "required-tags": "mandatory"}


def test_schema_defaults_are_applied(tiny_pack: PolicyPackProcess) -> None:
    sent = tiny_pack.configure()
    assert sent["required-tags"]["required"] == ["owner"]
    assert sent["max-nodes"]["maxNodes"] == 4
    diags = tiny_pack.analyze(KEY, "k", {"enableKeyRotation": True, "tags": {"team": "x"}})
    assert [d.message.splitlines()[-1] for d in diags if d.policy == "required-tags"] == \
        ["missing tag owner"]
    # user config overrides the default
    tiny_pack.configure({"required-tags": {"required": ["owner", "cost-center"]}})
    diags = tiny_pack.analyze(KEY, "k", {"enableKeyRotation": True, "tags": {"owner": "x"}})
    assert [d.message.splitlines()[-1] for d in diags if d.policy == "required-tags"] == \
        ["missing tag cost-center"]


def test_without_schema_defaults_the_sdk_breaks(tiny_pack: PolicyPackProcess) -> None:
    """The SDK does not fill defaults: a policy reading its config fails the RPC."""
    req = analyzer_pb2.ConfigureAnalyzerRequest()
    for name in tiny_pack.info().names:
        req.policyConfig[name].CopyFrom(analyzer_pb2.PolicyConfig(
            enforcementLevel=analyzer_pb2.MANDATORY))
    tiny_pack._call("Configure", req)
    with pytest.raises(PolicyHarnessError, match="Analyze failed"):
        tiny_pack.analyze(KEY, "k", {"enableKeyRotation": True, "tags": {}})
    tiny_pack.configure()


def test_props_are_read_only_proxies_with_floats(tiny_pack: PolicyPackProcess) -> None:
    tiny_pack.configure()
    provider = {"type": "pulumi:providers:aws", "name": "east", "urn": "urn:x",
                "properties": {"region": "us-east-1"}}
    diags = tiny_pack.analyze("test:index:Probe", "p", {"items": [1, 2], "count": 3},
                              options={"protect": True, "parent": "urn:parent"},
                              provider=provider)
    msg = next(d.message for d in diags if d.policy == "proxy-probe")
    # The gotcha: a policy testing isinstance(dict/list) sees nothing; Mapping/Sequence work.
    assert "props_dict=False props_mapping=True" in msg
    assert "list_list=False list_sequence=True" in msg
    assert "count=3.0" in msg  # integers arrive as floats
    assert "protect=True parent=urn:parent" in msg
    assert "provider=pulumi:providers:aws region=us-east-1" in msg


def test_analyze_stack_links_parents_and_dependencies(tiny_pack: PolicyPackProcess) -> None:
    tiny_pack.configure({"max-nodes": {"maxNodes": 8}})
    resources = [
        {"type": "aiops:eks:Cluster", "name": "gpu", "props": {}, "custom": False},
        {"type": "aws:eks/nodeGroup:NodeGroup", "name": "gpu-a10g", "parent": "gpu",
         "props": {"scalingConfig": {"minSize": 0, "maxSize": 10}}},
        {"type": "aws:eks/nodeGroup:NodeGroup", "name": "gpu-small", "parent": "gpu",
         "props": {"scalingConfig": {"maxSize": 2}}},
        {"type": "aws:s3/bucketV2:BucketV2", "name": "data", "props": {},
         "options": {"protect": True}},
        {"type": "aws:s3/bucketV2:BucketV2", "name": "scratch", "props": {},
         "dependencies": ["data"]},
    ]
    diags = tiny_pack.analyze_stack(resources)
    assert all(d.policy == "max-nodes" and d.enforcement_level == "mandatory" for d in diags)
    by_name = {d.resource_name: d.message.splitlines()[-1] for d in diags}
    assert by_name == {
        "gpu-a10g": "gpu-a10g: maxSize 10.0 > 8.0 "
                    "(parent urn:pulumi:dev::aiops::aiops:eks:Cluster::gpu)",
        "scratch": "bucket scratch is not protected (deps ['data'])",
    }
    # URNs carry the parent's type chain, as the engine builds them
    assert diags[0].urn.startswith("urn:pulumi:dev::aiops::aiops:eks:Cluster$aws:eks/nodeGroup")


def test_fixture_inputs_resolve_parent_names() -> None:
    items = fixture_inputs([
        {"type": "a:b:C", "name": "child", "parent": "top", "props": {}},
        {"type": "a:b:Top", "name": "top", "props": {}},
    ], project="p", stack="s")
    child = items[0]
    assert child.parent == "urn:pulumi:s::p::a:b:Top::top"
    assert child.urn == "urn:pulumi:s::p::a:b:Top$a:b:C::child"


def _program() -> None:
    key = aws.kms.Key("key", enable_key_rotation=False, tags={"owner": "me"})
    aws.s3.BucketV2("data", tags={"owner": "me"},
                    opts=pulumi.ResourceOptions(depends_on=[key]))
    aws.s3.BucketV2("kept", tags={"owner": "me"},
                    opts=pulumi.ResourceOptions(protect=True, retain_on_delete=True))


def test_evaluate_graph_runs_resources_and_stack(tiny_packs_root: Path) -> None:
    graph = run_program(_program, {"aws:region": "us-east-1"})
    report = evaluate_graph(graph, packs_dir=tiny_packs_root,
                            stack_config={"aws:region": "us-east-1"})
    assert report.packs == ("tiny",)
    got = sorted((d.policy, d.resource_name, d.enforcement_level) for d in report.diagnostics)
    assert got == [("kms-rotation", "key", "mandatory"),
                   ("max-nodes", "data", "mandatory")]
    assert report.counts_by_pack() == {"tiny": {"mandatory": 2, "advisory": 0}}
    assert not report.ok
    assert "kms-rotation" in report.format()
    # config reaches every pack
    report = evaluate_graph(graph, packs_dir=tiny_packs_root,
                            config={"kms-rotation": "disabled", "max-nodes": "advisory"})
    assert [(d.policy, d.enforcement_level) for d in report.diagnostics] == \
        [("max-nodes", "advisory")]


def test_unknown_pack_is_a_clean_error(tiny_packs_root: Path) -> None:
    graph = run_program(_program, {})
    with pytest.raises(PolicyHarnessError, match=r"unknown policy pack\(s\) 'nope'.*known: tiny"):
        evaluate_graph(graph, packs=["nope"], packs_dir=tiny_packs_root)


def test_a_pack_that_crashes_reports_its_stderr(tmp_path: Path) -> None:
    d = tmp_path / "broken"
    d.mkdir()
    (d / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (d / "__main__.py").write_text("raise SystemExit('boom: bad pack')\n")
    with pytest.raises(PolicyHarnessError, match="boom: bad pack"), PolicyPackProcess(d):
        pass


def test_process_is_reaped_on_exit(tiny_packs_root: Path) -> None:
    with PolicyPackProcess(tiny_packs_root / "tiny") as proc:
        pid = proc.pid
        assert pid is not None
        os.kill(pid, 0)  # alive
        assert proc.info().name == "tiny"
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # gone and reaped: no zombie left behind


def test_packs_dir_override(tiny_packs_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIOPS_POLICY_PACKS_DIR", str(tiny_packs_root))
    assert policy_packs_dir() == tiny_packs_root.resolve()
    assert list_packs() == ["tiny"]
    monkeypatch.setenv("AIOPS_POLICY_PACKS_DIR", str(tiny_packs_root / "missing"))
    with pytest.raises(PolicyHarnessError, match="AIOPS_POLICY_PACKS_DIR"):
        policy_packs_dir()


def test_bad_enforcement_level_is_rejected(tiny_pack: PolicyPackProcess) -> None:
    with pytest.raises(PolicyHarnessError, match="'blocking' is not one of"):
        resolve_policy_config(tiny_pack.info(), {"kms-rotation": "blocking"})
