"""The offline harness: options recorded from the real registration requests, realistic
invoke answers, determinism, and errors surfacing cleanly."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from pulumi_aiops.errors import ConfigError
from pulumi_aiops.testing import (
    RecordedResource,
    RecordingMocks,
    is_secret,
    render_policy_document,
    run_program,
    unwrap_secret,
)
from stack_plans import STACKS, planned


def _program() -> None:
    key = aws.kms.Key("key", enable_key_rotation=True,
                      opts=pulumi.ResourceOptions(protect=True, retain_on_delete=True))
    bucket = aws.s3.Bucket("data", opts=pulumi.ResourceOptions(depends_on=[key],
                                                                ignore_changes=["tags"]))
    ident = aws.get_caller_identity_output()
    azs = aws.get_availability_zones_output(state="available")
    doc = aws.iam.get_policy_document_output(statements=[{
        "actions": ["s3:GetObject"],
        "resources": [bucket.arn.apply(lambda a: f"{a}/*")],
        "principals": [{"type": "AWS", "identifiers": [ident.account_id.apply(
            lambda a: f"arn:aws:iam::{a}:root")]}],
    }])
    aws.s3.BucketPolicy("data-policy", bucket=bucket.id, policy=doc.json)
    pulumi.export("azs", azs.names)
    pulumi.export("account", ident.account_id)


def test_records_options_from_the_registration_request() -> None:
    graph = run_program(_program, {"aws:region": "eu-west-1"})
    key = graph.named("key")
    bucket = graph.named("data")
    assert key.protect and key.retain_on_delete
    assert not bucket.protect
    assert key.urn in bucket.depends_on
    assert bucket.ignore_changes == ("tags",)
    assert key.inputs == {"enableKeyRotation": True}  # engine camelCase names
    assert key.parent is not None and key.parent.endswith("::aiops-dev")


def test_invokes_get_realistic_answers() -> None:
    graph = run_program(_program, {"aws:region": "eu-west-1"})
    assert graph.stack_outputs["account"] == "123456789012"
    assert graph.stack_outputs["azs"][:2] == ["eu-west-1a", "eu-west-1b"]
    policy = json.loads(graph.named("data-policy").inputs["policy"])
    stmt = policy["Statement"][0]
    assert stmt["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert stmt["Resource"].startswith("arn:aws:s3:::data-") and stmt["Resource"].endswith("/*")


def test_graph_is_deterministic() -> None:
    a = run_program(_program, {"aws:region": "eu-west-1"})
    b = run_program(_program, {"aws:region": "eu-west-1"})
    assert a.fingerprint() == b.fingerprint()
    c = run_program(_program, {"aws:region": "us-west-2"})
    assert c.fingerprint() != a.fingerprint()


def test_program_errors_are_reraised_and_nothing_leaks_into_the_next_run() -> None:
    def bad() -> None:
        aws.kms.Key("k")
        raise ConfigError("aiops:platform.x: 1 is not allowed; expected 2")

    with pytest.raises(ConfigError, match=r"aiops:platform\.x"):
        run_program(bad)
    graph = run_program(_program)
    assert {r.name for r in graph} == {"key", "data", "data-policy"}


def test_unanswered_invokes_are_recorded() -> None:
    mocks = RecordingMocks()

    def prog() -> None:
        aws.get_caller_identity()

    run_program(prog, mocks=mocks)
    assert mocks.unanswered_calls == []
    assert mocks.calls[0][0] == "aws:index/getCallerIdentity:getCallerIdentity"


def test_policy_document_rendering_matches_provider_shape() -> None:
    doc = json.loads(render_policy_document({"statements": [{
        "sid": "Deny", "effect": "Deny", "actions": ["bedrock:InvokeModel"], "resources": ["*"],
        "conditions": [{"test": "StringNotEquals", "variable": "bedrock:GuardrailIdentifier",
                        "values": ["arn:aws:bedrock:us-east-1:1:guardrail/g:1"]}]}]}))
    assert doc["Version"] == "2012-10-17"
    assert doc["Statement"][0]["Condition"] == {
        "StringNotEquals": {"bedrock:GuardrailIdentifier": "arn:aws:bedrock:us-east-1:1:guardrail/g:1"}}


def test_public_surface_is_importable_from_the_package() -> None:
    import pulumi_aiops

    for name in pulumi_aiops.__all__:
        obj = getattr(pulumi_aiops, name)
        assert obj.__name__ == name
    with pytest.raises(AttributeError):
        pulumi_aiops.NoSuchThing  # noqa: B018


# --- URNs and aliases, as the engine builds and resolves them ---------------------------------

U = "urn:pulumi:dev::aiops::"


class _Network(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("aiops:eks:Network", name, None, opts)
        aws.ec2.Vpc(f"{name}-vpc", cidr_block="10.0.0.0/16", opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"ready": True})


class _Cluster(pulumi.ComponentResource):
    """A component whose type token moved from ``aiops:eks:EksGpuCluster`` (0.1.0) to ``aiops:index``."""

    def __init__(self, name: str, aliases: list[pulumi.Alias] | None = None,
                 key_aliases: list[Any] | None = None) -> None:
        super().__init__("aiops:index:EksGpuCluster", name, None, pulumi.ResourceOptions(aliases=aliases))
        aws.kms.Key(f"{name}-key", opts=pulumi.ResourceOptions(parent=self, aliases=key_aliases))
        # aliases=[] changes nothing for the engine; without aliasSpecs, the SDK expands the
        # parent's aliases only for a resource that has the option (see the oracle test).
        _Network(f"{name}-net", opts=pulumi.ResourceOptions(parent=self, aliases=[]))
        self.register_outputs({"kubeconfig": pulumi.Output.secret("{}"), "name": name})


def test_urns_are_the_engines() -> None:
    """The engine leaves the root stack out of a URN and keeps the parent's whole type chain."""
    graph = run_program(lambda: _Cluster("gpu"))
    assert {r.urn for r in graph} == {
        U + "aiops:index:EksGpuCluster::gpu",
        U + "aiops:index:EksGpuCluster$aws:kms/key:Key::gpu-key",
        U + "aiops:index:EksGpuCluster$aiops:eks:Network::gpu-net",
        U + "aiops:index:EksGpuCluster$aiops:eks:Network$aws:ec2/vpc:Vpc::gpu-net-vpc",
    }
    assert graph.named("gpu").parent == U + "pulumi:pulumi:Stack::aiops-dev"


