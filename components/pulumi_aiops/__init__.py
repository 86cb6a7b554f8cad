"""pulumi-aiops: a governed AI platform on AWS and CoreWeave, as Pulumi components.

The components live one per module and are also importable from here (loaded on first use,
so ``import pulumi_aiops`` stays cheap)::

    from pulumi_aiops import EksGpuCluster, ModelServer
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pulumi_aiops.errors import AiopsError, ConfigError

if TYPE_CHECKING:
    from pulumi_aiops.bedrock_access import BedrockAccess
    from pulumi_aiops.contract import GpuCluster
    from pulumi_aiops.coreweave_gpu_cluster import CoreWeaveGpuCluster
    from pulumi_aiops.data_lake import DataLake
    from pulumi_aiops.eks_gpu_cluster import EksGpuCluster
    from pulumi_aiops.feature_store import FeatureStore
    from pulumi_aiops.knowledge_base import KnowledgeBase
    from pulumi_aiops.vector_store import VectorStore
    from pulumi_aiops.workloads import ModelServer

__all__ = [
    "AiopsError",
    "BedrockAccess",
    "ConfigError",
    "CoreWeaveGpuCluster",
    "DataLake",
    "EksGpuCluster",
    "FeatureStore",
    "GpuCluster",
    "KnowledgeBase",
    "ModelServer",
    "VectorStore",
]
__version__ = "0.1.0"

_LAZY = {
    "BedrockAccess": "pulumi_aiops.bedrock_access",
    "CoreWeaveGpuCluster": "pulumi_aiops.coreweave_gpu_cluster",
    "DataLake": "pulumi_aiops.data_lake",
    "EksGpuCluster": "pulumi_aiops.eks_gpu_cluster",
    "FeatureStore": "pulumi_aiops.feature_store",
    "GpuCluster": "pulumi_aiops.contract",
    "KnowledgeBase": "pulumi_aiops.knowledge_base",
    "ModelServer": "pulumi_aiops.workloads",
    "VectorStore": "pulumi_aiops.vector_store",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pulumi_aiops' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
