"""A GPU cluster on CoreWeave Kubernetes Service (CKS), implementing the GPU-cluster contract.

:class:`CoreWeaveGpuCluster` creates, with the official ``pulumi-coreweave`` provider:

* a ``NetworkingVpc`` (zone, host prefixes, VPC prefixes for pods, services, internal LBs);
* a ``CksCluster`` whose API server is private by default and runs an audit policy;
* a kubeconfig built from the cluster's ``api_server_endpoint`` and the CoreWeave API token
  (secret), and a ``kubernetes.Provider`` on it;
* GPU capacity as CKS ``NodePool`` custom resources (``compute.coreweave.com/v1alpha1``),
  applied through that provider. CoreWeave manages the NVIDIA drivers, device plugin and GPU
  Operator on CKS and says not to install them, so this component installs none;
* optional CPU ``NodePool``s (``cpuNodePools``) without the GPU taint, labelled
  ``pulumi-aiops/system: "true"``: the cluster's system nodes (``system_node_selector``), where
  Qdrant, the gateway and observability run. Without one, every node the library creates
  carries the GPU taint, and a workload that needs no GPU has nowhere to run;
* optional AI Object Storage buckets for datasets, versioned, with a bucket policy.

**The CoreWeave API token.** CKS has no kubeconfig output: CoreWeave kubeconfigs carry a bearer
API token. Create one in the CoreWeave Console → *Tokens* (``console.coreweave.com/tokens``,
"Create Token"); it looks like ``CW-SECRET-…`` and is shown once. Store it as a SECRET in the
stack config: ``pulumi config set --secret coreweave:token CW-SECRET-…`` (or under the key named
by ``tokenConfigKey``). The same token authenticates the CoreWeave provider and the Kubernetes
provider. A token that has expired or been revoked answers HTTP 403 (the Kubernetes provider
then reports "Unauthorized"/"Forbidden"): create a new token and set it again. A missing token,
or a token stored in plain text, is a :class:`~pulumi_aiops.errors.ConfigError` before any
resource is registered.

**Private API server.** With ``cks.apiAccess: private`` (the default) the API server is reachable
only from the cluster's VPC and networks connected to it, so run ``pulumi up`` from there (a CI
runner on CoreWeave, or over Direct Connect/VPN); choose ``public`` only with OIDC/short-lived
tokens.

**Your own VPC.** ``vpc.vpcId`` takes the id of an existing CoreWeave VPC (or an output, such as
``my_vpc.id`` of a ``coreweave.NetworkingVpc`` your program creates); the component then creates
no VPC, and ``cks.podCidrName``, ``serviceCidrName`` and ``internalLbCidrNames`` must name that
VPC's prefixes.

**Child names** come from the config's names (``<name>-pool-<pool>``, ``<name>-ds-<bucket>``),
never from list positions, so reordering ``nodePools`` or ``datasets`` changes nothing.

Example::

    from pulumi_aiops.coreweave_gpu_cluster import CoreWeaveGpuCluster

    cw = CoreWeaveGpuCluster("cw-gpu", {
        "cks": {"zone": "US-EAST-04A"},
        "node_pools": [{"name": "h100", "instance_type": "gd-8xh100ib-i128",
                        "target_nodes": 1, "min_nodes": 0, "max_nodes": 2, "autoscaling": "enabled"}],
        "cpu_node_pools": [{"name": "cpu", "instance_type": "cd-gp-i64-erapids", "target_nodes": 1}],
        "tags": {"owner": "ml-platform", "cost-center": "cc-1", "data-classification": "internal"},
    })
    # cw.provider, cw.gpu_node_selector, cw.gpu_tolerations, cw.system_node_selector: the GpuCluster contract
"""

# No `from __future__ import annotations`: Pulumi's schema inference reads the annotations of
# component classes as objects at run time.
import json
import re
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_coreweave as coreweave
import pulumi_kubernetes as k8s
from pulumi.runtime.config import is_config_secret

