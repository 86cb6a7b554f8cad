"""``NvidiaDevicePlugin``: the NVIDIA device plugin (Helm chart ``nvidia-device-plugin`` from
https://nvidia.github.io/k8s-device-plugin) on GPU nodes.

It lands only on nodes labelled ``aiops.io/nvidia-device-plugin=daemonset`` (the GPU groups on
AL2023 NVIDIA AMIs; Bottlerocket NVIDIA AMIs ship the plugin themselves) and tolerates the GPU
taint. Its image is pinned by digest (:mod:`pulumi_aiops.images`), and its namespace gets a
default-deny NetworkPolicy that lets out only DNS and HTTPS (the Kubernetes API, for the chart's
optional config-manager). Deploy it with the cluster's Kubernetes provider (``providers=[...]``).

**Time-slicing.** ``time_slicing_replicas`` adds one named configuration per replica count to the
chart's ``config.map`` (``time-slicing-<n>``: ``sharing.timeSlicing`` of ``nvidia.com/gpu`` with
``failRequestsGreaterThanOne``) beside ``default`` (whole GPUs); a node picks one with the label
``nvidia.com/device-plugin.config`` (a ``GpuNodeGroup``'s ``gpu_sharing`` sets it), so sharing is
per node group. The plugin's config manager applies a label change without a restart.

Example::

    from pulumi_aiops.eks import NvidiaDevicePlugin

    NvidiaDevicePlugin("ml", {"version": "0.17.1"},
                       opts=pulumi.ResourceOptions(providers=[cp.provider], depends_on=[system]))
"""

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from pulumi_aiops import network_policy as netpol
from pulumi_aiops.args import NvidiaDevicePluginArgs
from pulumi_aiops.config.base import component_args
from pulumi_aiops.config.eks_pieces import NvidiaDevicePluginConfig
from pulumi_aiops.contract import gpu_toleration
from pulumi_aiops.eks._common import DEVICE_PLUGIN_LABEL, DEVICE_PLUGIN_REPO, EksPiece
from pulumi_aiops.images import nvidia_device_plugin

__all__ = ["TYPE_TOKEN", "NvidiaDevicePlugin", "NvidiaDevicePluginArgs", "device_plugin_values", "time_slicing_config"]

TYPE_TOKEN = "aiops:index:NvidiaDevicePlugin"
#: No args: every default (a plain annotation, not ``| None``: Pulumi's schema inference reads it).
_DEFAULTS: NvidiaDevicePluginArgs = {}


def time_slicing_config(replicas: int) -> str:
    """The device plugin configuration file of time-slicing ``replicas`` pods per GPU
    (NVIDIA/k8s-device-plugin README v0.17.1, "With CUDA Time-Slicing")."""
    return ("version: v1\nflags:\n  migStrategy: none\nsharing:\n  timeSlicing:\n"
            "    failRequestsGreaterThanOne: true\n    resources:\n      - name: nvidia.com/gpu\n"
            f"        replicas: {replicas}\n")


def device_plugin_values(cfg: NvidiaDevicePluginConfig) -> dict[str, Any]:
    """The chart values: GPU nodes only, GPU taint tolerated, the time-slicing configurations."""
    values: dict[str, Any] = {
        # v<chart version>, by digest where pulumi_aiops.images records one.
        "image": nvidia_device_plugin(cfg.version).helm_values(),
        "nodeSelector": {DEVICE_PLUGIN_LABEL: "daemonset"},
        "tolerations": [gpu_toleration(), {"key": "CriticalAddonsOnly", "operator": "Exists"}],
        "priorityClassName": "system-node-critical",
    }
    if cfg.time_slicing_replicas:
        configs = {"default": "version: v1\nflags:\n  migStrategy: none\n"}
        for r in cfg.time_slicing_replicas:
            configs[f"time-slicing-{r}"] = time_slicing_config(r)
        values["config"] = {"map": configs, "default": "default"}
    return values


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
        cfg = component_args(NvidiaDevicePluginConfig, raw, f"NvidiaDevicePlugin({name!r})")
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
            values=device_plugin_values(cfg),
            opts=self._opts(),
        )
        self.namespace = self.release.namespace.apply(lambda ns: ns or "nvidia-device-plugin")
        # The release creates the namespace; its pods take no traffic. Deny by default; let out only
        # DNS and HTTPS, which the chart's optional config-manager sidecar (a device-plugin config
        # map: time-slicing, MPS) needs to read the Kubernetes API.
        np_opts = self._opts(new=True)  # children 0.1.0 did not have: no alias
        self.network_policies = [
            netpol.default_deny(f"{name}-nvidia-device-plugin", self.namespace, opts=np_opts),
            netpol.allow_dns(f"{name}-nvidia-device-plugin", self.namespace, opts=np_opts),
            netpol.allow(f"{name}-nvidia-device-plugin-api", self.namespace, "allow-kube-api",
                         egress=[{"ports": netpol.tcp(443)}], opts=np_opts),
        ]
        self.register_outputs({"namespace": self.namespace})
