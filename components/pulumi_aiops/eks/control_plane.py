"""``EksControlPlane``: a private EKS control plane in a VPC you pass in.

The cluster (authentication mode ``API``, no self-managed add-ons), Secrets envelope-encrypted
with a KMS key (created with an explicit key policy, rotation on, protected; or yours), all
control-plane logs to a protected log group encrypted with that key, the cluster role (or
yours), an access entry with AmazonEKSClusterAdminPolicy per ``access.adminPrincipalArns``
(named by a hash of the ARN, so reordering the list renames nothing), the IAM OIDC provider
(IRSA), the add-ons that need no nodes (vpc-cni, which enforces NetworkPolicies; kube-proxy;
eks-pod-identity-agent), the node role (or yours), a secret kubeconfig and a Kubernetes provider.
``deployerAccess`` (security groups, CIDRs) adds ingress rules on 443 to the cluster security
group, so a CI runner or VPN host can reach the private API endpoint (the EKS user guide,
"Accessing a private only API server"); the provider waits for them.

Node groups come next (:class:`~pulumi_aiops.eks.node_group.GpuNodeGroup`,
:class:`~pulumi_aiops.eks.node_group.SystemNodeGroup`), then :meth:`EksControlPlane.core_addons`
(CoreDNS and the EBS CSI driver need nodes to become ready). With a brought ``roleArn`` the role
must already allow the KMS key (kms:Encrypt, Decrypt, DescribeKey, ListGrants).

Example::

    from pulumi_aiops.eks import EksControlPlane, SystemNodeGroup, Vpc

    vpc = Vpc("ml", {"az_count": 2, "nat_gateways": "SINGLE"})
    cp = EksControlPlane("ml", {"vpc_id": vpc.vpc_id, "subnet_ids": vpc.private_subnet_ids,
                                "access": {"admin_principal_arns": [admin_role.arn]}})
    system = SystemNodeGroup("ml-system", {"cluster_name": cp.cluster_name, "node_role_arn": cp.node_role_arn,
                                           "subnet_ids": vpc.private_subnet_ids},
                             opts=pulumi.ResourceOptions(depends_on=cp.compute_dependencies))
    cp.core_addons(after=[system])
    role = cp.workload_role("vllm", namespace="inference", service_account="vllm")
"""

import hashlib
import json
from collections.abc import Sequence
from typing import Any, NamedTuple

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from pulumi_aiops.args import EksControlPlaneArgs
from pulumi_aiops.aws.deployer_access import admit_deployer
from pulumi_aiops.aws.formats import IAM_ROLE_OR_USER, KMS_KEY_ARN, SUBNET_ID, VPC_ID, checked, checked_list
from pulumi_aiops.aws.iam import document, service_trust, statement
from pulumi_aiops.config.base import component_args, is_known
from pulumi_aiops.config.eks_pieces import EksControlPlaneConfig
from pulumi_aiops.eks._common import LOGS_KEY_ACTIONS, ROLE_ARN, EksPiece, managed_policy_arn

__all__ = [
    "ADDON_CONFIGURATION",
    "TYPE_TOKEN",
    "CoreAddons",
    "EksControlPlane",
    "EksControlPlaneArgs",
    "kubeconfig_json",
]

TYPE_TOKEN = "aiops:index:EksControlPlane"
#: EKS Pod Identity roles (the EBS CSI driver's, workload_role): the trust of the EKS user guide,
#: "Create IAM role with trust policy required by EKS Pod Identity" (pods.eks.amazonaws.com,
#: sts:AssumeRole and sts:TagSession).
_POD_TRUST = service_trust("pods.eks.amazonaws.com", tag_session=True)
#: The node role: the EKS user guide, "Amazon EKS node IAM role" (trust ec2.amazonaws.com):
#: AmazonEKSWorkerNodePolicy (kubelet, and the Pod Identity agent's eks-auth:AssumeRoleForPodIdentity),
#: AmazonEC2ContainerRegistryPullOnly (images of the networking add-ons), AmazonEKS_CNI_Policy (the VPC
#: CNI, which this library does not give a role of its own; the guide prefers one: see README).
_NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly")


