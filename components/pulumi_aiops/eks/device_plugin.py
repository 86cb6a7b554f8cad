"""``NvidiaDevicePlugin``: the NVIDIA device plugin (Helm chart ``nvidia-device-plugin`` from
https://nvidia.github.io/k8s-device-plugin) on GPU nodes.

It lands only on nodes labelled ``aiops.io/nvidia-device-plugin=daemonset`` (the GPU groups on
AL2023 NVIDIA AMIs; Bottlerocket NVIDIA AMIs ship the plugin themselves) and tolerates the GPU
taint. Deploy it with the cluster's Kubernetes provider (``providers=[...]``).

Example::

    from pulumi_aiops.eks import NvidiaDevicePlugin

    NvidiaDevicePlugin("ml", {"version": "0.17.1"},
                       opts=pulumi.ResourceOptions(providers=[cp.provider], depends_on=[system]))
"""

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from pulumi_aiops.args import NvidiaDevicePluginArgs
from pulumi_aiops.config.base import validate_model
from pulumi_aiops.config.eks_pieces import NvidiaDevicePluginConfig
from pulumi_aiops.contract import gpu_toleration
from pulumi_aiops.eks._common import DEVICE_PLUGIN_LABEL, DEVICE_PLUGIN_REPO, EksPiece

__all__ = ["TYPE_TOKEN", "NvidiaDevicePlugin", "NvidiaDevicePluginArgs"]

TYPE_TOKEN = "aiops:index:NvidiaDevicePlugin"
#: No args: every default (a plain annotation, not ``| None``: Pulumi's schema inference reads it).
_DEFAULTS: NvidiaDevicePluginArgs = {}


class NvidiaDevicePlugin(EksPiece):
    """The NVIDIA device plugin DaemonSet, as a Helm release. See the module docstring."""

    namespace: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: NvidiaDevicePluginArgs = _DEFAULTS,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        raw: Any = args  # or the validated model (EksGpuCluster passes one)
        if isinstance(raw, NvidiaDevicePluginConfig):
            cfg = raw
        else:
            cfg = validate_model(NvidiaDevicePluginConfig, dict(raw or {}), f"NvidiaDevicePlugin({name!r})")
        super().__init__(TYPE_TOKEN, name, opts)
        self.config = cfg
        self.release = k8s.helm.v3.Release(
            f"{name}-nvidia-device-plugin",
            name="nvidia-device-plugin",
            chart="nvidia-device-plugin",
            version=cfg.version,
            repository_opts={"repo": DEVICE_PLUGIN_REPO},
            namespace="nvidia-device-plugin",
            create_namespace=True,
            values={
                "nodeSelector": {DEVICE_PLUGIN_LABEL: "daemonset"},
                "tolerations": [gpu_toleration(), {"key": "CriticalAddonsOnly", "operator": "Exists"}],
                "priorityClassName": "system-node-critical",
            },
            opts=self._opts(),
        )
        self.namespace = self.release.namespace.apply(lambda ns: ns or "nvidia-device-plugin")
        self.register_outputs({"namespace": self.namespace})