from pulumi_aiops.args import CoreWeaveGpuClusterArgs
from pulumi_aiops.aws.iam import POLICY_VERSION, statement
from pulumi_aiops.capacity import COREWEAVE_SYSTEM_LABEL
from pulumi_aiops.catalog import Cloud, resolve
from pulumi_aiops.config.base import component_args
from pulumi_aiops.config.coreweave import (
    ApiAccess,
    Autoscaling,
    CoreWeaveClusterConfig,
    CpuNodePoolConfig,
    DatasetBucketConfig,
    NodePoolConfig,
)
from pulumi_aiops.contract import CapacityType, GpuCapacity, GpuCluster, gpu_toleration
from pulumi_aiops.errors import ConfigError

__all__ = [
    "GPU_NODE_LABEL",
    "NODEPOOL_API_VERSION",
    "OLD_TYPE_TOKEN",
    "TYPE_TOKEN",
    "CoreWeaveGpuCluster",
    "CoreWeaveGpuClusterArgs",
    "build_kubeconfig",
    "dataset_bucket_policy",
    "nodepool_manifest",
    "require_token",
]

TYPE_TOKEN = "aiops:index:CoreWeaveGpuCluster"
#: The type token of 0.1.0, kept as an alias so no URN of a deployed stack changes.
OLD_TYPE_TOKEN = "aiops:coreweave:CoreWeaveGpuCluster"

#: API version and kind of CKS NodePools (cluster-scoped).
NODEPOOL_API_VERSION = "compute.coreweave.com/v1alpha1"
NODEPOOL_KIND = "NodePool"
#: Label this component puts on every node of its GPU NodePools; the GPU node selector.
GPU_NODE_LABEL = "pulumi-aiops/gpu"


def require_token(cfg: CoreWeaveClusterConfig, path: str) -> pulumi.Output[str]:
    """The CoreWeave API token from secret stack config, as a secret output.

    ``path`` is the config path of ``cfg`` (e.g. ``aiops:platform.coreweave``), used in errors.
    Raises :class:`ConfigError` when the key has no value or holds plain text.
    """
    key = cfg.token_config_key
    ns, _, short = key.partition(":")
    where = f"{path}.tokenConfigKey"
    raw = pulumi.Config(ns).get(short)
    if not raw:
        raise ConfigError(
            f"{where}: {key!r} has no value in this stack's config; a CoreWeave cluster needs an API "
            f"token: create one in the CoreWeave Console → Tokens and run "
            f"`pulumi config set --secret {key} CW-SECRET-…`")
    if not is_config_secret(key):
        raise ConfigError(
            f"{where}: {key!r} is stored in plain text; the CoreWeave API token must be a secret: "
            f"run `pulumi config set --secret {key} CW-SECRET-…`")
    return pulumi.Output.secret(raw)


def build_kubeconfig(cluster_name: str, endpoint: pulumi.Input[str],
                     token: pulumi.Input[str]) -> pulumi.Output[str]:
    """A kubeconfig (JSON) for a CKS API server, authenticating with the bearer API token.

    This is the shape of the kubeconfigs the CoreWeave Console generates for CKS ("managed
    auth"): the API server address and the token, no CA data (the endpoint's certificate is
    publicly trusted). ``api_server_endpoint`` may come without a scheme; https is added.
    """
    def render(args: list[Any]) -> str:
        server, tok = args
        server = str(server)
        if not server.startswith(("https://", "http://")):
            server = f"https://{server}"
        user = f"{cluster_name}-token"
        return json.dumps({
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": cluster_name, "cluster": {"server": server}}],
            "users": [{"name": user, "user": {"token": tok}}],
            "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": user}}],
            "current-context": cluster_name,
        }, indent=2)

    return pulumi.Output.secret(pulumi.Output.all(endpoint, token).apply(render))


def nodepool_manifest(pool: NodePoolConfig | CpuNodePoolConfig,
                      extra_labels: dict[str, str] | None = None) -> dict[str, Any]:
    """The ``spec`` of a CKS NodePool for ``pool`` (GPU or CPU), per CoreWeave's NodePool schema."""
    labels = {**pool.node_labels, **(extra_labels or {})}
    return {
        "computeClass": "default",
        "instanceType": pool.instance_type,
        "targetNodes": pool.target_nodes,
        "minNodes": pool.effective_min,
        "maxNodes": pool.effective_max,
        "autoscaling": pool.autoscaling is Autoscaling.ENABLED,
        "nodeLabels": labels,
        "nodeTaints": [{"key": t.key, "value": t.value, "effect": t.effect.value} for t in pool.node_taints],
        "lifecycle": {"scaleDownStrategy": pool.scale_down_strategy.value},
    }


