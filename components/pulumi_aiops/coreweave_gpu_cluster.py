"""A GPU cluster on CoreWeave Kubernetes Service (CKS), implementing the GPU-cluster contract.

:class:`CoreWeaveGpuCluster` creates, with the official ``pulumi-coreweave`` provider:

* a ``NetworkingVpc`` (zone, host prefixes, VPC prefixes for pods, services, internal LBs);
* a ``CksCluster`` whose API server is private by default and runs an audit policy;
* a kubeconfig built from the cluster's ``api_server_endpoint`` and the CoreWeave API token
  (secret), and a ``kubernetes.Provider`` on it;
* GPU capacity as CKS ``NodePool`` custom resources (``compute.coreweave.com/v1alpha1``),
  applied through that provider. CoreWeave manages the NVIDIA drivers, device plugin and GPU
  Operator on CKS and says not to install them, so this component installs none;
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

Example::

    from pulumi_aiops.coreweave_gpu_cluster import CoreWeaveGpuCluster

    cw = CoreWeaveGpuCluster("cw-gpu", {
        "cks": {"zone": "US-EAST-04A"},
        "node_pools": [{"name": "h100", "instance_type": "gd-8xh100ib-i128",
                        "target_nodes": 1, "min_nodes": 0, "max_nodes": 2, "autoscaling": "enabled"}],
    }, tags={"owner": "ml-platform", "cost-center": "cc-1", "data-classification": "internal"})
    # cw.provider, cw.gpu_node_selector, cw.gpu_tolerations: the GpuCluster contract
"""

from __future__ import annotations

import json
import re
from typing import Any, TypedDict

import pulumi
import pulumi_coreweave as coreweave
import pulumi_kubernetes as k8s
from pulumi.runtime.config import is_config_secret

from pulumi_aiops.catalog import Cloud, resolve
from pulumi_aiops.config.base import validate_model
from pulumi_aiops.config.coreweave import (
    ApiAccess,
    Autoscaling,
    CksConfig,
    CoreWeaveClusterConfig,
    DatasetBucketConfig,
    NodePoolConfig,
    VpcConfig,
)
from pulumi_aiops.contract import CapacityType, GpuCapacity, GpuCluster, gpu_toleration
from pulumi_aiops.errors import ConfigError

__all__ = [
    "GPU_NODE_LABEL",
    "NODEPOOL_API_VERSION",
    "CoreWeaveGpuCluster",
    "CoreWeaveGpuClusterArgs",
    "build_kubeconfig",
    "dataset_bucket_policy",
    "nodepool_manifest",
    "require_token",
]

#: API version and kind of CKS NodePools (cluster-scoped).
NODEPOOL_API_VERSION = "compute.coreweave.com/v1alpha1"
NODEPOOL_KIND = "NodePool"
#: Label this component puts on every node of its GPU NodePools; the GPU node selector.
GPU_NODE_LABEL = "pulumi-aiops/gpu"


class CoreWeaveGpuClusterArgs(TypedDict, total=False):
    """Arguments of :class:`CoreWeaveGpuCluster` (snake_case or camelCase keys).

    Validated with :class:`~pulumi_aiops.config.coreweave.CoreWeaveClusterConfig`, the same
    model as the ``aiops:platform.coreweave`` stack config.
    """

    name: str
    """Logical cluster name, unique within the stack. @default the resource name"""
    token_config_key: str
    """SECRET stack config key holding the CoreWeave API token. @default "coreweave:token\""""
    vpc: dict[str, Any] | VpcConfig
    """The VPC (zone, hostPrefix(es), vpcPrefixes, egress/ingress). @default a new VPC with pod,
    service and internal-LB prefixes"""
    cks: dict[str, Any] | CksConfig
    """The CKS cluster (version, zone, CIDR names, apiAccess, auditPolicy, oidc).
    @default v1.35 in US-EAST-04A, private API server, default audit policy"""
    node_pools: list[dict[str, Any] | NodePoolConfig]
    """GPU NodePools (instanceType, gpuSpec for a type the catalogue does not list, targetNodes,
    minNodes, maxNodes, autoscaling, nodeLabels, nodeTaints, scaleDownStrategy). @default []"""
    datasets: list[dict[str, Any] | DatasetBucketConfig]
    """AI Object Storage buckets for datasets (versioned, with a bucket policy). @default []"""


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


