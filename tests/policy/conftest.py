"""Fixtures of the policy tests.

* ``tiny_pack``: a throwaway pack written with pulumi-policy alone (no rule library), to test the
  harness itself: levels, schema defaults, read-only proxies, stack resources.
* ``pack_pool``: the repository's packs, each launched once per test session as the CLI
  launches it, shared by the fixture tests (reconfigured per test, never restarted).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_aiops.testing.policy import PolicyPackProcess

TINY_PACK = textwrap.dedent('''
    from collections.abc import Mapping, Sequence

    from pulumi_policy import (
        EnforcementLevel, PolicyComplianceFramework, PolicyConfigSchema, PolicyPack,
        ResourceValidationPolicy, Severity, StackValidationPolicy,
    )


    def kms_rotation(args, report):
        if args.resource_type == "aws:kms/key:Key" and args.props.get("enableKeyRotation") is not True:
            report("enableKeyRotation is not true")


    def required_tags(args, report):
        if not args.resource_type.startswith("aws:"):
            return
        tags = args.props.get("tags")
        # No schema defaults filled in -> KeyError here, exactly as under a careless harness.
        for key in args.get_config()["required"]:
            if not isinstance(tags, Mapping) or key not in tags:
                report(f"missing tag {key}")


    def proxy_probe(args, report):
        if args.resource_type != "test:index:Probe":
            return
        p = args.props
        report(
            f"props_dict={isinstance(p, dict)} props_mapping={isinstance(p, Mapping)} "
            f"list_list={isinstance(p.get('items'), list)} "
            f"list_sequence={isinstance(p.get('items'), Sequence)} "
            f"count={p.get('count')!r} protect={args.opts.protect} parent={args.opts.parent} "
            f"provider={args.provider.resource_type if args.provider else None} "
            f"region={args.provider.props.get('region') if args.provider else None}"
        )


    def max_nodes(args, report):
        cap = args.get_config()["maxNodes"]
        for r in args.resources:
            if r.resource_type == "aws:eks/nodeGroup:NodeGroup":
                n = r.props.get("scalingConfig", {}).get("maxSize")
                if n is not None and n > cap:
                    report(f"{r.name}: maxSize {n} > {cap} "
                           f"(parent {r.parent.urn if r.parent else None})", r.urn)
            if r.resource_type == "aws:s3/bucketV2:BucketV2" and not r.opts.protect:
                deps = [d.name for d in r.dependencies]
                report(f"bucket {r.name} is not protected (deps {deps})", r.urn)


    PolicyPack(
        "tiny",
        enforcement_level=EnforcementLevel.MANDATORY,
        policies=[
            ResourceValidationPolicy(
                name="kms-rotation", description="KMS keys rotate.", validate=kms_rotation,
                severity=Severity.HIGH, remediation_steps="Set enableKeyRotation: true.",
                framework=PolicyComplianceFramework(name="hipaa",
                                                    reference="164.312(a)(2)(iv)")),
            ResourceValidationPolicy(
                name="required-tags", description="Resources carry the required tags.",
                validate=required_tags, enforcement_level=EnforcementLevel.ADVISORY,
                severity=Severity.LOW,
                config_schema=PolicyConfigSchema(properties={"required": {
                    "type": "array", "items": {"type": "string"}, "default": ["owner"]}})),
            ResourceValidationPolicy(name="proxy-probe", description="Reports what it sees.",
                                     validate=proxy_probe),
            StackValidationPolicy(
                name="max-nodes", description="Node groups stay under a cap.",
                validate=max_nodes, severity=Severity.MEDIUM,
                config_schema=PolicyConfigSchema(properties={"maxNodes": {
                    "type": "number", "default": 4}})),
        ],
    )
''')


@pytest.fixture(scope="session")
def tiny_packs_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``policy-packs``-like folder holding one pack, ``tiny`` (version 1.2.3)."""
    root = tmp_path_factory.mktemp("packs")
    d = root / "tiny"
    d.mkdir()
    (d / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 1.2.3\n"
                                         "description: a throwaway pack\n")
    (d / "__main__.py").write_text(TINY_PACK)
    return root


@pytest.fixture(scope="session")
def tiny_pack(tiny_packs_root: Path) -> Iterator[PolicyPackProcess]:
    """The tiny pack, running for the whole session (tests reconfigure it as they need)."""
    with PolicyPackProcess(tiny_packs_root / "tiny",
                           stack_config={"aws:region": "eu-west-1"}) as proc:
        yield proc


class PackPool:
    """Repository packs started on first use and kept for the session."""

    def __init__(self) -> None:
        self.procs: dict[str, PolicyPackProcess] = {}

    def get(self, name: str) -> PolicyPackProcess:
        if name not in self.procs:
            proc = PolicyPackProcess(name, stack_config={"aws:region": "us-east-1"})
            proc.start()
            self.procs[name] = proc
        return self.procs[name]

    def close(self) -> None:
        for proc in self.procs.values():
            proc.close()
        self.procs.clear()


@pytest.fixture(scope="session")
def pack_pool() -> Iterator[PackPool]:
    pool = PackPool()
    yield pool
    pool.close()