def test_a_component_type_change_keeps_every_descendant() -> None:
    graph = run_program(lambda: _Cluster("gpu", aliases=[pulumi.Alias(type_="aiops:eks:EksGpuCluster")]))
    old = U + "aiops:eks:EksGpuCluster"
    assert graph.named("gpu").aliases == (old + "::gpu",)
    assert graph.alias_urns(graph.named("gpu")) == {old + "::gpu"}
    assert graph.alias_urns(graph.named("gpu-key")) == {old + "$aws:kms/key:Key::gpu-key"}
    assert graph.named("gpu-key").aliases == ()  # inherited, not its own
    # Two levels down: the parent's alias carries the whole old type chain.
    assert graph.alias_urns(graph.named("gpu-net-vpc")) == {
        old + "$aiops:eks:Network$aws:ec2/vpc:Vpc::gpu-net-vpc"}


def test_a_renamed_component_renames_its_childrens_prefix() -> None:
    graph = run_program(lambda: _Cluster("gpu-a", aliases=[pulumi.Alias(name="gpu")]))
    assert graph.alias_urns(graph.named("gpu-a-key")) == {U + "aiops:index:EksGpuCluster$aws:kms/key:Key::gpu-key"}
    assert graph.alias_urns(graph.named("gpu-a-net-vpc")) == {
        U + "aiops:index:EksGpuCluster$aiops:eks:Network$aws:ec2/vpc:Vpc::gpu-net-vpc"}


