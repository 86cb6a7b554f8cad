"""Workloads that run on any GPU cluster through the :class:`~pulumi_aiops.contract.GpuCluster`
contract. Example::

    from pulumi_aiops.workloads import ModelServer
    ModelServer("chat", {"cluster": cluster, "model": "meta-llama/Llama-3.1-8B-Instruct"})
"""

from pulumi_aiops.workloads.model_server import (
    GPU_RESOURCE,
    ModelServer,
    ModelServerArgs,
    model_server_manifests,
    tag_metadata,
)

__all__ = ["GPU_RESOURCE", "ModelServer", "ModelServerArgs", "model_server_manifests", "tag_metadata"]
