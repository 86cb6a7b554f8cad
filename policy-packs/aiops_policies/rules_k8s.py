"""Kubernetes workloads: every pod template (Pod, Deployment, StatefulSet, DaemonSet,
ReplicaSet, ReplicationController, Job, CronJob) and Services.

Each workload rule sees the pod spec at the right path for its kind, checks every container,
init container and ephemeral container, and skips the namespaces in ``exemptNamespaces``
(default ``kube-system``, where node agents such as the GPU device plugin live).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from aiops_policies._controls import (
    NETWORK_BOUNDARY,
    SUPPLY_CHAIN,
    WORKLOAD_ISOLATION,
    merge,
)
from aiops_policies._core import (
    Fixture,
    FixtureResource,
    Rule,
    as_bool,
    as_list,
    as_mapping,
    as_number,
    get_path,
    resource_rule,
    safe_get,
    stack_rule,
)

__all__ = ["DIGEST_RE", "EXTRA_POD_SPEC_PATHS", "HELM_TYPES", "POD_SPEC_PATHS", "RULES", "helm_value_images",
           "parse_image", "pod_spec", "pod_specs"]

F, R = Fixture, FixtureResource

_TEMPLATE = ("spec", "template", "spec")
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "kubernetes:core/v1:Pod": ("spec",),
    "kubernetes:apps/v1:Deployment": _TEMPLATE,
    "kubernetes:apps/v1:StatefulSet": _TEMPLATE,
    "kubernetes:apps/v1:DaemonSet": _TEMPLATE,
    "kubernetes:apps/v1:ReplicaSet": _TEMPLATE,
    "kubernetes:core/v1:ReplicationController": _TEMPLATE,
    "kubernetes:batch/v1:Job": _TEMPLATE,
    "kubernetes:batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
#: Custom resources holding more than one pod template: LeaderWorkerSet (a multi-node model
#: server's leader and workers, leaderworkerset.x-k8s.io/v1).
EXTRA_POD_SPEC_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet": (
        ("spec", "leaderWorkerTemplate", "leaderTemplate", "spec"),
        ("spec", "leaderWorkerTemplate", "workerTemplate", "spec")),
}
WORKLOAD_TYPES = (*POD_SPEC_PATHS, *EXTRA_POD_SPEC_PATHS)
SERVICE = "kubernetes:core/v1:Service"
NAMESPACE = "kubernetes:core/v1:Namespace"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
#: Helm resources whose ``values`` may set images (a v3 ``Chart`` renders locally: its objects
#: are checked as workloads).
HELM_TYPES = ("kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart")
GPU = "nvidia.com/gpu"


def _at(props: Mapping[str, Any], path: tuple[str, ...]) -> Mapping[str, Any] | None:
    cur: Any = props
    for p in path:
        cur = cur.get(p) if isinstance(cur, Mapping) else None
    return cur if isinstance(cur, Mapping) else None


def pod_spec(resource_type: str, props: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The pod spec of a workload resource, or ``None`` (the first, for a resource with several)."""
    specs = pod_specs(resource_type, props)
    return specs[0] if specs else None


