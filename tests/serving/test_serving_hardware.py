"""The node facts serving relies on match their sources: EFA interfaces and instance-store sizes
(EC2 DescribeInstanceTypes, as moto ships it), MIG profiles (the GPU Operator's MIG manager
defaults, per GPU of the catalogue), the device plugin's time-slicing configuration."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import moto
import pytest
import yaml

from pulumi_aiops.catalog import Cloud, catalog
from pulumi_aiops.config.gpu_nodes import EFA_INTERFACES, INSTANCE_STORE_GB, MIG_PROFILES, mig_profiles_for

EC2 = json.loads(gzip.decompress((Path(moto.__file__).parent / "ec2" / "resources" / "instance_types.json.gz")
                                  .read_bytes()))
AWS_TYPES = sorted(name for (cloud, name) in catalog() if cloud is Cloud.AWS)


@pytest.mark.parametrize("name", AWS_TYPES)
def test_efa_and_instance_store_figures_are_ec2s(name: str) -> None:
    info = EC2[name]
    net = info["NetworkInfo"]
    efa = (net.get("EfaInfo") or {}).get("MaximumEfaInterfaces", 0) if net.get("EfaSupported") else 0
    assert EFA_INTERFACES.get(name, 0) == efa
    assert catalog()[(Cloud.AWS, name)].interconnect.value == ("efa" if efa else "none")
    assert INSTANCE_STORE_GB.get(name, 0) == (info.get("InstanceStorageInfo") or {}).get("TotalSizeInGB", 0)


def test_mig_profiles_cover_the_catalogues_mig_gpus_and_split_their_memory() -> None:
    mig_rows = {(r.gpu_model, r.gpu_memory_gib) for r in catalog().values() if r.gpu_model in
                {"A100", "H100", "H200", "B200"}}
    for gpu in mig_rows:
        assert mig_profiles_for(*gpu), f"no MIG profiles for {gpu}"
    for (model, memory), profiles in MIG_PROFILES.items():
        for profile, (count, gib) in profiles.items():
            slices, _, size = profile.partition("g.")
            assert int(slices) * count <= 7, profile  # a GPU has 7 compute slices
            assert gib == float(size.removesuffix("gb")) and count * gib <= memory + 1, (model, profile)
    assert not mig_profiles_for("L4", 22) and not mig_profiles_for("L40S", 48)


def test_the_time_slicing_configuration_is_what_the_device_plugin_reads() -> None:
    from pulumi_aiops.eks.device_plugin import time_slicing_config

    doc = yaml.safe_load(time_slicing_config(4))
    assert doc == {"version": "v1", "flags": {"migStrategy": "none"}, "sharing": {"timeSlicing": {
        "failRequestsGreaterThanOne": True, "resources": [{"name": "nvidia.com/gpu", "replicas": 4}]}}}
