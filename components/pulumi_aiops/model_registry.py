"""``ModelRegistry``: models as versioned, deployable artifacts.

A model version is a manifest: name, version, source (a Hugging Face repo pinned to a commit),
every file with its size and SHA-256, licence and intended use
(:class:`~pulumi_aiops.config.serving.ModelVersionConfig`). The registry stores each manifest
beside the weights, at ``<prefix><name>/<version>/manifest.json``, and offers two roles, as
awslabs' ai-on-eks does:

* a **read-write role** for the sync job that copies a version's pinned files into the registry
  (``model_weights.py publish``, after verifying every digest); trusted by ``sync.trustedPrincipals``
  (e.g. a CI role) and, with ``sync_eks_cluster_name``, by the sync job's pods through EKS Pod
  Identity (``sync.namespace``/``sync.serviceAccount``);
* a **read-only role** for serving: each :class:`~pulumi_aiops.workloads.ModelServer` on EKS gets it
  through a Pod Identity association for its namespace and service account (read ``<prefix>*`` and
  decrypt with the registry's key; nothing else).

Where the versions live (``storage``):

* ``bucket`` (default): its own S3 bucket from :func:`~pulumi_aiops.aws.bucket.secure_bucket`:
  versioned, SSE-KMS with its own rotating key, TLS only, public access blocked, access logs to a
  log bucket, protected and retained on delete (a deleted version would break every server that
  runs it);
* ``data-lake``: the ``models/`` prefix of a :class:`~pulumi_aiops.data_lake.DataLake`'s curated
  bucket (its key and bucket policies), with the roles' statements from the lake's grants;
* ``coreweave``: a CoreWeave AI Object Storage bucket (versioned, a bucket policy naming the
  reader and writer principals) for servers on CKS. CoreWeave has no IAM roles: the servers read
  with a reader principal's **access key**, which you create in the Cloud Console (Object Storage →
  Keys; or with Workload Identity Federation) and store as the Secret
  ``coreweave.credentialsSecret`` (keys ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``) in each
  serving namespace. Inside CKS the servers read through LOTA (``http://cwlota.com``), CoreWeave's
  cache of object storage on the GPU nodes' local NVMe. The provider has no object resource, so the
  sync job writes the manifests there (``publish --upload-manifest``).

On AWS, Pulumi writes each manifest object itself (``aws.s3.BucketObjectv2``, SSE-KMS); the manifest
a server verifies against is pinned by its SHA-256 in the server's pod template, so a manifest
changed later is refused by the pods.

Example::

    import pulumi_aws as aws
    from pulumi_aiops.aws.iam import service_trust
    from pulumi_aiops.model_registry import ModelRegistry

    ci_role = aws.iam.Role("model-sync-ci", assume_role_policy=service_trust("codebuild.amazonaws.com"))
    registry = ModelRegistry("models", {
        "models": [{"name": "qwen2.5-0.5b-instruct", "version": "2024-09-19",
                    "source": {"hugging_face": {"repo": "Qwen/Qwen2.5-0.5B-Instruct",
                                                "revision": "7ae557604adf67be50417f59c2c2f167def9a775"}},
                    "license": "apache-2.0", "intended_use": "internal assistants",
                    "files": [{"path": "model.safetensors", "size_bytes": 988097824,
                               "sha256": "fdf756fa7fcbe7404d5c60e26bff1a0c8b8aa1f72ced49e7dd0210fe288fb7fe"}]}],
        "sync": {"trusted_principals": [ci_role.arn]},
        "tags": {"owner": "ml-platform", "cost-center": "cc-1", "data-classification": "internal"},
    })
    # ModelServer("chat", {"cluster": gpu, "registry": registry, "model": "qwen2.5-0.5b-instruct@2024-09-19"})
"""

# No `from __future__ import annotations`: Pulumi's schema inference reads the annotations of
# component classes as objects at run time.
import json
from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import ConfigDict, Field, InstanceOf, field_validator

from pulumi_aiops.args import ModelRegistryArgs
from pulumi_aiops.aws.bucket import SecureBucket, secure_bucket
from pulumi_aiops.aws.formats import IAM_PRINCIPAL, check_tags, checked
from pulumi_aiops.aws.iam import document, statement
from pulumi_aiops.aws.kms import kms_key
from pulumi_aiops.config.base import Wired, component_args
from pulumi_aiops.config.serving import (
    ModelRegistryConfig,
    ModelRegistryRef,
    ModelVersionConfig,
    RegistryStorage,
)
from pulumi_aiops.data_lake import DataLake
from pulumi_aiops.errors import ConfigError