def _logs_key_policy(
    account: pulumi.Input[str],
    partition: pulumi.Input[str],
    region: pulumi.Input[str],
    log_group_name: str,
    *,
    sid: str,
) -> pulumi.Output[str]:
    """The control-plane key's policy, as 0.1.0 wrote it (the same text: no update on upgrade).

    The account administers the key; CloudWatch Logs of ``region`` may use
    it for the log group ``log_group_name`` only (the CloudWatch Logs user guide's pattern)."""
    return document([
        statement("Allow", "kms:*", "*", sid="AccountAdmin",
                  principal={"AWS": pulumi.Output.concat("arn:", partition, ":iam::", account, ":root")}),
        statement(
            "Allow",
            list(LOGS_KEY_ACTIONS),
            "*",
            sid=sid,
            principal={"Service": pulumi.Output.concat("logs.", region, ".amazonaws.com")},
            condition={"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": pulumi.Output.concat(
                "arn:", partition, ":logs:", region, ":", account, ":log-group:", log_group_name)}},
        ),
    ])


#: Add-on configuration values (JSON). The VPC CNI enforces Kubernetes NetworkPolicies only with
#: ``enableNetworkPolicy`` (EKS user guide, "Restrict Pod network traffic with Kubernetes network
#: policies"; VPC CNI 1.14 or later): without it the platform's default-deny policies are inert.
ADDON_CONFIGURATION: dict[str, str] = {"vpc-cni": json.dumps({"enableNetworkPolicy": "true"})}


class CoreAddons(NamedTuple):
    """What :meth:`EksControlPlane.core_addons` created."""

    coredns: aws.eks.Addon
    ebs_csi_driver: aws.eks.Addon
    ebs_csi_role: aws.iam.Role


def kubeconfig_json(endpoint: str, ca: str, cluster: str, region: str) -> str:
    """A kubeconfig that authenticates with ``aws eks get-token`` (the caller's AWS identity)."""
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": cluster, "cluster": {"server": endpoint, "certificate-authority-data": ca}}],
            "contexts": [{"name": cluster, "context": {"cluster": cluster, "user": cluster}}],
            "current-context": cluster,
            "users": [
                {
                    "name": cluster,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": [
                                "--region",
                                region,
                                "eks",
                                "get-token",
                                "--cluster-name",
                                cluster,
                                "--output",
                                "json",
                            ],
                            "interactiveMode": "Never",
                        }
                    },
                }
            ],
        }
    )


def principal_key(arn: str) -> str:
    """A short stable key of an IAM principal ARN, for child names (reordering keeps it)."""
    return hashlib.sha256(arn.encode()).hexdigest()[:10]