def nodepool_manifest(pool: NodePoolConfig, extra_labels: dict[str, str] | None = None) -> dict[str, Any]:
    """The ``spec`` of a CKS NodePool for ``pool``, per CoreWeave's NodePool schema."""
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


def dataset_bucket_policy(bucket: str, ds: DatasetBucketConfig) -> dict[str, Any]:
    """The S3-compatible bucket policy of a dataset bucket (``Principal`` uses CoreWeave's ``CW``)."""
    bucket_arn, objects_arn = f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"
    statements: list[dict[str, Any]] = []
    readers = sorted(set(ds.readers) | set(ds.writers))
    if readers:
        statements.append({
            "Sid": "DatasetRead", "Effect": "Allow", "Principal": {"CW": readers},
            "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:ListBucketVersions"],
            "Resource": [bucket_arn, objects_arn]})
    if ds.writers:
        statements.append({
            "Sid": "DatasetWrite", "Effect": "Allow", "Principal": {"CW": sorted(set(ds.writers))},
            "Action": ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
            "Resource": [objects_arn]})
    statements.append({
        "Sid": "DenyVersionDeletion", "Effect": "Deny", "Principal": {"CW": ["*"]},
        "Action": ["s3:DeleteObjectVersion"], "Resource": [objects_arn]})
    return {"Version": "2012-10-17", "Statement": statements}


def _policy_json(ds: DatasetBucketConfig) -> Any:
    def render(bucket: str) -> str:
        return json.dumps(dataset_bucket_policy(bucket, ds), indent=2)
    return render


class CoreWeaveGpuCluster(GpuCluster):
    """A CKS cluster with GPU NodePools, exposing the :class:`~pulumi_aiops.contract.GpuCluster`
    contract. See the module docstring for the token and a usage example.

    Attributes beyond the contract: :attr:`vpc`, :attr:`cks_cluster`, :attr:`coreweave_provider`,
    :attr:`node_pools` (name → CustomResource), :attr:`datasets` (name → bucket).
    """

    def __init__(
        self,
        name: str,
        args: CoreWeaveGpuClusterArgs | CoreWeaveClusterConfig | None = None,
        *,
        tags: dict[str, str] | None = None,
        config_path: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if isinstance(args, CoreWeaveClusterConfig):
            cfg = args
        else:
            data = dict(args or {})
            data.setdefault("name", name)
            cfg = validate_model(CoreWeaveClusterConfig, data, f"CoreWeaveGpuCluster({name!r})")
        path = config_path or f"CoreWeaveGpuCluster({name!r})"
        token = require_token(cfg, path)  # before any resource is registered
        super().__init__("aiops:coreweave:CoreWeaveGpuCluster", name, None, opts)

        self.config = cfg
        self.cloud = Cloud.COREWEAVE
        self.cluster_name = cfg.name
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(tags or {})

        self.coreweave_provider = coreweave.Provider(f"{name}-coreweave", token=token, opts=child)
        cw_opts = pulumi.ResourceOptions(parent=self, provider=self.coreweave_provider)

        stack = pulumi.get_stack()
        # Stack names may hold upper case, '_' or '.', which CKS names may not.
        cks_name = cfg.cks.name or re.sub(r"[^a-z0-9-]+", "-", f"{cfg.name}-{stack}".lower())[:30].strip("-")
        vpc_cfg = cfg.vpc
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

        cks = cfg.cks
        cks_args: dict[str, Any] = {
            "name": cks_name,
            "version": cks.version,
            "zone": cks.zone,
            "vpc_id": self.vpc.id,
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
                declared=spec.declared, price_per_hour_usd=spec.price_per_hour_usd))

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
                policy=bucket.name.apply(_policy_json(ds)),
                opts=keep)
            self.datasets[ds.name] = bucket

        self._register_contract_outputs({
            "apiServerEndpoint": self.cks_cluster.api_server_endpoint,
            "serviceAccountOidcIssuerUrl": self.cks_cluster.service_account_oidc_issuer_url,
            "zone": cks.zone,
            "datasetBuckets": [b.name for b in self.datasets.values()],
        })