__all__ = ["COREWEAVE_LOTA_ENDPOINT", "TYPE_TOKEN", "ModelRegistry", "ModelRegistryArgs", "ModelRegistryArgsModel"]

TYPE_TOKEN = "aiops:index:ModelRegistry"
#: CoreWeave AI Object Storage endpoints (docs.coreweave.com, "Configure endpoints"): LOTA inside
#: a CoreWeave cluster, the primary endpoint outside; both need virtual-hosted addressing.
COREWEAVE_LOTA_ENDPOINT = "http://cwlota.com"
COREWEAVE_PRIMARY_ENDPOINT = "https://cwobject.com"
_POD_IDENTITY = "pods.eks.amazonaws.com"
_S3_READ = ["s3:GetObject", "s3:GetObjectVersion"]
_S3_WRITE = ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]


class ModelRegistryArgsModel(ModelRegistryConfig):
    """Arguments of :class:`ModelRegistry`: the ``modelRegistry`` config section plus wiring."""

    model_config = ConfigDict(title="ModelRegistryArgs")

    data_lake: InstanceOf[DataLake] | None = Field(
        None, description="The data lake whose curated bucket holds the versions (storage data-lake). @default none")
    sync_eks_cluster_name: Wired[str] | None = Field(
        None, description="The EKS cluster (its name or output) where the sync job runs as a pod; the read-write role "
                          "gets a Pod Identity association for sync.namespace/sync.serviceAccount there. @default none")
    tags: dict[str, str] = Field(default_factory=dict, description="Governance tags on every taggable resource. "
                                                                   "@default {}")

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: dict[str, str]) -> dict[str, str]:
        return check_tags(v)


def _validate(name: str, args: Any) -> ModelRegistryArgsModel:
    where = f"ModelRegistry({name!r})"
    cfg = component_args(ModelRegistryArgsModel, args, where)
    if cfg.storage is RegistryStorage.DATA_LAKE and cfg.data_lake is None:
        raise ConfigError(f"{where}.dataLake: is required with storage data-lake (the lake whose curated bucket holds "
                          "the versions)")
    if cfg.storage is not RegistryStorage.DATA_LAKE and cfg.data_lake is not None:
        raise ConfigError(f"{where}.dataLake: is only used with storage data-lake (storage is {cfg.storage.value!r})")
    if cfg.storage is RegistryStorage.COREWEAVE and (cfg.sync.trusted_principals or cfg.sync_eks_cluster_name):
        raise ConfigError(f"{where}.sync: IAM principals and Pod Identity are AWS; a CoreWeave registry names its "
                          "writers in coreweave.writers")
    if name != name.lower() or len(name) > 40:
        raise ConfigError(f"{where}: the name is not allowed; bucket names derive from it: at most 40 lowercase "
                          "letters, digits and '-'")
    return cfg