def _tolerations_of(pools: Sequence[CpuNodePoolConfig]) -> list[dict[str, str]]:
    """Tolerations of every taint the CPU pools carry (none by default), without repeats."""
    out: list[dict[str, str]] = []
    for pool in pools:
        for t in pool.node_taints:
            tol = {"key": t.key, "operator": "Equal", "value": t.value, "effect": t.effect.value}
            if tol not in out:
                out.append(tol)
    return out


def dataset_bucket_policy(bucket: str, ds: DatasetBucketConfig | None = None, *,
                          readers: Sequence[str] | None = None,
                          writers: Sequence[str] | None = None) -> dict[str, Any]:
    """The S3-compatible bucket policy of a dataset bucket (``Principal`` uses CoreWeave's ``CW``).

    Principals come from ``ds`` (plain values) or, once resolved, from ``readers``/``writers``.
    """
    if readers is None or writers is None:
        assert ds is not None, "give ds or both readers and writers"
        readers, writers = [str(r) for r in ds.readers], [str(w) for w in ds.writers]
    bucket_arn, objects_arn = f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"
    statements: list[dict[str, Any]] = []
    can_read = sorted(set(readers) | set(writers))
    if can_read:
        statements.append(statement(
            "Allow", ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:ListBucketVersions"],
            [bucket_arn, objects_arn], sid="DatasetRead", principal={"CW": can_read}))
    if writers:
        statements.append(statement(
            "Allow", ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
            [objects_arn], sid="DatasetWrite", principal={"CW": sorted(set(writers))}))
    statements.append(statement("Deny", ["s3:DeleteObjectVersion"], [objects_arn],
                                sid="DenyVersionDeletion", principal={"CW": ["*"]}))
    return {"Version": POLICY_VERSION, "Statement": statements}


def _policy_json(bucket: pulumi.Input[str], ds: DatasetBucketConfig) -> pulumi.Output[str]:
    """The policy text; principals may be outputs (resolved before rendering)."""
    def render(args: list[Any]) -> str:
        name, readers, writers = args
        return json.dumps(dataset_bucket_policy(name, readers=readers, writers=writers), indent=2)

    return pulumi.Output.all(bucket, pulumi.Output.from_input(list(ds.readers)),
                             pulumi.Output.from_input(list(ds.writers))).apply(render)


