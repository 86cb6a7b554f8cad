"""Entry point of the pulumi-aiops component provider (this folder is a Pulumi plugin)."""

from pulumi.provider.experimental import component_provider_host

from pulumi_aiops import __version__
from pulumi_aiops.provider import PACKAGE, components

if __name__ == "__main__":
    component_provider_host(name=PACKAGE, components=components(), version=__version__)