class ModelRegistry(pulumi.ComponentResource):
    """Model versions with their manifests, and the roles that write and read them. See the module
    docstring; :meth:`ref` gives what a :class:`~pulumi_aiops.workloads.ModelServer` needs."""

    bucket_name: pulumi.Output[str]
    """The bucket holding the versions."""
    prefix: pulumi.Output[str]
    """The key prefix of every version (``models/``)."""
    reader_role_arn: pulumi.Output[str]
    """The read-only role of the servers (AWS; empty on CoreWeave)."""
    writer_role_arn: pulumi.Output[str]
    """The read-write role of the sync job (AWS; empty on CoreWeave)."""
    manifests: pulumi.Output[dict[str, str]]
    """The manifest of each version, ``name@version`` → ``s3://bucket/<prefix><name>/<version>/manifest.json``."""

    def __init__(self, name: str, args: ModelRegistryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        cfg = _validate(name, args)
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.config = cfg
        self.models: dict[str, ModelVersionConfig] = {m.ref: m for m in cfg.models}
        tags = dict(cfg.tags)
        self.kms_key_arn: pulumi.Output[str] | None = None
        self.endpoint_url: str | None = None
        self.credentials_secret: str | None = None
        self.secure_bucket: SecureBucket | None = None
        self.manifest_objects: dict[str, aws.s3.BucketObjectv2] = {}
        bucket_arn: pulumi.Output[str]

        if cfg.storage is RegistryStorage.COREWEAVE:
            self._coreweave(name, cfg, tags)
            self.reader_role_arn = pulumi.Output.from_input("")
            self.writer_role_arn = pulumi.Output.from_input("")
            self.manifests = pulumi.Output.all(self.bucket_name).apply(
                lambda b: {ref: f"s3://{b[0]}/{m.key_prefix(cfg.prefix)}manifest.json"
                           for ref, m in self.models.items()})
            self._finish()
            return

        if cfg.storage is RegistryStorage.DATA_LAKE:
            lake = cfg.data_lake
            assert lake is not None
            bucket = lake.bucket("curated")
            self.bucket_name, bucket_arn = bucket.bucket, bucket.arn
            self.kms_key_arn = lake.kms_key_arn
            read = lake.read_statements(cfg.prefix)
            write = lake.write_statements(cfg.prefix)
            bucket_id: pulumi.Input[str] = bucket.id
        else:
            key = kms_key(f"{name}-key", parent=self, description=f"pulumi-aiops model registry {name}",
                          tags=tags, alias=f"alias/aiops/{name}-models", alias_resource_name=f"{name}-key-alias")
            self.kms_key_arn = key.arn
            logs = secure_bucket(
                f"{name}-logs", parent=self, tags={**tags, "data-zone": "logs"}, bucket_key_enabled=False,
                lifecycle_rules=[{"id": "expire-logs", "status": "Enabled", "filter": {"prefix": ""},
                                  "expiration": {"days": 365},
                                  "noncurrent_version_expiration": {"noncurrent_days": 30}}],
                policy_sort_keys=True)
            sb = secure_bucket(f"{name}-models", parent=self, tags={**tags, "data-zone": "models"},
                               kms_key_arn=key.arn, log_to=logs, log_prefix="models/", policy_statements=[],
                               policy_sort_keys=True)
            account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
            logs.attach_policy([statement(
                "Allow", "s3:PutObject", pulumi.Output.concat(logs.arn, "/*"), sid="S3ServerAccessLogs",
                principal={"Service": "logging.s3.amazonaws.com"},
                condition={"StringEquals": {"aws:SourceAccount": account}, "ArnLike": {"aws:SourceArn": sb.arn}})])
            self.secure_bucket = sb
            self.bucket_name, bucket_arn = sb.bucket.bucket, sb.arn
            bucket_id = sb.bucket.id
            objects = pulumi.Output.concat(bucket_arn, "/", cfg.prefix, "*")
            list_stmt = statement("Allow", "s3:ListBucket", bucket_arn, sid="ListModels",
                                  condition={"StringLike": {"s3:prefix": [f"{cfg.prefix}*"]}})
            read = [statement("Allow", _S3_READ, objects, sid="ReadModels"), list_stmt,
                    statement("Allow", ["kms:Decrypt", "kms:DescribeKey"], key.arn, sid="UseRegistryKey")]
            write = [statement("Allow", _S3_READ, objects, sid="ReadModels"),
                     statement("Allow", _S3_WRITE, objects, sid="WriteModels"), list_stmt,
                     statement("Allow", ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
                               key.arn, sid="UseRegistryKey")]

        self._roles(name, cfg, tags, read, write)
        for ref, m in self.models.items():
            self.manifest_objects[ref] = aws.s3.BucketObjectv2(
                f"{name}-manifest-{m.name}-{m.version}",
                bucket=bucket_id, key=f"{m.key_prefix(cfg.prefix)}manifest.json",
                content=m.manifest_bytes().decode(), content_type="application/json",
                server_side_encryption="aws:kms", kms_key_id=self.kms_key_arn,
                tags={**tags, "model": m.name, "model-version": m.version, "license": m.license},
                opts=pulumi.ResourceOptions(parent=self, depends_on=self.secure_bucket.resources
                                            if self.secure_bucket else None))
        self.manifests = self.bucket_name.apply(
            lambda b: {ref: f"s3://{b}/{m.key_prefix(cfg.prefix)}manifest.json" for ref, m in self.models.items()})
        self._finish()

    # -- public ---------------------------------------------------------------------------------
    def ref(self) -> ModelRegistryRef:
        """The registry by value: what a server needs (bucket, prefix, reader, versions)."""
        if self.config.storage is RegistryStorage.COREWEAVE:
            assert self.config.coreweave is not None
            region: Any = self.config.coreweave.zone
        else:
            region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
        return ModelRegistryRef(
            storage=self.config.storage, bucket=self.bucket_name, prefix=self.config.prefix, region=region,
            endpoint_url=self.endpoint_url,
            reader_role_arn=None if self.config.storage is RegistryStorage.COREWEAVE else self.reader_role_arn,
            credentials_secret=self.credentials_secret, models=list(self.config.models))

    # -- internals ------------------------------------------------------------------------------
    def _finish(self) -> None:
        self.prefix = pulumi.Output.from_input(self.config.prefix)
        self.register_outputs({
            "bucketName": self.bucket_name, "prefix": self.prefix, "readerRoleArn": self.reader_role_arn,
            "writerRoleArn": self.writer_role_arn, "manifests": self.manifests,
            "storage": self.config.storage.value,
            "models": [{"ref": m.ref, "license": m.license, "sizeBytes": m.total_bytes,
                        "source": f"{m.source.hugging_face.repo}@{m.source.hugging_face.revision}"}
                       for m in self.config.models],
        })

    def _roles(self, name: str, cfg: ModelRegistryArgsModel, tags: dict[str, str],
               read: list[dict[str, Any]], write: list[dict[str, Any]]) -> None:
        where = f"ModelRegistry({name!r}).sync"
        pod = statement("Allow", ["sts:AssumeRole", "sts:TagSession"], principal={"Service": _POD_IDENTITY})
        reader = aws.iam.Role(
            f"{name}-reader", description=f"Model registry {name}: read-only, for model servers (EKS Pod Identity)",
            assume_role_policy=document([pod], sort_keys=True), max_session_duration=3600,
            tags={**tags, "access": "read"}, opts=pulumi.ResourceOptions(parent=self))
        aws.iam.RolePolicy(f"{name}-reader-access", role=reader.name, policy=document(read, sort_keys=True),
                           opts=pulumi.ResourceOptions(parent=self))
        trust = []
        if cfg.sync.trusted_principals:
            principals = [checked(p, IAM_PRINCIPAL, f"{where}.trustedPrincipals[{j}]")
                          for j, p in enumerate(cfg.sync.trusted_principals)]
            trust.append(statement("Allow", "sts:AssumeRole", principal={"AWS": principals}))
        trust.append(pod)
        writer = aws.iam.Role(
            f"{name}-writer", description=f"Model registry {name}: read-write, for the sync job",
            assume_role_policy=document(trust, sort_keys=True), max_session_duration=3600,
            tags={**tags, "access": "write"}, opts=pulumi.ResourceOptions(parent=self))
        aws.iam.RolePolicy(f"{name}-writer-access", role=writer.name, policy=document(write, sort_keys=True),
                           opts=pulumi.ResourceOptions(parent=self))
        if cfg.sync_eks_cluster_name is not None:
            aws.eks.PodIdentityAssociation(
                f"{name}-writer-pod-identity", cluster_name=cfg.sync_eks_cluster_name,
                namespace=cfg.sync.namespace, service_account=cfg.sync.service_account, role_arn=writer.arn,
                tags=tags, opts=pulumi.ResourceOptions(parent=self))
        self.reader_role = reader
        self.writer_role = writer
        self.reader_role_arn = reader.arn
        self.writer_role_arn = writer.arn

    def _coreweave(self, name: str, cfg: ModelRegistryArgsModel, tags: dict[str, str]) -> None:
        import pulumi_coreweave as coreweave

        from pulumi_aiops.coreweave_gpu_cluster import dataset_bucket_policy

        cw = cfg.coreweave
        assert cw is not None
        keep = pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True)
        bucket = coreweave.ObjectStorageBucket(f"{name}-models", zone=cw.zone, tags=tags or None, opts=keep)
        coreweave.ObjectStorageBucketVersioning(
            f"{name}-models-versioning", bucket=bucket.name,
            versioning_configuration={"status": "Enabled"}, opts=keep)
        coreweave.ObjectStorageBucketPolicy(
            f"{name}-models-policy", bucket=bucket.name,
            policy=bucket.name.apply(lambda b: json.dumps(
                dataset_bucket_policy(b, readers=list(cw.readers), writers=list(cw.writers)), indent=2)),
            opts=keep)
        self.bucket_name = bucket.name
        self.endpoint_url = COREWEAVE_LOTA_ENDPOINT
        self.credentials_secret = cw.credentials_secret