def test_a_renamed_child_under_a_retyped_parent_answers_to_both_renames() -> None:
    graph = run_program(lambda: _Cluster("gpu", aliases=[pulumi.Alias(type_="aiops:eks:EksGpuCluster")],
                                         key_aliases=[pulumi.Alias(name="gpu-kms")]))
    key = graph.named("gpu-key")
    assert key.aliases == (U + "aiops:index:EksGpuCluster$aws:kms/key:Key::gpu-kms",)
    assert graph.alias_urns(key) == {
        U + "aiops:index:EksGpuCluster$aws:kms/key:Key::gpu-kms",  # its own rename
        U + "aiops:eks:EksGpuCluster$aws:kms/key:Key::gpu-key",  # its parent's
        U + "aiops:eks:EksGpuCluster$aws:kms/key:Key::gpu-kms",  # both at once
    }


def _moved_program() -> None:
    platform = pulumi.ComponentResource("aiops:index:Platform", "platform")
    storage = pulumi.ComponentResource("aiops:index:Storage", "storage")
    for c in (platform, storage):
        c.register_outputs({})
    # Moved from under `platform` to under `storage`; another from the top level.
    aws.kms.Key("data", opts=pulumi.ResourceOptions(parent=storage, aliases=[pulumi.Alias(parent=platform)]))
    aws.kms.Key("logs", opts=pulumi.ResourceOptions(parent=storage, aliases=[pulumi.Alias(parent=None)]))
    # An alias given as a URN is taken as it is.
    aws.kms.Key("audit", opts=pulumi.ResourceOptions(parent=storage, aliases=[U + "aws:kms/key:Key::audit-v0"]))


def test_a_child_moved_under_a_new_parent() -> None:
    graph = run_program(_moved_program)
    assert graph.alias_urns(graph.named("data")) == {U + "aiops:index:Platform$aws:kms/key:Key::data"}
    assert graph.alias_urns(graph.named("logs")) == {U + "aws:kms/key:Key::logs"}
    assert graph.alias_urns(graph.named("audit")) == {U + "aws:kms/key:Key::audit-v0"}
    spec = graph.named("data").alias_specs[0]
    assert spec.parent == U + "aiops:index:Platform::platform" and not spec.no_parent
    assert graph.named("logs").alias_specs[0].no_parent


def test_an_alias_parent_that_was_itself_aliased_resolves_to_its_old_urn() -> None:
    def program() -> None:
        platform = pulumi.ComponentResource("aiops:index:Platform", "platform",
                                            opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="aiops:core:Platform")]))
        platform.register_outputs({})
        aws.kms.Key("data", opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(parent=platform)]))

    graph = run_program(program)
    assert graph.alias_urns(graph.named("data")) == {
        U + "aiops:index:Platform$aws:kms/key:Key::data",  # under the parent as it is now
        U + "aiops:core:Platform$aws:kms/key:Key::data",  # under the parent as it was
    }


def _without_alias_specs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the monitor an engine without ``aliasSpecs``: the SDK then computes every alias URN
    itself, including those inherited from the parent's aliases, and sends them as URNs."""
    from pulumi.runtime.proto import resource_pb2

    from pulumi_aiops.testing import RecordingMonitor

    original = RecordingMonitor.GetDeploymentInfo

    def info(self: RecordingMonitor, request: Any) -> Any:
        answer = original(self, request)
        features = [f for f in answer.supportedFeatures if f != resource_pb2.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS]
        return resource_pb2.DeploymentInfo(supportedFeatures=features)

    monkeypatch.setattr(RecordingMonitor, "GetDeploymentInfo", info)


def _one_level_program() -> None:
    cluster = _Cluster("gpu-a", aliases=[pulumi.Alias(type_="aiops:eks:EksGpuCluster"), pulumi.Alias(name="gpu")],
                       key_aliases=[pulumi.Alias(name="gpu-a-kms")])  # each child has an aliases option
    aws.kms.Key("loose", opts=pulumi.ResourceOptions(parent=cluster, aliases=[pulumi.Alias(parent=None)]))
    _moved_program()