class EksControlPlane(EksPiece):
    """A private EKS control plane with KMS, logs, access entries, OIDC and the node role.

    See the module docstring for what it creates and an example.
    """

    cluster_name: pulumi.Output[str]
    cluster_arn: pulumi.Output[str]
    vpc_id: pulumi.Output[str]
    cluster_security_group_id: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]
    oidc_issuer_url: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]
    node_role_arn: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: EksControlPlaneArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        raw: Any = args  # or the validated model (EksGpuCluster passes one)
        cfg = component_args(EksControlPlaneConfig, raw, f"EksControlPlane({name!r})")
        super().__init__(TYPE_TOKEN, name, opts)
        self.config = cfg
        self._tags = dict(cfg.tags)
        # Plain values were checked by the args model; an output is checked once its value is known.
        self._where = f"EksControlPlane({name!r})"
        subnet_ids = checked_list(cfg.subnet_ids, SUBNET_ID, f"{self._where}.subnetIds")
        eks_name = cfg.cluster_name or f"{name}-{pulumi.get_stack()}"
        inv = pulumi.InvokeOptions(parent=self)
        account = aws.get_caller_identity_output(opts=inv).account_id
        partition = aws.get_partition_output(opts=inv).partition
        region = aws.get_region_output(opts=inv).region

        key_arn, own_key = self._kms(name, eks_name, cfg, account, partition, region)
        # Holds the audit log: protected, retained, and encrypted with our key when we own it.
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"/aws/eks/{eks_name}/cluster",
            retention_in_days=cfg.logging.retention_days,
            kms_key_id=key_arn if own_key else None,
            deletion_protection_enabled=True,
            tags=self._t(),
            opts=self._opts(protect=True, retain_on_delete=True),
        )
        role_arn, role_deps = self._cluster_role(name, cfg, key_arn, partition)
        cluster = aws.eks.Cluster(
            f"{name}-cluster",
            name=eks_name,
            version=cfg.version,
            role_arn=role_arn,
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=subnet_ids,
                endpoint_private_access=cfg.endpoint.private_access,
                endpoint_public_access=cfg.endpoint.public_access,
                public_access_cidrs=cfg.endpoint.public_access_cidrs if cfg.endpoint.public_access else None,
            ),
            encryption_config=aws.eks.ClusterEncryptionConfigArgs(
                provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=key_arn), resources=["secrets"]
            ),
            enabled_cluster_log_types=[t.value for t in cfg.logging.types],
            access_config=aws.eks.ClusterAccessConfigArgs(
                authentication_mode="API",
                bootstrap_cluster_creator_admin_permissions=cfg.access.bootstrap_creator_admin,
            ),
            bootstrap_self_managed_addons=False,
            tags=self._t(),
            opts=self._opts(depends_on=[log_group, *role_deps]),
        )
        self.cluster = cluster
        #: The ingress rules admitting the deployer (``deployerAccess``) to the API endpoint.
        self.deployer_rules: list[pulumi.Resource] = list(admit_deployer(
            name, cluster.vpc_config.cluster_security_group_id, cfg.deployer_access,
            where=f"{self._where}.deployerAccess", what=f"the EKS API of {eks_name}", tags=self._t(),
            opts=self._opts(new=True)))
        #: What a Kubernetes client must wait for: the admin access policies, and the network
        #: rules that let the deployer reach the private endpoint.
        self.admin_access: list[pulumi.Resource] = [*self._admins(name, cfg, cluster, partition),
                                                    *self.deployer_rules]

        self.oidc_issuer_url = cluster.identities[0].oidcs[0].issuer.apply(lambda u: u or "")
        oidc = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc",
            url=self.oidc_issuer_url,
            client_id_lists=["sts.amazonaws.com"],
            tags=self._t(),
            opts=self._opts(),
        )
        self.node_role_arn, node_role_deps = self._node_role(name, cfg, partition)
        addons = {
            a: self._addon(name, cluster, a, configuration_values=ADDON_CONFIGURATION.get(a))
            for a in ("vpc-cni", "kube-proxy", "eks-pod-identity-agent")
        }
        #: The Pod Identity agent: a PodIdentityAssociation's pods need it running.
        self.pod_identity_agent = addons["eks-pod-identity-agent"]
        #: What a node group waits for: the network add-ons and the node role's policies.
        self.compute_dependencies: list[pulumi.Resource] = [*addons.values(), *node_role_deps]

        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(cluster.endpoint, cluster.certificate_authority.data, cluster.name, region).apply(
                lambda a: kubeconfig_json(a[0], a[1], a[2], a[3])
            )
        )
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.kubeconfig,
            opts=self._opts(depends_on=self.admin_access),
        )
        self.cluster_name = cluster.name
        self.cluster_arn = cluster.arn
        self.vpc_id = pulumi.Output.from_input(checked(cfg.vpc_id, VPC_ID, f"{self._where}.vpcId"))
        self.cluster_security_group_id = cluster.vpc_config.cluster_security_group_id
        self.oidc_provider_arn = oidc.arn
        self.kms_key_arn = pulumi.Output.from_input(key_arn)
        self._partition = partition
        self.register_outputs({
            "clusterName": self.cluster_name,
            "clusterArn": self.cluster_arn,
            "vpcId": self.vpc_id,
            "clusterSecurityGroupId": self.cluster_security_group_id,
            "oidcProviderArn": self.oidc_provider_arn,
            "oidcIssuerUrl": self.oidc_issuer_url,
            "kmsKeyArn": self.kms_key_arn,
            "nodeRoleArn": self.node_role_arn,
            "kubeconfig": self.kubeconfig,
        })

    # -- after the nodes ------------------------------------------------------------------------
    def core_addons(self, after: Sequence[pulumi.Resource]) -> CoreAddons:
        """CoreDNS and the EBS CSI driver (with its Pod Identity role), once ``after`` (a node
        group) exists: both run pods, and EKS marks an add-on degraded until they are ready."""
        n = self._name
        role = aws.iam.Role(
            f"{n}-ebs-csi-role", assume_role_policy=_POD_TRUST, tags=self._t(), opts=self._opts()
        )
        # The EBS CSI controller's permissions: the AWS managed AmazonEBSCSIDriverPolicy (the EKS user
        # guide, "Create an Amazon EBS CSI driver IAM role"; aws-ebs-csi-driver docs/install.md). No KMS
        # statement: the gp3 StorageClass encrypts with the account's default EBS key; a customer key
        # (kmsKeyId, or a CMK as the account default) needs the KMS statement of that page.
        aws.iam.RolePolicyAttachment(
            f"{n}-ebs-csi-AmazonEBSCSIDriverPolicy",
            role=role.name,
            policy_arn=managed_policy_arn(self._partition, "service-role/AmazonEBSCSIDriverPolicy"),
            opts=self._opts(),
        )
        coredns = self._addon(n, self.cluster, "coredns", depends_on=after)
        ebs = self._addon(
            n,
            self.cluster,
            "aws-ebs-csi-driver",
            depends_on=[*after, self.pod_identity_agent],
            pod_identity=[
                aws.eks.AddonPodIdentityAssociationArgs(role_arn=role.arn, service_account="ebs-csi-controller-sa")
            ],
        )
        return CoreAddons(coredns, ebs, role)

    def workload_role(self, name: str, namespace: str, service_account: str) -> aws.iam.Role:
        """An IAM role assumed by pods of ``namespace/service_account`` through EKS Pod Identity.

        Attach policies to the returned role (e.g. a Bedrock invoke grant). Example::

            role = cp.workload_role("gateway", "ai-gateway", "litellm")
            aws.iam.RolePolicy("gateway-bedrock", role=role.id, policy=doc)
        """
        role = aws.iam.Role(
            f"{self._name}-{name}-role", assume_role_policy=_POD_TRUST, tags=self._t(), opts=self._opts()
        )
        aws.eks.PodIdentityAssociation(
            f"{self._name}-{name}-pod-identity",
            cluster_name=self.cluster.name,
            namespace=namespace,
            service_account=service_account,
            role_arn=role.arn,
            tags=self._t(),
            opts=self._opts(depends_on=[self.pod_identity_agent]),
        )
        return role

    # -- pieces ---------------------------------------------------------------------------------
    def _t(self, **more: str) -> dict[str, str]:
        return {**self._tags, **more}

    def _kms(
        self,
        n: str,
        eks_name: str,
        cfg: EksControlPlaneConfig,
        account: pulumi.Output[str],
        partition: pulumi.Output[str],
        region: pulumi.Output[str],
    ) -> tuple[pulumi.Input[str], bool]:
        if cfg.encryption.kms_key_arn is not None:
            return checked(cfg.encryption.kms_key_arn, KMS_KEY_ARN, f"{self._where}.encryption.kmsKeyArn"), False
        key = aws.kms.Key(
            f"{n}-kms",
            description=f"EKS {eks_name}: envelope encryption of Secrets and control-plane logs",
            enable_key_rotation=True,
            deletion_window_in_days=cfg.encryption.deletion_window_days,
            policy=_logs_key_policy(account, partition, region, f"/aws/eks/{eks_name}/cluster", sid="ControlPlaneLogs"),
            tags=self._t(),
            opts=self._opts(protect=True, retain_on_delete=True),
        )
        aws.kms.Alias(f"{n}-kms", name=f"alias/eks/{eks_name}", target_key_id=key.key_id, opts=self._opts())
        return key.arn, True

    def _cluster_role(
        self, n: str, cfg: EksControlPlaneConfig, key_arn: pulumi.Input[str], partition: pulumi.Output[str]
    ) -> tuple[pulumi.Input[str], list[pulumi.Resource]]:
        if cfg.role_arn is not None:
            return checked(cfg.role_arn, ROLE_ARN, f"{self._where}.roleArn"), []
        # The EKS user guide, "Amazon EKS cluster IAM role": trust eks.amazonaws.com (sts:AssumeRole and
        # sts:TagSession), the AWS managed AmazonEKSClusterPolicy; and, for Secrets encryption, the KMS
        # actions of "Encrypt Kubernetes secrets with KMS on existing clusters" on the key.
        role = aws.iam.Role(
            f"{n}-cluster-role",
            assume_role_policy=service_trust("eks.amazonaws.com", tag_session=True),
            tags=self._t(),
            opts=self._opts(),
        )
        att = aws.iam.RolePolicyAttachment(
            f"{n}-cluster-role-eks",
            role=role.name,
            policy_arn=managed_policy_arn(partition, "AmazonEKSClusterPolicy"),
            opts=self._opts(),
        )
        kms = aws.iam.RolePolicy(
            f"{n}-cluster-role-kms",
            role=role.name,
            # Keys in 0.1.0's order (Effect, Resource, Action): the same text, no update on upgrade.
            policy=document([{
                "Effect": "Allow",
                "Resource": key_arn,
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
            }]),
            opts=self._opts(),
        )
        return role.arn, [att, kms]

    def _node_role(
        self, n: str, cfg: EksControlPlaneConfig, partition: pulumi.Output[str]
    ) -> tuple[pulumi.Output[str], list[pulumi.Resource]]:
        if cfg.node_role_arn is not None:
            return pulumi.Output.from_input(checked(cfg.node_role_arn, ROLE_ARN, f"{self._where}.nodeRoleArn")), []
        role = aws.iam.Role(
            f"{n}-node-role", assume_role_policy=service_trust("ec2.amazonaws.com"), tags=self._t(), opts=self._opts()
        )
        deps: list[pulumi.Resource] = [
            aws.iam.RolePolicyAttachment(
                f"{n}-node-{p}", role=role.name, policy_arn=managed_policy_arn(partition, p), opts=self._opts()
            )
            for p in _NODE_POLICIES
        ]
        return role.arn, deps

    def _admins(
        self, n: str, cfg: EksControlPlaneConfig, cluster: aws.eks.Cluster, partition: pulumi.Output[str]
    ) -> list[pulumi.Resource]:
        out: list[pulumi.Resource] = []
        arns = cfg.access.admin_principal_arns
        known = [a for a in arns if is_known(a)]
        creator = self._creator_arn() if cfg.access.bootstrap_creator_admin and known else None
        outputs_seen = 0
        for i, given_arn in enumerate(arns):
            arn: pulumi.Input[str] = given_arn
            if isinstance(arn, str):
                if arn == creator:
                    # EKS already made the creator's access entry (bootstrap); a second one would
                    # fail with ResourceInUseException.
                    continue
                child = f"{n}-admin-{principal_key(arn)}"
            else:
                # An output's value is unknown while the program runs: it is keyed by its place
                # among the outputs (give known ARNs where the list may be reordered).
                child = f"{n}-admin-output-{outputs_seen}"
                outputs_seen += 1
                arn = checked(arn, IAM_ROLE_OR_USER, f"{self._where}.access.adminPrincipalArns[{i}]")
            old = f"{n}-admin-{i}"  # 0.1.0 named them by position
            entry = aws.eks.AccessEntry(
                child,
                cluster_name=cluster.name,
                principal_arn=arn,
                type="STANDARD",
                tags=self._t(),
                opts=self._opts(old_name=old),
            )
            out.append(
                aws.eks.AccessPolicyAssociation(
                    child,
                    cluster_name=cluster.name,
                    principal_arn=arn,
                    policy_arn=pulumi.Output.concat(
                        "arn:", partition, ":eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
                    ),
                    access_scope={"type": "cluster"},
                    opts=self._opts(old_name=old, depends_on=[entry]),
                )
            )
        return out

    def _creator_arn(self) -> str | None:
        """The IAM principal running ``pulumi up`` (an assumed role resolves to its role ARN)."""
        opts = pulumi.InvokeOptions(parent=self)
        arn = aws.get_caller_identity(opts=opts).arn
        if not arn:
            return None
        return aws.iam.get_session_context(arn=arn, opts=opts).issuer_arn or arn

    def _addon(
        self,
        n: str,
        cluster: aws.eks.Cluster,
        addon: str,
        *,
        depends_on: Sequence[pulumi.Resource] = (),
        pod_identity: list[aws.eks.AddonPodIdentityAssociationArgs] | None = None,
        configuration_values: str | None = None,
    ) -> aws.eks.Addon:
        return aws.eks.Addon(
            f"{n}-{addon}",
            cluster_name=cluster.name,
            addon_name=addon,
            configuration_values=configuration_values,
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            pod_identity_associations=pod_identity,
            tags=self._t(),
            opts=self._opts(depends_on=depends_on),
        )
