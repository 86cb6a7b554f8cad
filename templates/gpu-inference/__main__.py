"""GPU inference on our platform: a hardened vLLM model server on the platform team's GPU cluster.

The platform stack (pulumi-aiops) exports every cluster's contract under `clusters`; this program
reads the cluster's kubeconfig from it and runs a `ModelServer` there, reachable in-cluster at
`http://<name>.<name>.svc.cluster.local:8000/v1` (route it through the platform's gateway).

    pulumi new <this template> && pulumi config set platformStack acme/aiops/prod && pulumi up
"""

import pulumi

from pulumi_aiops.contract import GpuClusterRef
from pulumi_aiops.workloads import ModelServer

config = pulumi.Config()
platform = pulumi.StackReference(config.require("platformStack"))
cluster = config.get("cluster") or "eks"
# The platform exports `clusters` as a secret (it holds kubeconfigs); only the kubeconfig is read.
kubeconfig = platform.require_output("clusters").apply(lambda clusters: clusters[cluster]["kubeconfig"])

server = ModelServer(
    pulumi.get_project(),
    {
        "cluster": GpuClusterRef.of_platform_cluster(config.get("cloud") or "aws", cluster, kubeconfig),
        "model": config.get("model") or "Qwen/Qwen2.5-7B-Instruct",
        "gpus": config.get_int("gpus") or 1,
        "replicas": config.get_int("replicas") or 1,
        "tags": {"owner": config.require("owner"), "cost-center": config.require("costCenter")},
    },
)

pulumi.export("endpoint", server.endpoint)