def test_alias_resolution_matches_the_sdks_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """An independent oracle: without ``aliasSpecs`` the Python SDK resolves aliases itself
    (``all_aliases``: one parent level, and only for a resource that has an ``aliases`` option).
    Within those limits, both agree exactly."""
    ours = run_program(_one_level_program)
    _without_alias_specs(monkeypatch)
    sdk = run_program(_one_level_program)
    assert {r.urn for r in sdk} == {r.urn for r in ours}
    compared = 0
    for r in ours:
        if r.name.endswith("-vpc"):
            continue  # the SDK inherits from the parent's own aliases only, not the grandparent's
        assert graph_aliases(sdk, r.urn) == ours.alias_urns(r), r.urn
        compared += bool(ours.alias_urns(r))
    assert compared >= 6


def graph_aliases(graph: Any, urn: str) -> set[str]:
    return set(graph.get(urn).aliases) - {urn}


# --- what a team asserts on: exports, component outputs, secrets ----------------------------


def test_exports_outputs_and_secrets() -> None:
    def program() -> None:
        cluster = _Cluster("gpu")
        pulumi.export("kubeconfig", pulumi.Output.secret('{"kind": "Config"}'))
        pulumi.export("name", "gpu")
        pulumi.export("nested", {"plain": 1, "token": pulumi.Output.secret("t")})
        pulumi.export("cluster", cluster.urn)

    graph = run_program(program)
    assert is_secret(graph.exports["kubeconfig"]) and not is_secret(graph.exports["name"])
    assert unwrap_secret(graph.exports["kubeconfig"]) == '{"kind": "Config"}'
    assert graph.exports is graph.stack_outputs
    # A value holding a secret becomes a secret as a whole, as the engine sees it.
    assert is_secret(graph.exports["nested"])
    assert unwrap_secret(graph.exports["nested"]) == {"plain": 1.0, "token": "t"}
    cluster = graph.named("gpu")
    assert graph.outputs_of(cluster) == graph.outputs_of(cluster.urn) == graph.component_outputs[cluster.urn]
    assert graph.outputs_of(cluster)["name"] == "gpu" and is_secret(graph.outputs_of(cluster)["kubeconfig"])
    key = graph.named("gpu-key")
    assert graph.outputs_of(key) == key.outputs and "arn" in key.outputs
    with pytest.raises(KeyError):
        graph.outputs_of(U + "aws:kms/key:Key::nope")
    data = graph.to_json()
    assert data["exports"]["name"] == "gpu" and is_secret(data["exports"]["kubeconfig"])
    assert data["componentOutputs"][cluster.urn]["name"] == "gpu"
    json.dumps(data)  # JSON-ready


def test_unwrap_secret_leaves_plain_values_alone() -> None:
    value = {"a": [1.0, {"b": "c"}], "d": None}
    assert unwrap_secret(value) == value and not is_secret(value)
    assert not is_secret("x") and not is_secret(None) and not is_secret({"value": 1})


@pytest.mark.parametrize("stack", STACKS)
def test_shipped_stacks_export_their_clusters_as_a_secret(stack: str) -> None:
    graph = planned(stack).graph
    clusters = graph.exports["clusters"]
    assert is_secret(clusters)
    for name, contract in unwrap_secret(clusters).items():
        assert json.loads(contract["kubeconfig"])["kind"] == "Config", name
        # The top-level one: EksGpuCluster's pieces (Vpc, EksControlPlane, …) carry its name too.
        component = next(c for c in graph.components() if c.name == name and graph.top_component(c) is c)
        assert is_secret(graph.outputs_of(component)["kubeconfig"])


@pytest.mark.parametrize("stack", STACKS)
def test_children_and_descendants_match_a_full_scan(stack: str) -> None:
    graph = planned(stack).graph
    for r in graph:
        assert graph.children(r.urn) == [c for c in graph if c.parent == r.urn]
        expected: list[RecordedResource] = []
        frontier = [r.urn]
        while frontier:
            kids = [c for p in frontier for c in graph if c.parent == p]
            expected.extend(kids)
            frontier = [k.urn for k in kids]
        assert graph.descendants(r.urn) == expected
    stack_urn = next(r.parent for r in graph if r.parent and r.parent not in graph)
    everything = graph.descendants(stack_urn)
    assert sorted(r.urn for r in everything) == [r.urn for r in graph]