def pod_specs(resource_type: str, props: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Every pod spec of a workload resource (a LeaderWorkerSet has a leader's and a worker's)."""
    path = POD_SPEC_PATHS.get(resource_type)
    paths = (path,) if path is not None else EXTRA_POD_SPEC_PATHS.get(resource_type, ())
    return [s for s in (_at(props, p) for p in paths) if s is not None]


@dataclass(frozen=True)
class Container:
    kind: str  # containers | initContainers | ephemeralContainers
    name: str
    spec: Mapping[str, Any]

    @property
    def label(self) -> str:
        return f"{self.kind[:-1] if self.kind != 'containers' else 'container'} {self.name!r}"

    @property
    def sc(self) -> Mapping[str, Any]:
        return as_mapping(self.spec.get("securityContext"))


def containers(pod: Mapping[str, Any]) -> Iterator[Container]:
    for kind in ("initContainers", "containers", "ephemeralContainers"):
        for c in as_list(pod.get(kind)):
            m = as_mapping(c)
            yield Container(kind, str(m.get("name", "?")), m)


PodCheck = Callable[[Mapping[str, Any], Mapping[str, Any]], Iterable[str]]

_EXEMPT = {"exemptNamespaces": {
    "type": "array", "items": {"type": "string"}, "default": ["kube-system"],
    "description": "Namespaces this rule skips (cluster add-ons)."}}


def workload_rule(name: str, description: str, severity: Any, *, remediation: str,
                  frameworks: dict[str, tuple[str, ...]], check: PodCheck,
                  fixtures: tuple[Fixture, ...],
                  config_schema: dict[str, dict[str, Any]] | None = None) -> Rule:
    """A resource rule over the pod spec of every workload kind."""

    def _check(props: Mapping[str, Any], cfg: Mapping[str, Any], args: Any) -> Iterator[str]:
        ns = str(get_path(props, "metadata.namespace", "default"))
        if ns in [str(x) for x in cfg.get("exemptNamespaces", [])]:
            return
        for pod in pod_specs(getattr(args, "resource_type", ""), props):
            yield from check(pod, cfg)

    return resource_rule(name, description, severity, remediation=remediation,
                         frameworks=frameworks, resource_types=WORKLOAD_TYPES, check=_check,
                         fixtures=fixtures, config_schema={**_EXEMPT, **(config_schema or {})})


# --- checks ----------------------------------------------------------------------------------

def _privileged(pod: Mapping[str, Any], _c: Mapping[str, Any]) -> Iterator[str]:
    for c in containers(pod):
        if as_bool(c.sc.get("privileged")) is True:
            yield f"{c.label} is privileged"


def _host_namespaces(pod: Mapping[str, Any], _c: Mapping[str, Any]) -> Iterator[str]:
    for k in ("hostNetwork", "hostPID", "hostIPC"):
        if as_bool(pod.get(k)) is True:
            yield f"the pod shares the node's namespace ({k}: true)"
    for c in containers(pod):
        for p in as_list(c.spec.get("ports")):
            hp = as_mapping(p).get("hostPort")
            if hp not in (None, 0, 0.0, ""):
                n = as_number(hp)
                yield f"{c.label} binds hostPort {n:g}" if n is not None else \
                    f"{c.label} binds hostPort {hp!r}"


def _host_path(pod: Mapping[str, Any], cfg: Mapping[str, Any]) -> Iterator[str]:
    allowed = [str(p).rstrip("/") for p in cfg["allowedHostPaths"]]
    for v in as_list(pod.get("volumes")):
        hp = as_mapping(as_mapping(v).get("hostPath"))
        if not hp:
            continue
        path = str(hp.get("path", "")).rstrip("/") or "/"
        if not any(path == a or path.startswith(a + "/") for a in allowed):
            yield (f"volume {as_mapping(v).get('name')!r} mounts hostPath {path!r}, not in the "
                   f"allow-list ({', '.join(allowed) or 'empty'})")


def _non_root(pod: Mapping[str, Any], _c: Mapping[str, Any]) -> Iterator[str]:
    psc = as_mapping(pod.get("securityContext"))
    for c in containers(pod):
        non_root = as_bool(c.sc.get("runAsNonRoot", psc.get("runAsNonRoot")))
        user = as_number(c.sc.get("runAsUser", psc.get("runAsUser")))
        if user is not None and user == 0:
            yield f"{c.label} runs as root (runAsUser: 0)"
        elif non_root is not True and user is None:
            yield f"{c.label} may run as root (set runAsNonRoot: true)"


def _no_escalation(pod: Mapping[str, Any], _c: Mapping[str, Any]) -> Iterator[str]:
    for c in containers(pod):
        if as_bool(c.sc.get("allowPrivilegeEscalation")) is not False:
            yield f"{c.label} does not set allowPrivilegeEscalation: false"


def _capabilities(pod: Mapping[str, Any], cfg: Mapping[str, Any]) -> Iterator[str]:
    allowed = {str(x).upper() for x in cfg["allowedCapabilities"]}
    for c in containers(pod):
        caps = as_mapping(c.sc.get("capabilities"))
        drop = {str(x).upper() for x in as_list(caps.get("drop"))}
        if "ALL" not in drop:
            yield f"{c.label} does not drop ALL capabilities"
        extra = sorted({str(x).upper().removeprefix("CAP_") for x in as_list(caps.get("add"))}
                       - allowed)
        if extra:
            yield f"{c.label} adds capabilities {', '.join(extra)}"


def _read_only_root(pod: Mapping[str, Any], _c: Mapping[str, Any]) -> Iterator[str]:
    for c in containers(pod):
        if c.kind == "ephemeralContainers":
            continue
        if as_bool(c.sc.get("readOnlyRootFilesystem")) is not True:
            yield f"{c.label} has a writable root filesystem (readOnlyRootFilesystem: true)"


def _seccomp(pod: Mapping[str, Any], _c: Mapping[str, Any]) -> Iterator[str]:
    pod_type = get_path(pod, "securityContext.seccompProfile.type")
    for c in containers(pod):
        t = get_path(c.sc, "seccompProfile.type", pod_type)
        if t not in ("RuntimeDefault", "Localhost"):
            yield (f"{c.label} has no seccomp profile (seccompProfile.type RuntimeDefault), "
                   f"got {t!r}")


def _resources(pod: Mapping[str, Any], cfg: Mapping[str, Any]) -> Iterator[str]:
    need = [("requests", "cpu"), ("requests", "memory"), ("limits", "memory")]
    if cfg["requireCpuLimit"]:
        need.append(("limits", "cpu"))
    for c in containers(pod):
        if c.kind == "ephemeralContainers":
            continue
        res = as_mapping(c.spec.get("resources"))
        missing = [f"{k}.{r}" for k, r in need if as_mapping(res.get(k)).get(r) in (None, "")]
        if missing:
            yield f"{c.label} has no resources {', '.join(missing)}"


def _gpu_cap(pod: Mapping[str, Any], cfg: Mapping[str, Any]) -> Iterator[str]:
    cap = float(cfg["maxGpusPerPod"])
    total = 0.0
    for c in containers(pod):
        res = as_mapping(c.spec.get("resources"))
        lim = as_mapping(res.get("limits")).get(GPU)
        req = as_mapping(res.get("requests")).get(GPU)
        if req is not None and lim is None:
            yield f"{c.label} requests {GPU} without a limit (GPUs are set in limits)"
        if lim is not None:
            try:
                n = float(str(lim))
            except ValueError:
                yield f"{c.label} has a non-numeric {GPU} limit {lim!r}"
                continue
            if c.kind == "containers":
                total += n
    if total > cap:
        yield f"the pod asks for {total:g} {GPU}, above the cap {cap:g} (maxGpusPerPod)"


def parse_image(image: str) -> tuple[str, str, str | None, str | None]:
    """``(registry, repository, tag, digest)``; Docker Hub short names are normalised."""
    rest, digest = image, None
    if "@" in image:
        rest, digest = image.split("@", 1)
    first, _, remainder = rest.partition("/")
    if remainder and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, remainder
    else:
        registry, path = "docker.io", rest if "/" in rest else f"library/{rest}"
    tag = None
    last = path.rsplit("/", 1)[-1]
    if ":" in last:
        path, tag = path.rsplit(":", 1)
    return registry, path, tag, digest


def _allowed_image(image: str, allowed: Iterable[str]) -> bool:
    registry, path, _tag, _digest = parse_image(image)
    full = f"{registry}/{path}"
    for a in allowed:
        a = str(a)
        if "*" in a or "?" in a:
            pat = a if "/" in a else a + "/*"
            if fnmatchcase(full, pat):
                return True
        else:
            prefix = a if "/" in a else a + "/"
            if full.startswith(prefix):
                return True
    return False


def _registries(pod: Mapping[str, Any], cfg: Mapping[str, Any]) -> Iterator[str]:
    for c in containers(pod):
        image = str(c.spec.get("image", ""))
        if image and not _allowed_image(image, cfg["allowedRegistries"]):
            yield f"{c.label} image {image!r} is not from an allowed registry"


def _no_latest(pod: Mapping[str, Any], _c: Mapping[str, Any]) -> Iterator[str]:
    for c in containers(pod):
        image = str(c.spec.get("image", ""))
        if not image:
            continue
        _r, _p, tag, digest = parse_image(image)
        if digest:
            continue
        if tag is None:
            yield f"{c.label} image {image!r} has no tag (it means :latest); pin a version"
        elif tag.lower() == "latest":
            yield f"{c.label} image {image!r} uses :latest; pin a version or digest"


_SECRET_NAME = re.compile(
    r"(^|_)(PASSWORD|PASSWD|PASS|PWD|SECRET|TOKEN|APIKEY|API_KEY|ACCESS_KEY|PRIVATE_KEY|"
    r"SECRET_KEY|CREDENTIALS?|AUTH_KEY|CLIENT_SECRET|CONNECTION_STRING|DSN)($|_)",
    re.IGNORECASE)
_SECRET_VALUE = re.compile(
    r"(AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|CW-SECRET-|hf_[A-Za-z0-9]{30,}|sk-[A-Za-z0-9_-]{20,}|"
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----|gh[pousr]_[A-Za-z0-9]{30,}|xox[abp]-[A-Za-z0-9-]{10,}|"
    r"://[^/\s:@]+:[^/\s@]+@)")


def _plain_secrets(pod: Mapping[str, Any], _c: Mapping[str, Any]) -> Iterator[str]:
    for c in containers(pod):
        for e in as_list(c.spec.get("env")):
            m = as_mapping(e)
            name, value = str(m.get("name", "")), m.get("value")
            if value is None or str(value) == "":
                continue
            if _SECRET_NAME.search(name):
                yield (f"{c.label} env {name} holds a secret as a plain value; use "
                       "valueFrom.secretKeyRef")
            elif _SECRET_VALUE.search(str(value)):
                yield f"{c.label} env {name} value looks like a credential; use a Secret"


_INTERNAL = {
    "service.beta.kubernetes.io/aws-load-balancer-internal": ("true",),
    "service.beta.kubernetes.io/aws-load-balancer-scheme": ("internal",),
    "networking.gke.io/load-balancer-type": ("internal",),
    "service.beta.kubernetes.io/coreweave-load-balancer-type": ("private", "internal"),
}


def _load_balancer(props: Mapping[str, Any], cfg: Mapping[str, Any], _a: Any) -> Iterator[str]:
    if str(get_path(props, "spec.type", "ClusterIP")) != "LoadBalancer":
        return
    if cfg["allowInternalLoadBalancers"]:
        ann = as_mapping(get_path(props, "metadata.annotations", {}))
        for k, vals in _INTERNAL.items():
            if str(ann.get(k, "")).lower() in vals:
                return
    ns = str(get_path(props, "metadata.namespace", "default"))
    name = str(get_path(props, "metadata.name", ""))
    allowed = [str(x) for x in cfg["allowedServices"]]
    if f"{ns}/{name}" in allowed or f"{ns}/*" in allowed:
        return
    yield (f"Service {ns}/{name or '?'} is type LoadBalancer (internet-facing); use ClusterIP "
           "behind an ingress, an internal load balancer, or list it in allowedServices")


#: ``@sha256:`` and 64 hex digits at the end of an image reference.
DIGEST_RE = re.compile(r"@sha256:[0-9a-f]{64}$")
_DIGEST_VALUE = re.compile(r"^(sha256:)?[0-9a-f]{64}$")
_IMAGE_KEY = re.compile(r"(^|[a-z])(image|Image)$")


def _pinned_by_digest(image: str) -> bool:
    return bool(DIGEST_RE.search(image.strip()))


def helm_value_images(values: Any, path: str = "values",
                      key: str = "") -> Iterator[tuple[str, str, bool]]:
    """``(path, image, pinned)`` for each image a Helm ``values`` tree sets.

    An image is a mapping with a ``repository`` and a ``tag``, or any mapping under a key named
    ``image`` / ``…Image`` that sets ``repository``, ``tag`` or ``digest`` (``{tag: v1.2}`` alone
    overrides the chart's tag), or a string under such a key (``image: repo:tag``). It is pinned
    when a ``digest`` (``sha256:<64 hex>``) is set, or the tag or string ends in
    ``@sha256:<64 hex>``.
    """
    image_key = bool(_IMAGE_KEY.search(key))
    if isinstance(values, Mapping):
        repo, tag, digest = values.get("repository"), values.get("tag"), values.get("digest")
        if (isinstance(repo, str) and repo and tag not in (None, "")) or (
                image_key and any(x not in (None, "") for x in (repo, tag, digest))):
            ref = f"{repo or '(chart default)'}"
            if tag not in (None, ""):
                ref += f":{tag}"
            pinned = (_DIGEST_VALUE.match(str(digest or "").strip()) is not None
                      or _pinned_by_digest(str(tag or ""))
                      or _pinned_by_digest(str(repo or "")))
            if digest and not pinned:
                ref += f"@{digest}"
            yield path, ref, pinned
            return
        for k, v in values.items():
            yield from helm_value_images(v, f"{path}.{k}", str(k))
    elif isinstance(values, str):
        if image_key and ("/" in values or ":" in values):
            yield path, values, _pinned_by_digest(values)
    elif isinstance(values, Sequence):
        for i, v in enumerate(values):
            yield from helm_value_images(v, f"{path}[{i}]", key)


def _digest_pinned(props: Mapping[str, Any], cfg: Mapping[str, Any], args: Any) -> Iterator[str]:
    t = getattr(args, "resource_type", "")
    if t in HELM_TYPES:
        for path, image, pinned in helm_value_images(props.get("values")):
            if not pinned:
                yield (f"{path} sets image {image!r} without a digest (set {path}.digest, or "
                       "a tag of the form <tag>@sha256:<digest>)")
        return
    ns = str(get_path(props, "metadata.namespace", "default"))
    if ns in [str(x) for x in cfg.get("exemptNamespaces", [])]:
        return
    for pod in pod_specs(t, props):
        for c in containers(pod):
            image = str(c.spec.get("image", ""))
            if image and not _pinned_by_digest(image):
                yield f"{c.label} image {image!r} is not pinned by digest (image:tag@sha256:…)"


def _known(v: Any, key: str) -> Any:
    """``v[key]``, or ``None`` when missing or unknown (preview)."""
    return safe_get(v, key) if isinstance(v, Mapping) else None


def _ns_of(r: Any) -> str | None:
    name = _known(_known(r.props, "metadata"), "name")
    return str(name) if isinstance(name, str) and name else None


def _provider_key(r: Any) -> str:
    p = getattr(r, "provider", None)
    return str(getattr(p, "urn", "") or "")


def _is_default_deny(np: Any) -> bool:
    spec = _known(np.props, "spec")
    if not isinstance(spec, Mapping):
        return False
    selector = _known(spec, "podSelector")
    if selector is None or not isinstance(selector, Mapping):
        return False
    if as_mapping(_known(selector, "matchLabels")) or as_list(_known(selector, "matchExpressions")):
        return False
    types = _known(spec, "policyTypes")
    # Kubernetes: without policyTypes a policy always applies to Ingress.
    if types is not None and "Ingress" not in [str(x) for x in as_list(types)]:
        return False
    return not as_list(_known(spec, "ingress"))


def _namespace_default_deny(resources: Sequence[Any],
                            cfg: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    namespaces = [r for r in resources if r.resource_type == NAMESPACE]
    if not namespaces:
        return
    exempt = {str(x) for x in cfg["exemptNamespaces"]}
    covered_names: set[tuple[str, str]] = set()
    covered_urns: set[str] = set()
    for np in resources:
        if np.resource_type != NETWORK_POLICY or not _is_default_deny(np):
            continue
        for d in (getattr(np, "property_dependencies", None) or {}).get("metadata", ()) or ():
            if getattr(d, "resource_type", "") == NAMESPACE:
                covered_urns.add(d.urn)
        ns = _known(_known(np.props, "metadata"), "namespace")
        covered_names.add((_provider_key(np), str(ns) if isinstance(ns, str) and ns else "default"))
    for ns in namespaces:
        name = _ns_of(ns)
        if name in exempt:
            continue
        if ns.urn in covered_urns or (name and (_provider_key(ns), name) in covered_names):
            continue
        yield (f"namespace {name or ns.name} has no default-deny NetworkPolicy (podSelector {{}}, "
               "policyTypes [Ingress], no ingress rules): every pod in it accepts traffic from "
               "anywhere in the cluster", ns.urn)


# --- fixtures --------------------------------------------------------------------------------

IMAGE = "docker.io/vllm/vllm-openai:v0.11.0"
_SC = {"runAsNonRoot": True, "runAsUser": 1000.0, "allowPrivilegeEscalation": False,
       "privileged": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]},
       "seccompProfile": {"type": "RuntimeDefault"}}
_RES = {"requests": {"cpu": "4", "memory": "32Gi", GPU: "1"},
        "limits": {"cpu": "8", "memory": "32Gi", GPU: "1"}}


def _container(**over: Any) -> dict[str, Any]:
    c: dict[str, Any] = {"name": "vllm", "image": IMAGE, "securityContext": dict(_SC),
                         "resources": _RES, "env": [
                             {"name": "HF_HOME", "value": "/cache"},
                             {"name": "TOKENIZERS_PARALLELISM", "value": "false"},
                             {"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": {
                                 "name": "hf", "key": "token"}}}]}
    c.update(over)
    return c


def _pod(container: dict[str, Any] | None = None, **over: Any) -> dict[str, Any]:
    p: dict[str, Any] = {"securityContext": {"runAsNonRoot": True, "fsGroup": 1000.0,
                                             "seccompProfile": {"type": "RuntimeDefault"}},
                         "containers": [container or _container()],
                         "volumes": [{"name": "cache", "emptyDir": {}}]}
    p.update(over)
    return p


def deployment(pod: dict[str, Any] | None = None, ns: str = "models") -> FixtureResource:
    return R("kubernetes:apps/v1:Deployment", "llm", {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "llm", "namespace": ns},
        "spec": {"replicas": 1.0, "selector": {"matchLabels": {"app": "llm"}},
                 "template": {"metadata": {"labels": {"app": "llm"}}, "spec": pod or _pod()}}})


def _cronjob(pod: dict[str, Any]) -> FixtureResource:
    return R("kubernetes:batch/v1:CronJob", "eval", {
        "metadata": {"name": "eval", "namespace": "jobs"},
        "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {"spec": pod}}}}})


def _bare_pod(pod: dict[str, Any]) -> FixtureResource:
    return R("kubernetes:core/v1:Pod", "p", {"metadata": {"name": "p", "namespace": "jobs"},
                                             "spec": pod})


def _sts(pod: dict[str, Any]) -> FixtureResource:
    return R("kubernetes:apps/v1:StatefulSet", "s", {"metadata": {"namespace": "db"},
                                                     "spec": {"template": {"spec": pod}}})


def _ds(pod: dict[str, Any], ns: str = "monitoring") -> FixtureResource:
    return R("kubernetes:apps/v1:DaemonSet", "d", {"metadata": {"namespace": ns},
                                                   "spec": {"template": {"spec": pod}}})


def _lws(leader: dict[str, Any], worker: dict[str, Any] | None = None) -> FixtureResource:
    return R("kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet", "big", {
        "metadata": {"name": "big", "namespace": "models"},
        "spec": {"leaderWorkerTemplate": {"size": 2.0, "leaderTemplate": {"spec": leader},
                                          "workerTemplate": {"spec": worker or _pod()}}}})


def _job(pod: dict[str, Any]) -> FixtureResource:
    return R("kubernetes:batch/v1:Job", "j", {"metadata": {"namespace": "jobs"},
                                              "spec": {"template": {"spec": pod}}})


def _sc(**over: Any) -> dict[str, Any]:
    return {k: v for k, v in {**_SC, **over}.items() if v is not None}


#: A made-up digest: the fixtures test the shape of a reference, not a real image.
_FAKE_DIGEST = "sha256:" + "a" * 64
_PINNED = f"{IMAGE}@{_FAKE_DIGEST}"


def _helm(values: dict[str, Any]) -> FixtureResource:
    return R(HELM_TYPES[0], "rel", {"chart": "qdrant", "version": "1.15.4",
                                    "namespace": "qdrant", "values": values})


def _ns(name: str, res: str = "ns") -> FixtureResource:
    return R(NAMESPACE, res, {"metadata": {"name": name}})


def _deny(ns: str, res: str = "deny", **spec: Any) -> FixtureResource:
    body: dict[str, Any] = {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    body.update(spec)
    return R(NETWORK_POLICY, res, {"metadata": {"name": "default-deny", "namespace": ns},
                                   "spec": {k: v for k, v in body.items() if v is not None}})


_GOOD = (F("pass", deployment()),)
_POD_FW = WORKLOAD_ISOLATION

RULES: list[Rule] = [
    workload_rule(
        "k8s-no-privileged-containers",
        "No container runs privileged.",
        "critical",
        remediation="Remove securityContext.privileged; grant only the capabilities needed.",
        frameworks=_POD_FW,
        check=_privileged,
        fixtures=(
            F("fail", deployment(_pod(_container(securityContext=_sc(privileged=True))))),
            F("fail", _ds(_pod(_container(securityContext=_sc(privileged=True))))),
            F("fail", _lws(_pod(), _pod(_container(securityContext=_sc(privileged=True)))),
              note="a LeaderWorkerSet's worker template is checked too"),
            F("pass", _lws(_pod())),
            F("pass", _ds(_pod(_container(securityContext=_sc(privileged=True))), "kube-system"),
              note="exempt namespace"),
            *_GOOD,
        ),
    ),
    workload_rule(
        "k8s-no-host-namespaces",
        "Pods do not share the node's network, PID or IPC namespaces, nor bind host ports.",
        "high",
        remediation="Remove hostNetwork, hostPID, hostIPC and hostPort; expose ports through a "
                    "Service.",
        frameworks=_POD_FW,
        check=_host_namespaces,
        fixtures=(
            F("fail", deployment(_pod(hostNetwork=True))),
            F("fail", _bare_pod(_pod(hostPID=True))),
            F("fail", _job(_pod(_container(ports=[{"containerPort": 80.0, "hostPort": 80.0}])))),
            *_GOOD,
        ),
    ),
    workload_rule(
        "k8s-host-path-allowlist",
        "hostPath volumes are limited to an allow-list (GPU device-plugin and pod-resources "
        "sockets).",
        "high",
        remediation="Use emptyDir, PVCs or CSI volumes; add a path to allowedHostPaths only for "
                    "node agents that need it (e.g. /var/lib/kubelet/device-plugins).",
        frameworks=_POD_FW,
        check=_host_path,
        config_schema={"allowedHostPaths": {
            "type": "array", "items": {"type": "string"},
            "default": ["/var/lib/kubelet/device-plugins", "/var/lib/kubelet/pod-resources"],
            "description": "hostPath prefixes allowed (GPU device plugins, DCGM exporter)."}},
        fixtures=(
            F("fail", _ds(_pod(volumes=[{"name": "root", "hostPath": {"path": "/"}}]))),
            F("fail", deployment(_pod(volumes=[{"name": "d", "hostPath": {
                "path": "/var/run/docker.sock"}}]))),
            F("pass", _ds(_pod(volumes=[{"name": "dp", "hostPath": {
                "path": "/var/lib/kubelet/device-plugins"}}]))),
            *_GOOD,
        ),
    ),
    workload_rule(
        "k8s-run-as-non-root",
        "Containers run as a non-root user (runAsNonRoot, or a non-zero runAsUser).",
        "high",
        remediation="Set securityContext.runAsNonRoot: true and runAsUser to a non-zero UID on "
                    "the pod or every container.",
        frameworks=_POD_FW,
        check=_non_root,
        fixtures=(
            F("fail", deployment(_pod(_container(securityContext=_sc(runAsUser=0.0,
                                                                     runAsNonRoot=None)),
                                      securityContext={}))),
            F("fail", _cronjob(_pod(_container(securityContext={}), securityContext={}))),
            *_GOOD,
            F("pass", _cronjob(_pod(_container(securityContext={})))),
        ),
    ),
    workload_rule(
        "k8s-no-privilege-escalation",
        "Containers set allowPrivilegeEscalation: false.",
        "high",
        remediation="Set securityContext.allowPrivilegeEscalation: false on every container.",
        frameworks=_POD_FW,
        check=_no_escalation,
        fixtures=(
            F("fail", deployment(_pod(_container(securityContext=_sc(
                allowPrivilegeEscalation=True))))),
            F("fail", _sts(_pod(_container(securityContext={})))),
            *_GOOD,
        ),
    ),
    workload_rule(
        "k8s-drop-capabilities",
        "Containers drop ALL capabilities and add back only allowed ones.",
        "medium",
        remediation="Set securityContext.capabilities {drop: [ALL]} and add only what is "
                    "needed (NET_BIND_SERVICE).",
        frameworks=_POD_FW,
        check=_capabilities,
        config_schema={"allowedCapabilities": {
            "type": "array", "items": {"type": "string"}, "default": ["NET_BIND_SERVICE"],
            "description": "Capabilities containers may add."}},
        fixtures=(
            F("fail", deployment(_pod(_container(securityContext=_sc(capabilities={}))))),
            F("fail", deployment(_pod(_container(securityContext=_sc(capabilities={
                "drop": ["ALL"], "add": ["SYS_ADMIN"]}))))),
            *_GOOD,
        ),
    ),
    workload_rule(
        "k8s-read-only-root-filesystem",
        "Containers have a read-only root filesystem.",
        "medium",
        remediation="Set securityContext.readOnlyRootFilesystem: true and mount emptyDir "
                    "volumes for the paths the process writes (/tmp, caches).",
        frameworks=merge(_POD_FW, {"nist-800-53": ("SI-7",)}),
        check=_read_only_root,
        fixtures=(
            F("fail", deployment(_pod(_container(securityContext=_sc(
                readOnlyRootFilesystem=False))))),
            *_GOOD,
        ),
    ),
    workload_rule(
        "k8s-seccomp-profile",
        "Pods or containers use the RuntimeDefault (or a Localhost) seccomp profile.",
        "medium",
        remediation="Set securityContext.seccompProfile {type: RuntimeDefault} on the pod.",
        frameworks=_POD_FW,
        check=_seccomp,
        fixtures=(
            F("fail", deployment(_pod(_container(securityContext=_sc(seccompProfile=None)),
                                      securityContext={"runAsNonRoot": True}))),
            F("fail", deployment(_pod(_container(securityContext=_sc(seccompProfile={
                "type": "Unconfined"}))))),
            *_GOOD,
        ),
    ),
    workload_rule(
        "k8s-resource-requests-limits",
        "Containers declare CPU and memory requests and a memory limit (and a CPU limit when "
        "configured).",
        "medium",
        remediation="Set resources.requests {cpu, memory} and resources.limits {memory} on every "
                    "container (limits.cpu too when requireCpuLimit is on).",
        frameworks={"soc2": ("A1.1",), "nist-800-53": ("SC-6",),
                    "nist-ai-rmf": ("MANAGE 2.1",)},
        check=_resources,
        config_schema={"requireCpuLimit": {
            "type": "boolean", "default": False,
            "description": "Also require limits.cpu (off: CPU limits throttle inference)."}},
        fixtures=(
            F("fail", deployment(_pod(_container(resources={})))),
            F("fail", deployment(_pod(_container(resources={"requests": {"cpu": "1",
                                                                         "memory": "1Gi"}})))),
            F("fail", deployment(_pod(_container(resources={
                "requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"memory": "1Gi"}}))),
              config={"requireCpuLimit": True}),
            *_GOOD,
        ),
    ),
    workload_rule(
        "k8s-gpu-limit-cap",
        "A pod's nvidia.com/gpu limits stay under a configurable cap, and GPUs are set in limits.",
        "medium",
        remediation="Lower resources.limits['nvidia.com/gpu'] (tensor parallelism) or raise "
                    "maxGpusPerPod after review; GPUs must be in limits, not only requests.",
        frameworks={"nist-ai-rmf": ("MANAGE 2.1",), "soc2": ("A1.1",),
                    "nist-800-53": ("SC-6",)},
        check=_gpu_cap,
        config_schema={"maxGpusPerPod": {"type": "integer", "minimum": 0, "default": 8,
                                         "description": "The most GPUs one pod may take."}},
        fixtures=(
            F("fail", deployment(_pod(_container(resources={
                "requests": {"cpu": "1", "memory": "1Gi", GPU: "16"},
                "limits": {"memory": "1Gi", GPU: "16"}})))),
            F("fail", deployment(_pod(_container(resources={
                "requests": {"cpu": "1", "memory": "1Gi", GPU: "2"},
                "limits": {"memory": "1Gi", GPU: "2"}}))), config={"maxGpusPerPod": 1}),
            F("fail", deployment(_pod(_container(resources={
                "requests": {"cpu": "1", "memory": "1Gi", GPU: "1"},
                "limits": {"memory": "1Gi"}})))),
            *_GOOD,
        ),
    ),
    workload_rule(
        "k8s-image-registry-allowlist",
        "Container images come from allowed registries.",
        "high",
        remediation="Mirror the image into an allowed registry (ECR, nvcr.io, ...) or add the "
                    "registry to allowedRegistries after review.",
        frameworks=SUPPLY_CHAIN,
        check=_registries,
        config_schema={"allowedRegistries": {
            "type": "array", "items": {"type": "string"},
            "default": ["*.dkr.ecr.*.amazonaws.com", "public.ecr.aws/", "nvcr.io/",
                        "registry.k8s.io/", "docker.io/vllm/", "docker.io/library/", "ghcr.io/",
                        "quay.io/"],
            "description": "Registry hosts or image-path prefixes ('docker.io/vllm/'); '*' "
                           "wildcards allowed."}},
        fixtures=(
            F("fail", deployment(_pod(_container(image="evil.example.com/miner:1.0")))),
            F("fail", deployment(_pod(_container(image="randomuser/tool:2.1")))),
            F("fail", _job(_pod(_container(image="nvcr.io/nvidia/pytorch:24.10-py3"),
                                initContainers=[_container(name="init",
                                                           image="someone/busybox:1.36")]))),
            *_GOOD,
            F("pass", deployment(_pod(_container(
                image="123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:" + "a" * 64)))),
            F("pass", deployment(_pod(_container(image="nginx:1.27.2"))),
              note="Docker official images (docker.io/library) are allowed by default"),
        ),
    ),
    workload_rule(
        "k8s-no-latest-tag",
        "Container images are pinned: a version tag other than latest, or a digest.",
        "medium",
        remediation="Pin images to a release tag or, better, a digest (image@sha256:...).",
        frameworks=merge(SUPPLY_CHAIN, {"nist-800-53": ("CM-2",)}),
        check=_no_latest,
        fixtures=(
            F("fail", deployment(_pod(_container(image="nvcr.io/nvidia/tritonserver:latest")))),
            F("fail", deployment(_pod(_container(image="docker.io/vllm/vllm-openai")))),
            F("fail", deployment(_pod(_container(image="localhost:5000/app")))),
            *_GOOD,
            F("pass", deployment(_pod(_container(image="localhost:5000/app:1.2")))),
        ),
    ),
    workload_rule(
        "k8s-no-plain-secret-env",
        "Secrets are not put in plain environment values (use secretKeyRef).",
        "high",
        remediation="Move the value into a Kubernetes Secret (or the Secrets Store CSI driver) "
                    "and reference it with env[].valueFrom.secretKeyRef; rotate the exposed "
                    "credential.",
        frameworks=merge(WORKLOAD_ISOLATION, {"hipaa": ("§164.312(a)(2)(iv)",),
                                              "pci-dss": ("8.3.2",),
                                              "nist-800-53": ("IA-5(7)", "SC-28")}),
        check=_plain_secrets,
        fixtures=(
            F("fail", deployment(_pod(_container(env=[{"name": "HF_TOKEN",
                                                       "value": "hf_abc"}])))),
            F("fail", deployment(_pod(_container(env=[{"name": "DB_PASSWORD",
                                                       "value": "hunter2"}])))),
            F("fail", deployment(_pod(_container(env=[{"name": "AWS_CREDS_X",
                                                       "value": "AKIAABCDEFGHIJKLMNOP"}])))),
            *_GOOD,
        ),
    ),
    resource_rule(
        "k8s-no-public-load-balancer",
        "Services are not internet-facing LoadBalancers unless allowed (internal load "
        "balancers are fine).",
        "high",
        remediation="Use type ClusterIP behind an authenticated ingress or gateway; or annotate "
                    "service.beta.kubernetes.io/aws-load-balancer-scheme: internal; or list "
                    "'<namespace>/<name>' in allowedServices.",
        frameworks=NETWORK_BOUNDARY,
        resource_types=(SERVICE,),
        check=_load_balancer,
        config_schema={
            "allowedServices": {"type": "array", "items": {"type": "string"}, "default": [],
                                "description": "'<namespace>/<name>' (or '<namespace>/*') of "
                                               "Services allowed to be LoadBalancers."},
            "allowInternalLoadBalancers": {"type": "boolean", "default": True},
        },
        fixtures=(
            F("fail", R(SERVICE, "svc", {"metadata": {"name": "llm", "namespace": "models"},
                                         "spec": {"type": "LoadBalancer", "ports": [
                                             {"port": 80.0}]}})),
            F("pass", R(SERVICE, "svc", {"metadata": {"name": "llm", "namespace": "models"},
                                         "spec": {"type": "ClusterIP"}})),
            F("pass", R(SERVICE, "svc", {"metadata": {
                "name": "llm", "namespace": "models", "annotations": {
                    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"}},
                "spec": {"type": "LoadBalancer"}})),
            F("pass", R(SERVICE, "svc", {"metadata": {"name": "gw", "namespace": "edge"},
                                         "spec": {"type": "LoadBalancer"}}),
              config={"allowedServices": ["edge/gw"]}),
        ),
    ),
    resource_rule(
        "k8s-image-digest-pinned",
        "Container images are pinned by digest (image:tag@sha256:…) in every workload and in "
        "the images Helm release values set.",
        "medium",
        remediation="Reference each image as <repository>:<tag>@sha256:<digest> (the digest of "
                    "the tag you reviewed, from the registry or the project's release notes); "
                    "in Helm values set image.digest (or a tag of the form <tag>@sha256:<digest>). "
                    "Bump digests deliberately, in one place.",
        frameworks=merge(SUPPLY_CHAIN, {"nist-800-53": ("CM-2", "SI-7")}),
        resource_types=(*WORKLOAD_TYPES, *HELM_TYPES),
        check=_digest_pinned,
        config_schema={"exemptNamespaces": {
            "type": "array", "items": {"type": "string"}, "default": [],
            "description": "Namespaces whose workloads this rule skips."}},
        fixtures=(
            F("fail", deployment(), note="a version tag alone can be re-pushed"),
            F("fail", _job(_pod(_container(image=_PINNED),
                                initContainers=[_container(name="init", image="busybox:1.36")]))),
            F("fail", _cronjob(_pod(_container(image="nvcr.io/nvidia/pytorch@sha256:abc")))),
            F("fail", _helm({"image": {"repository": "docker.io/qdrant/qdrant", "tag": "v1.15.4"}})),
            F("fail", _helm({"image": {"tag": "v1.33.0"}, "awsRegion": "us-east-1"}),
              note="a tag that overrides the chart's image"),
            F("fail", _helm({"sidecar": {"initImage": "docker.io/library/busybox:1.36"}})),
            F("pass", deployment(_pod(_container(image=_PINNED)))),
            F("pass", _ds(_pod(_container(image=_PINNED)), "kube-system")),
            F("pass", _helm({"image": {"repository": "docker.io/qdrant/qdrant", "tag": "v1.15.4",
                                       "digest": _FAKE_DIGEST}})),
            F("pass", _helm({"image": {"repository": "docker.io/qdrant/qdrant",
                                       "tag": f"v1.15.4@{_FAKE_DIGEST}"},
                             "service": {"type": "ClusterIP"}})),
            F("pass", _helm({"replicaCount": 3.0}), note="no image set: nothing to check"),
        ),
    ),
    stack_rule(
        "k8s-namespace-default-deny",
        "Every Kubernetes Namespace the program creates has a default-deny NetworkPolicy "
        "(empty podSelector, policyTypes with Ingress, no ingress rules).",
        "medium",
        remediation="Add a networking.k8s.io/v1 NetworkPolicy in the namespace with podSelector "
                    "{}, policyTypes [Ingress, Egress] and no rules, then NetworkPolicies that "
                    "allow only the traffic the workloads need (from the gateway, to DNS).",
        frameworks=merge(NETWORK_BOUNDARY, {"nist-800-53": ("SC-7(5)",),
                                            "pci-dss": ("1.2.1",)}),
        resource_types=(NAMESPACE, NETWORK_POLICY),
        check=_namespace_default_deny,
        config_schema={"exemptNamespaces": {
            "type": "array", "items": {"type": "string"}, "default": [],
            "description": "Namespace names that need no default-deny policy."}},
        fixtures=(
            F("fail", resources=(_ns("models"),)),
            F("fail", resources=(_ns("models"), _deny("other"))),
            F("fail", resources=(_ns("models"), _deny("models", podSelector={"matchLabels": {
                "app": "llm"}}))),
            F("fail", resources=(_ns("models"), _deny("models", policyTypes=["Egress"]))),
            F("fail", resources=(_ns("models"), _deny("models", ingress=[{}])),
              note="an empty ingress rule allows everything"),
            F("pass", resources=(_ns("models"), _deny("models"))),
            F("pass", resources=(_ns("models"), _deny("models", policyTypes=None)),
              note="no policyTypes: Kubernetes applies the policy to Ingress"),
            F("pass", resources=(R(NAMESPACE, "ns", {"metadata": {"labels": {"a": "b"}}}),
                                 R(NETWORK_POLICY, "deny", {
                                     "metadata": {"namespace": "ns-1a2b3c"},
                                     "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}},
                                   property_dependencies={"metadata": ("ns",)})),
              note="an auto-named namespace, matched by the property dependency"),
            F("pass", resources=(_ns("models"),), config={"exemptNamespaces": ["models"]}),
        ),
    ),
]
