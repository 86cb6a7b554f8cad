"""Every container image the library deploys, pinned by digest, in one place.

Each :class:`Image` names its repository, tag and digest, and where the digest was read. A
component takes its image from here (``Image.reference`` for a container spec,
``Image.pinned_tag`` for a Helm chart that renders ``<repository>:<tag>``), so a digest is
written once and bumped once. The policy rule ``k8s-image-digest-pinned`` flags any image a
program deploys (or a Helm release's values set) without a digest.

An image whose digest could not be verified keeps its tag, with ``digest=None`` and the reason in
``note``: the rule then reports it wherever it is deployed, which is the point. ``UNPINNED`` lists
them.

**Bumping an image** (a deliberate change, reviewed like code):

1. Change the tag here (and the chart version it belongs to, if any).
2. With network access, print the digest the registry serves for every tag listed here::

       python -m pulumi_aiops.images            # one line per image: recorded vs registry
       python -m pulumi_aiops.images --only vllm-openai

   It asks the registry (Docker Registry HTTP API v2, an anonymous pull token) for the
   manifest of the tag and prints the ``Docker-Content-Digest`` of the multi-architecture
   index, the digest a ``<repo>:<tag>@sha256:…`` reference should carry. It never runs in
   the tests and changes nothing.
3. Confirm the digest from a second source (the project's release notes or signed
   attestations, ``crane digest``/``docker buildx imagetools inspect``), write it and the
   source below, and run the tests.

A tag is mutable, a digest is not: pods keep pulling exactly what was reviewed until the
digest here changes.

Example::

    from pulumi_aiops import images

    images.VLLM_OPENAI.reference          # 'docker.io/vllm/vllm-openai:v0.11.0@sha256:014a…'
    images.cluster_autoscaler("1.33")     # the Image for Kubernetes 1.33
"""

import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "ALL",
    "CLUSTER_AUTOSCALER",
    "LITELLM_DATABASE",
    "NVIDIA_DEVICE_PLUGIN",
    "OTEL_COLLECTOR_CONTRIB",
    "QDRANT",
    "UNPINNED",
    "VLLM_OPENAI",
    "Image",
    "cluster_autoscaler",
    "nvidia_device_plugin",
    "registry_digest",
]

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


@dataclass(frozen=True)
class Image:
    """One image: ``repository:tag@digest``, and where the digest comes from."""

    name: str
    repository: str
    tag: str
    digest: str | None
    source: str
    note: str = ""

    def __post_init__(self) -> None:
        if self.digest is not None and not _DIGEST.match(self.digest):
            raise ValueError(f"images.{self.name}: {self.digest!r} is not a sha256 digest")
        if self.digest is None and not self.note:
            raise ValueError(f"images.{self.name}: an image without a digest needs the reason in note")

    @property
    def pinned_tag(self) -> str:
        """``<tag>@sha256:…`` (the tag alone without a digest), for charts that render
        ``<repository>:<tag>``."""
        return f"{self.tag}@{self.digest}" if self.digest else self.tag

    @property
    def reference(self) -> str:
        """``<repository>:<tag>@sha256:…`` (``<repository>:<tag>`` without a digest)."""
        return f"{self.repository}:{self.pinned_tag}"

    def helm_values(self) -> dict[str, str]:
        """``{"repository": …, "tag": …}`` for a chart whose image is ``<repository>:<tag>``."""
        return {"repository": self.repository, "tag": self.pinned_tag}


#: The vLLM OpenAI-compatible server (the ModelServer default image).
VLLM_OPENAI = Image(
    "vllm-openai", "docker.io/vllm/vllm-openai", "v0.11.0",
    "sha256:014a95f21c9edf6abe0aea6b07353f96baa4ec291c427bb1176dc7c93a85845c",
    source="the multi-architecture index of vllm/vllm-openai:v0.11.0 as pinned, identically, by at least "
           "four independent public repositories (Dockerfiles, a compose env file and a test named "
           "test_inference_runtime_defaults_use_verified_releases; found with the code search, 2026-11-30). "
           "The linux/amd64 manifest under it is sha256:d8d39b59e909d2378ac4feeb191f7e7b6f1342477dc66b7c47"
           "cec89e9985ad8a. Not read from Docker Hub itself: confirm with `python -m pulumi_aiops.images`.",
)

_CA_REPO = "registry.k8s.io/autoscaling/cluster-autoscaler"
_CA_SOURCE = ("the image promoter manifest of registry.k8s.io, kubernetes/k8s.io "
              "registry.k8s.io/images/k8s-staging-autoscaling/images.yaml (commit fe84f3f6), entry "
              "cluster-autoscaler (the multi-architecture index)")
_CA_NONE = ("not in the promoter manifest version available here (it ends at v1.33.1); the tag stays "
            "unpinned and k8s-image-digest-pinned reports it; bump it as the module docstring says")


