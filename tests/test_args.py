"""Each component's args are defined once, as a pydantic model; the public TypedDicts in
``pulumi_aiops/args.py`` are generated from them and must not drift."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest
from pydantic import field_validator

from pulumi_aiops.config.args_gen import COMPONENT_ARGS, _load, args_name, render
from pulumi_aiops.config.base import AiopsModel, Wired, is_known, validate_model
from pulumi_aiops.errors import ConfigError


def test_generated_args_are_up_to_date(repo_root: Path) -> None:
    text = (repo_root / "components/pulumi_aiops/args.py").read_text()
    assert text == render(), (
        "components/pulumi_aiops/args.py is stale: "
        "python -m pulumi_aiops.config.args_gen --write")


@pytest.mark.parametrize("public", sorted(COMPONENT_ARGS))
def test_every_args_key_is_a_model_field_with_its_default_documented(public: str) -> None:
    import pulumi_aiops.args as generated

    model = _load(COMPONENT_ARGS[public])
    assert args_name(model) == public
    td = getattr(generated, public)
    # Keys, not get_type_hints: component classes are imported under TYPE_CHECKING in args.py.
    assert set(td.__required_keys__ | td.__optional_keys__) == set(model.model_fields)
    for field, info in model.model_fields.items():
        doc = info.description or ""
        assert info.is_required() or "@default" in doc, f"{public}.{field} does not document its default"


class _Net(AiopsModel):
    vpc_id: Wired[str] | None = None
    subnet_ids: Wired[list[Wired[str]]] = []

    @field_validator("vpc_id")
    @classmethod
    def _vpc(cls, v: object) -> object:
        if is_known(v) and v is not None and not str(v).startswith("vpc-"):
            raise ValueError("is not a VPC id (vpc-0123456789abcdef0)")
        return v


def test_wired_fields_take_outputs_and_check_plain_values() -> None:
    from pulumi_aiops.testing import run_program

    seen: list[tuple[_Net, pulumi.Output[str]]] = []

    def program() -> None:  # Outputs need the program's event loop
        out = pulumi.Output.from_input("anything")
        seen.append((validate_model(_Net, {"vpcId": out, "subnetIds": [out, "subnet-1"]}, "Net('x')"), out))

    run_program(program)
    net, out = seen[0]
    assert net.vpc_id is out and net.subnet_ids[0] is out and net.subnet_ids[1] == "subnet-1"
    with pytest.raises(ConfigError, match=r"^Net\('x'\)\.vpcId: 'igw-1' is not a VPC id"):
        validate_model(_Net, {"vpcId": "igw-1"}, "Net('x')")
    with pytest.raises(ConfigError, match=r"Net\('x'\)\.subnetIds\[0\]: 7 is not allowed"):
        validate_model(_Net, {"subnetIds": [7]}, "Net('x')")


def test_generator_renders_wired_fields_as_inputs() -> None:
    from pulumi_aiops.config.args_gen import _Renderer

    r = _Renderer()
    r.model(_Net)
    src = r.classes["_NetArgs"]
    assert "vpc_id: pulumi.Input[str]" in src
    assert "subnet_ids: pulumi.Input[list[pulumi.Input[str]]]" in src


def test_key_paths_are_camel_case_whichever_spelling_the_caller_used() -> None:
    from pulumi_aiops.config.eks import EksClusterConfig

    for spelling in ({"gpu_node_groups": [{"name": "l4", "instance_type": "g6.xlarge", "min_size": "x"}]},
                     {"gpuNodeGroups": [{"name": "l4", "instanceType": "g6.xlarge", "minSize": "x"}]}):
        with pytest.raises(ConfigError, match=r"^EksGpuCluster\('x'\)\.gpuNodeGroups\[0\]\.minSize: 'x' is not"):
            validate_model(EksClusterConfig, spelling, "EksGpuCluster('x')")
    # A user's own map key keeps its spelling.
    with pytest.raises(ConfigError, match=r"\.tags\.my_tag: 3 is not allowed"):
        validate_model(EksClusterConfig, {"tags": {"my_tag": 3}}, "EksGpuCluster('x')")
