"""``ClusterAutoscaler``: cluster-autoscaler on an EKS cluster, with least-privilege IAM.

**Why cluster-autoscaler and not Karpenter.** The GPU capacity here is declared as EKS
*managed node groups*: the launch template (IMDSv2, encrypted volumes), taints, labels and
capacity type stay reviewable in one place, and policies can check them. cluster-autoscaler
scales exactly those groups; Karpenter would replace them with its own NodePools and provision
instances outside them. cluster-autoscaler also handles Capacity Block node groups (a fixed
reservation in one AZ) and scales GPU groups *from zero*, reading the GPU count, labels and
taint from the ASG ``k8s.io/cluster-autoscaler/node-template/...`` tags that
:class:`~pulumi_aiops.eks.node_group.GpuNodeGroup` sets.

Its IAM policy: describe calls, ``eks:DescribeNodegroup`` on this cluster's groups, and the two
scaling writes only on ASGs tagged ``k8s.io/cluster-autoscaler/<cluster>=owned`` (EKS tags the
ASGs of its managed node groups so). The role reaches the pod through EKS Pod Identity
(``kube-system/cluster-autoscaler``), so the cluster needs the eks-pod-identity-agent add-on.
Deploy it with the cluster's Kubernetes provider (``providers=[...]``) and after the node group
that will run it (``depends_on``).

Example::

    from pulumi_aiops.eks import ClusterAutoscaler

    ClusterAutoscaler("ml", {"cluster_name": cp.cluster_name, "kubernetes_version": "1.33"},
                      opts=pulumi.ResourceOptions(providers=[cp.provider],
                                                  depends_on=[system, cp.pod_identity_agent]))
"""

from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from pulumi_aiops.args import ClusterAutoscalerArgs
from pulumi_aiops.aws.iam import document_json, service_trust
from pulumi_aiops.config.base import component_args
from pulumi_aiops.config.eks_pieces import ClusterAutoscalerConfig
from pulumi_aiops.eks._common import AUTOSCALER_REPO, EksPiece
from pulumi_aiops.images import cluster_autoscaler

__all__ = ["TYPE_TOKEN", "ClusterAutoscaler", "ClusterAutoscalerArgs", "autoscaler_policy"]

TYPE_TOKEN = "aiops:index:ClusterAutoscaler"


def autoscaler_policy(account: str, partition: str, region: str, cluster: str) -> str:
    """The least-privilege policy of cluster-autoscaler for EKS cluster ``cluster``.

    Source: kubernetes/autoscaler ``cluster-autoscaler/cloudprovider/aws/README.md``, "Full Cluster
    Autoscaler Features Policy (Recommended)" (auto-discovery, dynamic instance list), with
    ``autoscaling:DescribeTags`` that auto-discovery needs, ``eks:DescribeNodegroup`` on this
    cluster's node groups, and the two scaling writes restricted by tag as that README recommends
    (EKS tags its managed node groups' ASGs ``k8s.io/cluster-autoscaler/<cluster>=owned``).
    Statement keys keep 0.1.0's order (the same text: no policy update on upgrade)."""
    return document_json([
        {
            "Sid": "Describe",
            "Effect": "Allow",
            "Resource": "*",
            "Action": [
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:DescribeAutoScalingInstances",
                "autoscaling:DescribeLaunchConfigurations",
                "autoscaling:DescribeScalingActivities",
                "autoscaling:DescribeTags",
                "ec2:DescribeImages",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplateVersions",
                "ec2:GetInstanceTypesFromInstanceRequirements",
            ],
        },
        {
            "Sid": "DescribeNodegroups",
            "Effect": "Allow",
            "Action": "eks:DescribeNodegroup",
            "Resource": f"arn:{partition}:eks:{region}:{account}:nodegroup/{cluster}/*/*",
        },
        {
            "Sid": "ScaleOwnGroups",
            "Effect": "Allow",
            "Action": ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
            "Resource": f"arn:{partition}:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/*",
            # The cluster's name is part of the condition *key*: built from the resolved name.
            "Condition": {"StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster}": "owned"}},
        },
    ])


class ClusterAutoscaler(EksPiece):
    """cluster-autoscaler (Helm) with a least-privilege Pod Identity role. See the module docstring."""

    role_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: ClusterAutoscalerArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        raw: Any = args  # or the validated model (EksGpuCluster passes one)
        cfg = component_args(ClusterAutoscalerConfig, raw, f"ClusterAutoscaler({name!r})")
        super().__init__(TYPE_TOKEN, name, opts)
        self.config = cfg
        tags = dict(cfg.tags)
        inv = pulumi.InvokeOptions(parent=self)
        account = aws.get_caller_identity_output(opts=inv).account_id
        partition = aws.get_partition_output(opts=inv).partition
        region = aws.get_region_output(opts=inv).region
        cluster = pulumi.Output.from_input(cfg.cluster_name)

        # EKS Pod Identity trust (the EKS user guide: pods.eks.amazonaws.com, AssumeRole + TagSession).
        role = aws.iam.Role(
            f"{name}-cluster-autoscaler-role",
            assume_role_policy=service_trust("pods.eks.amazonaws.com", tag_session=True),
            tags=tags,
            opts=self._opts(),
        )
        pol = aws.iam.Policy(
            f"{name}-cluster-autoscaler",
            description=pulumi.Output.concat("cluster-autoscaler of EKS ", cluster, " (least privilege)"),
            policy=pulumi.Output.all(account, partition, region, cluster).apply(lambda a: autoscaler_policy(*a)),
            tags=tags,
            opts=self._opts(),
        )
        att = aws.iam.RolePolicyAttachment(
            f"{name}-cluster-autoscaler", role=role.name, policy_arn=pol.arn, opts=self._opts()
        )
        assoc = aws.eks.PodIdentityAssociation(
            f"{name}-cluster-autoscaler",
            cluster_name=cluster,
            namespace="kube-system",
            service_account="cluster-autoscaler",
            role_arn=role.arn,
            tags=tags,
            opts=self._opts(),
        )
        self.release = k8s.helm.v3.Release(
            f"{name}-cluster-autoscaler",
            name="cluster-autoscaler",
            chart="cluster-autoscaler",
            version=cfg.chart_version,
            repository_opts={"repo": AUTOSCALER_REPO},
            namespace="kube-system",
            values={
                "cloudProvider": "aws",
                "awsRegion": region,
                "autoDiscovery": {"clusterName": cluster},
                "rbac": {"serviceAccount": {"create": True, "name": "cluster-autoscaler"}},
                # v<minor>.0, by digest where pulumi_aiops.images records one.
                "image": cluster_autoscaler(cfg.kubernetes_version).helm_values(),
                "priorityClassName": "system-cluster-critical",
                "extraArgs": {
                    "expander": "least-waste",
                    "balance-similar-node-groups": True,
                    "skip-nodes-with-system-pods": False,
                    "scale-down-unneeded-time": "10m",
                },
            },
            opts=self._opts(depends_on=[assoc, att]),
        )
        self.role = role
        self.role_arn = role.arn
        self.register_outputs({"roleArn": self.role_arn})