def _ca(minor: str, digest: str | None) -> Image:
    return Image(f"cluster-autoscaler-{minor}", _CA_REPO, f"v{minor}.0", digest,
                 source=_CA_SOURCE if digest else "", note="" if digest else _CA_NONE)


#: cluster-autoscaler by Kubernetes minor version: the autoscaler's minor must match the
#: cluster's (its README's version table), and the library runs ``v<minor>.0``.
CLUSTER_AUTOSCALER: dict[str, Image] = {
    "1.32": _ca("1.32", "sha256:656d21dacb015b8ccfdaec5047963499c10ad6e2598a29c450138c75d533010c"),
    "1.33": _ca("1.33", "sha256:6ef10d108e0e45ecd883e074682330bbd4a3403e767ad56804800f2f4ee816da"),
    "1.34": _ca("1.34", None),
    "1.35": _ca("1.35", None),
    "1.36": _ca("1.36", None),
}

#: The NVIDIA device plugin by chart version (the chart's image is ``v<chart version>``).
NVIDIA_DEVICE_PLUGIN: dict[str, Image] = {
    "0.17.1": Image(
        "nvidia-device-plugin-0.17.1", "nvcr.io/nvidia/k8s-device-plugin", "v0.17.1",
        "sha256:af31e2b7c7f89834c4e5219860def7ac2e49a207b3d4e8610d5a26772b7738e5",
        source="as pinned by one public repository (an install script, its test and its README list "
               "nvcr.io/nvidia/k8s-device-plugin:v0.17.1@sha256:af31e2b7…; found with the code search, "
               "2026-11-30); NGC's own page was not available here: confirm with "
               "`python -m pulumi_aiops.images` before the first deployment.",
    ),
}

#: Qdrant by chart version (the chart's default image is ``v<appVersion>``).
QDRANT: dict[str, Image] = {
    "1.15.4": Image(
        "qdrant-1.15.4", "docker.io/qdrant/qdrant", "v1.15.4",
        "sha256:6ac4807063bbecddca0250bfbcff52acf18c22263b904d12919349e6d0a408f1",
        source="the multi-architecture index of qdrant/qdrant:v1.15.4 as pinned, identically, by several "
               "independent public repositories (compose files and run books; found with the code search, "
               "2026-11-30)",
        note="recorded but NOT applied: qdrant-helm 1.15.4 (and its main branch) passes image.tag to "
             "semverCompare for the readiness probe path, so a tag with @sha256 fails the render "
             "(qdrant/qdrant-helm issue #388; pull requests #457 and #480, adding image.digest, are open). "
             "The release keeps the chart's default image (tag v1.15.4); pin it here once the chart takes "
             "a digest.",
    ),
}

#: Every image of the library.
#: The OpenTelemetry Collector, contrib distribution (``Observability``'s trace pipeline; the
#: appVersion of chart opentelemetry-collector 0.170.0).
OTEL_COLLECTOR_CONTRIB = Image(
    "otel-collector-contrib", "otel/opentelemetry-collector-contrib", "0.158.0",
    "sha256:c5918f78992ee73b0d6f0e599423ac5ec52dd5d9726733114d6eca53d5a32ed5",
    source="the multi-platform index of otel/opentelemetry-collector-contrib:0.158.0 as pinned, identically, "
           "by several independent public repositories (Kubernetes manifests, a compose file, CI scripts and "
           "tests that assert the pin; found with the code search, 2026-11-30; one notes it is the manifest "
           "list for 386/amd64/arm64). Not read from Docker Hub itself: confirm with `python -m pulumi_aiops.images`.",
)


#: LiteLLM with its database tooling (Prisma CLI and engines, the migrations): the LLM gateway's
#: image, at the release the gateway's tests run (``litellm[proxy]==1.108.7``; never 1.107.0, a
#: release reported as compromised).
LITELLM_DATABASE = Image(
    "litellm-database", "ghcr.io/berriai/litellm-database", "v1.108.7", None,
    source="",
    note="tag from LiteLLM's release notes of v1.108.7 (LTS), https://newreleases.io/project/github/BerriAI/"
         "litellm/release/v1.108.7: images are published as ghcr.io/berriai/litellm:v1.108.7, 'same command for "
         "litellm-database', signed with the cosign key in BerriAI/litellm@e82a3c646908ba0a6ee0beddc4310d7a6cac"
         "4065:cosign.pub. No digest of this tag was found in any source reachable here (GHCR's package page was "
         "not; code search finds digests of other releases only), so it stays unpinned and k8s-image-digest-pinned "
         "reports it. Pin it with `python -m pulumi_aiops.images --only litellm-database` and `cosign verify --key "
         "… ghcr.io/berriai/litellm-database:v1.108.7`, or set the gateway's image to <repo>@sha256:… in config.",
)


