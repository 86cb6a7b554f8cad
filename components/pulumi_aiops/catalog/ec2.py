"""Which EC2 instance type names exist: the ``InstanceType`` enum of botocore's EC2 service model.

botocore (a dependency through boto3) ships the EC2 API model with every instance type name AWS
has published, offline. The model is loaded once, on first use, and cached; importing this
module imports nothing of botocore. Example::

    from pulumi_aiops.catalog.ec2 import ec2_instance_type_problem
    ec2_instance_type_problem("m6i.large")   # None
    ec2_instance_type_problem("m6i.larg")    # "is not an EC2 instance type (…); did you mean 'm6i.large'?"
"""

from __future__ import annotations

import difflib
from functools import cache

__all__ = ["botocore_version", "ec2_instance_type_problem", "ec2_instance_types", "suggest_instance_types"]


@cache
def ec2_instance_types() -> frozenset[str]:
    """Every instance type name of botocore's EC2 model (about 1,400 names)."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("ec2")
    return frozenset(model.shape_for("InstanceType").enum)


def botocore_version() -> str:
    import botocore

    return str(botocore.__version__)


def suggest_instance_types(name: str, n: int = 3) -> list[str]:
    """The closest real instance type names to ``name`` (difflib), best first."""
    return difflib.get_close_matches(name, sorted(ec2_instance_types()), n=n, cutoff=0.6)


def ec2_instance_type_problem(name: str) -> str | None:
    """``None`` when ``name`` is an EC2 instance type, else a message that reads after the value."""
    if name in ec2_instance_types():
        return None
    close = suggest_instance_types(name)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return (f"is not an EC2 instance type (not in the EC2 model of botocore {botocore_version()}; "
            f"upgrade botocore if the type is newer){hint}")