class CoreWeaveGpuCluster(GpuCluster):
    """A CKS cluster with GPU NodePools, exposing the :class:`~pulumi_aiops.contract.GpuCluster`
    contract. See the module docstring for the token and a usage example.

    Attributes beyond the contract: ``config`` (the validated args), ``vpc`` (the created
    ``NetworkingVpc``, or ``None`` with ``vpc.vpcId``), ``cks_cluster``, ``coreweave_provider``,
    ``node_pools`` and ``cpu_node_pools`` (pool name → CustomResource), ``datasets`` (bucket name →
    bucket); ``ready`` (the CKS cluster and the NodePools: what a workload waits for).
    """

    api_server_endpoint: pulumi.Output[str]
    """The CKS API server endpoint."""
    service_account_oidc_issuer_url: pulumi.Output[str]
    """The cluster's service-account OIDC issuer URL (workload identity federation)."""
    vpc_id: pulumi.Output[str]
    """The id of the cluster's VPC (created, or the one brought with ``vpc.vpcId``)."""

    def __init__(self, name: str, args: CoreWeaveGpuClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        raw: Any = args
        where = f"CoreWeaveGpuCluster({name!r})"
        cfg = component_args(CoreWeaveClusterConfig, raw, where, {"name": name})
        # Before any resource is registered. The builder has checked the token under the stack-config
        # path already (aiops:platform.coreweave.tokenConfigKey), so this fails only in a program.
        token = require_token(cfg, where)
        super().__init__(TYPE_TOKEN, name, None, pulumi.ResourceOptions.merge(
            pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=OLD_TYPE_TOKEN)]), opts))

        self.config = cfg
        self.cloud = Cloud.COREWEAVE
        self.cluster_name = cfg.name
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(cfg.tags)

        self.coreweave_provider = coreweave.Provider(f"{name}-coreweave", token=token, opts=child)
        cw_opts = pulumi.ResourceOptions(parent=self, provider=self.coreweave_provider)

        stack = pulumi.get_stack()
        # Stack names may hold upper case, '_' or '.', which CKS names may not.
        cks_name = cfg.cks.name or re.sub(r"[^a-z0-9-]+", "-", f"{cfg.name}-{stack}".lower())[:30].strip("-")
        vpc_cfg = cfg.vpc
        self.vpc: coreweave.NetworkingVpc | None = None
        if vpc_cfg.vpc_id is None:
            vpc_args: dict[str, Any] = {
                "name": vpc_cfg.name or cks_name,
                "zone": cfg.cks.zone,
                "vpc_prefixes": [{"name": p.name, "value": p.value} for p in vpc_cfg.vpc_prefixes],
                "egress": {"disable_public_access": vpc_cfg.disable_public_egress},
                "ingress": {"disable_public_services": vpc_cfg.disable_public_services},
            }
            if vpc_cfg.host_prefix:
                vpc_args["host_prefix"] = vpc_cfg.host_prefix
            if vpc_cfg.host_prefixes:
                vpc_args["host_prefixes"] = [
                    {"name": h.name, "type": h.type.value, "prefixes": h.prefixes,
                     **({"ipam": {"prefix_length": h.ipam.prefix_length,
                                  **({"gateway_address_policy": h.ipam.gateway_address_policy}
                                     if h.ipam.gateway_address_policy else {})}} if h.ipam else {})}
                    for h in vpc_cfg.host_prefixes]
            if vpc_cfg.dns_servers:
                vpc_args["dhcp"] = {"dns": {"servers": vpc_cfg.dns_servers}}
            self.vpc = coreweave.NetworkingVpc(f"{name}-vpc", **vpc_args, opts=cw_opts)
            self.vpc_id = self.vpc.id
        else:
            self.vpc_id = pulumi.Output.from_input(vpc_cfg.vpc_id)

        cks = cfg.cks
        cks_args: dict[str, Any] = {
            "name": cks_name,
            "version": cks.version,
            "zone": cks.zone,
            "vpc_id": self.vpc_id,
            "public": cks.api_access is ApiAccess.PUBLIC,
            "pod_cidr_name": cks.pod_cidr_name,
            "service_cidr_name": cks.service_cidr_name,
            "internal_lb_cidr_names": cks.internal_lb_cidr_names,
        }
        audit = cks.audit_policy_b64()
        if audit is not None:
            cks_args["audit_policy"] = audit
        if cks.additional_server_sans:
            cks_args["additional_server_sans"] = cks.additional_server_sans
        if cks.oidc is not None:
            oidc = cks.oidc.model_dump(exclude_none=True)
            if not oidc.get("signing_algs"):
                oidc.pop("signing_algs", None)
            cks_args["oidc"] = oidc
        self.cks_cluster = coreweave.CksCluster(f"{name}-cks", **cks_args, opts=cw_opts)
        self.api_server_endpoint = self.cks_cluster.api_server_endpoint
        self.service_account_oidc_issuer_url = self.cks_cluster.service_account_oidc_issuer_url

        self.kubeconfig = build_kubeconfig(cks_name, self.cks_cluster.api_server_endpoint, token)
        self.provider = k8s.Provider(
            f"{name}-k8s", kubeconfig=self.kubeconfig,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.cks_cluster]))

        gpu_labels = {GPU_NODE_LABEL: "true"}
        self.gpu_node_selector = dict(gpu_labels)
        self.gpu_tolerations = [gpu_toleration()]
        self.node_pools: dict[str, k8s.apiextensions.CustomResource] = {}
        self.gpu_capacity = []
        for pool in cfg.node_pools:
            spec = resolve(Cloud.COREWEAVE, pool.instance_type, pool.gpu_spec)
            self.node_pools[pool.name] = k8s.apiextensions.CustomResource(
                f"{name}-pool-{pool.name}",
                api_version=NODEPOOL_API_VERSION,
                kind=NODEPOOL_KIND,
                metadata={"name": pool.name,
                          "labels": {"app.kubernetes.io/managed-by": "pulumi-aiops",
                                     "pulumi-aiops/cluster": cfg.name}},
                spec=nodepool_manifest(pool, gpu_labels),
                # With autoscaling on, CKS's autoscaler owns spec.targetNodes: `pulumi up` must
                # not reset the pool to its initial size.
                opts=pulumi.ResourceOptions(
                    parent=self, provider=self.provider,
                    ignore_changes=["spec.targetNodes"] if pool.autoscaling is Autoscaling.ENABLED else None),
            )
            self.gpu_capacity.append(GpuCapacity(
                cluster=cfg.name, cloud=Cloud.COREWEAVE, pool=pool.name,
                instance_type=pool.instance_type, gpu_model=spec.gpu_model,
                gpus_per_node=spec.gpu_count, min_nodes=pool.effective_min,
                max_nodes=pool.effective_max, capacity_type=CapacityType.ON_DEMAND,
                declared=spec.declared, price_per_hour_usd=spec.price_per_hour_usd,
                vcpus=spec.vcpus, memory_gib=spec.memory_gib, gpu_memory_gib=spec.gpu_memory_gib,
                # InfiniBand types: a multi-node server's pods request the fabric (rdma/ib).
                rdma="infiniband" if spec.interconnect is not None and spec.interconnect.value == "infiniband"
                else "none", rdma_devices=1 if spec.interconnect is not None
                and spec.interconnect.value == "infiniband" else 0))
        # CPU pools: no GPU taint, the system label; where the workloads that need no GPU run.
        system_labels = {COREWEAVE_SYSTEM_LABEL: "true"}
        self.cpu_node_pools: dict[str, k8s.apiextensions.CustomResource] = {}
        for cpu_pool in cfg.cpu_node_pools:
            self.cpu_node_pools[cpu_pool.name] = k8s.apiextensions.CustomResource(
                f"{name}-pool-{cpu_pool.name}",
                api_version=NODEPOOL_API_VERSION,
                kind=NODEPOOL_KIND,
                metadata={"name": cpu_pool.name,
                          "labels": {"app.kubernetes.io/managed-by": "pulumi-aiops",
                                     "pulumi-aiops/cluster": cfg.name}},
                spec=nodepool_manifest(cpu_pool, system_labels),
                opts=pulumi.ResourceOptions(
                    parent=self, provider=self.provider,
                    ignore_changes=["spec.targetNodes"] if cpu_pool.autoscaling is Autoscaling.ENABLED else None),
            )
        self.system_node_selector = dict(system_labels) if cfg.cpu_node_pools else {}
        self.system_tolerations = _tolerations_of(cfg.cpu_node_pools)
        # What a workload waits for: the control plane (the provider depends on it too) and the
        # node pools; not the dataset buckets or anything else under this component.
        self.ready = [self.cks_cluster, *self.node_pools.values(), *self.cpu_node_pools.values()]

        self.datasets: dict[str, coreweave.ObjectStorageBucket] = {}
        for ds in cfg.datasets:
            keep = pulumi.ResourceOptions(parent=self, provider=self.coreweave_provider,
                                          protect=True, retain_on_delete=True)
            bucket = coreweave.ObjectStorageBucket(
                f"{name}-ds-{ds.name}", name=ds.name, zone=ds.zone or cks.zone, tags=tags or None,
                opts=keep)
            coreweave.ObjectStorageBucketVersioning(
                f"{name}-ds-{ds.name}-versioning", bucket=bucket.name,
                versioning_configuration={"status": ds.versioning.value}, opts=keep)
            coreweave.ObjectStorageBucketPolicy(
                f"{name}-ds-{ds.name}-policy", bucket=bucket.name,
                policy=_policy_json(bucket.name, ds),
                opts=keep)
            self.datasets[ds.name] = bucket

        self._register_contract_outputs({
            "apiServerEndpoint": self.cks_cluster.api_server_endpoint,
            "serviceAccountOidcIssuerUrl": self.cks_cluster.service_account_oidc_issuer_url,
            "zone": cks.zone,
            "vpcId": self.vpc_id,
            "datasetBuckets": [b.name for b in self.datasets.values()],
        })