ALL: tuple[Image, ...] = (VLLM_OPENAI, OTEL_COLLECTOR_CONTRIB, LITELLM_DATABASE, *CLUSTER_AUTOSCALER.values(),
                          *NVIDIA_DEVICE_PLUGIN.values(), *QDRANT.values())
#: Images deployed without a digest (none could be verified, or the chart cannot take one).
UNPINNED: tuple[Image, ...] = tuple(i for i in ALL if i.digest is None or i.note)


def cluster_autoscaler(kubernetes_version: str) -> Image:
    """The cluster-autoscaler image for a cluster at ``kubernetes_version`` (e.g. ``"1.33"``):
    the recorded one, or ``v<version>.0`` unpinned for a version not listed."""
    return CLUSTER_AUTOSCALER.get(kubernetes_version) or _ca(kubernetes_version, None)


def nvidia_device_plugin(chart_version: str) -> Image:
    """The device plugin image of chart ``chart_version``: the recorded one, or
    ``v<version>`` unpinned for a chart version not listed."""
    return NVIDIA_DEVICE_PLUGIN.get(chart_version) or Image(
        f"nvidia-device-plugin-{chart_version}", "nvcr.io/nvidia/k8s-device-plugin", f"v{chart_version}", None,
        source="", note=f"chart {chart_version} is not recorded in pulumi_aiops.images; add its digest")


# -- the bump helper (network; never run by the tests) -------------------------------------------
_ACCEPT = ", ".join((
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
))
_DOCKER_HUB = ("docker.io", "registry-1.docker.io")


def parse_www_authenticate(header: str) -> dict[str, str]:
    """The parameters of a ``Bearer realm="…",service="…",scope="…"`` challenge."""
    scheme, _, rest = header.partition(" ")
    if scheme.lower() != "bearer":
        return {}
    return dict(re.findall(r'(\w+)="([^"]*)"', rest))


def _split(repository: str) -> tuple[str, str]:
    host, _, path = repository.partition("/")
    if host == "docker.io":
        host = "registry-1.docker.io"
    return host, path


Opener = Callable[[urllib.request.Request], object]


def registry_digest(repository: str, tag: str, *, timeout: float = 20.0,
                    opener: Opener | None = None) -> str:
    """The digest the registry of ``repository`` serves for ``tag`` (an anonymous pull).

    Follows the Docker Registry HTTP API v2: a ``HEAD`` of ``/v2/<name>/manifests/<tag>``,
    and on 401 a token from the realm the ``WWW-Authenticate`` challenge names."""
    host, path = _split(repository)
    url = f"https://{host}/v2/{path}/manifests/{tag}"
    open_: Opener = opener or (lambda req: urllib.request.urlopen(req, timeout=timeout))
    headers = {"Accept": _ACCEPT}
    for _ in range(2):
        req = urllib.request.Request(url, method="HEAD", headers=headers)
        try:
            resp = open_(req)
        except urllib.error.HTTPError as exc:
            challenge = parse_www_authenticate(exc.headers.get("WWW-Authenticate", "") if exc.headers else "")
            if exc.code != 401 or "realm" not in challenge or "Authorization" in headers:
                raise
            query = "&".join(f"{k}={urllib.parse.quote(v)}" for k, v in challenge.items() if k != "realm")
            token_resp = open_(urllib.request.Request(f"{challenge['realm']}?{query}"))
            body = json.loads(token_resp.read())  # type: ignore[attr-defined]
            headers = {**headers, "Authorization": f"Bearer {body.get('token') or body.get('access_token')}"}
            continue
        digest = resp.headers.get("Docker-Content-Digest")  # type: ignore[attr-defined]
        if not digest:
            raise RuntimeError(f"{url}: no Docker-Content-Digest header")
        return str(digest)
    raise RuntimeError(f"{url}: not authorised")


def main(argv: Sequence[str] | None = None) -> int:
    """Print recorded vs registry digest for every image (``--only NAME`` for one)."""
    args = list(sys.argv[1:] if argv is None else argv)
    only = args[args.index("--only") + 1] if "--only" in args else None
    status = 0
    for image in ALL:
        if only and only not in image.name:
            continue
        try:
            current = registry_digest(image.repository, image.tag)
        except Exception as exc:  # report and go on
            print(f"{image.name}: {image.repository}:{image.tag}: cannot ask the registry ({exc})")
            status = 1
            continue
        state = "same" if current == image.digest else ("NOT RECORDED" if image.digest is None else "DIFFERS")
        print(f"{image.name}: {image.repository}:{image.tag}\n  registry {current}\n  recorded "
              f"{image.digest or '-'}  [{state}]")
        status |= state != "same"
    return status


if __name__ == "__main__":
    sys.exit(main())
