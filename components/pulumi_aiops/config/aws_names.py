"""Values only the real world can refuse, checked offline against well-kept sources of truth.

* **Regions and partitions** come from botocore's own endpoint data (shipped with boto3, no
  network): ``regions()``, ``partition_of()``, :func:`check_region`.
* **Availability zones** must belong to the stack's region (an AZ name is its region's name plus
  a zone letter, or a Local/Wavelength Zone id that starts with the region's name):
  :func:`check_availability_zone`.
* **Bucket names** follow the S3 general purpose bucket naming rules (Amazon S3 User Guide,
  "General purpose bucket naming rules", read 2026-11): 3-63 characters of lowercase letters,
  digits, ``.`` and ``-``; begin and end with a letter or digit; no ``..``; not an IP address;
  not the prefixes ``xn--``, ``sthree-``, ``amzn-s3-demo-``; not the suffixes ``-s3alias``,
  ``--ol-s3``, ``.mrap``, ``--x-s3``, ``--table-s3``. CoreWeave AI Object Storage is
  S3-compatible and its buckets are checked by the same rules: :func:`bucket_name_problem`.
* **Tags** follow the AWS tagging limits (AWS General Reference, "Tagging your AWS resources",
  tag naming limits and requirements): at most 50 user tags per resource; keys of 1-128 and
  values of 0-256 Unicode characters; letters, digits, spaces and ``_ . : / = + - @``; no key
  starting with ``aws:``: :func:`tag_problems`.

Example::

    from pulumi_aiops.config.aws_names import bucket_name_problem, check_region

    check_region("eu-central-1")            # returns "aws"
    bucket_name_problem("My_Bucket")         # "uses characters other than lowercase letters, …"
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Mapping
from functools import cache

from pulumi_aiops.config.base import ConfigValueError

__all__ = [
    "MAX_TAGS",
    "RESERVED_TAGS",
    "bucket_name_problem",
    "check_availability_zone",
    "check_region",
    "partition_of",
    "regions",
    "tag_problems",
]

#: AWS: at most 50 user-applied tags per resource.
MAX_TAGS = 50
#: Tags the library adds to some resources on top of the governance set (``Name``, the ELB role
#: tags of subnets, …): the governance set must leave room for them.
RESERVED_TAGS = 4
_TAG_CHARS = re.compile(r"^[\w\s.:/=+\-@]*$", re.UNICODE)
_BUCKET_CHARS = re.compile(r"^[a-z0-9.-]+$")
_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


@cache
def regions() -> dict[str, str]:
    """Every region botocore knows, mapped to its partition (``aws``, ``aws-cn``, ``aws-us-gov``, …)."""
    from botocore.loaders import Loader

    data = Loader().load_data("endpoints")
    out: dict[str, str] = {}
    for part in data["partitions"]:
        for region in part.get("regions", {}):
            out[region] = part["partition"]
    return out


def partition_of(region: str) -> str | None:
    """The partition of ``region``, or ``None`` if botocore does not know it."""
    return regions().get(region)


def _suggest(value: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(value, choices, n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(close)}?" if close else ""


def check_region(value: str, loc: tuple[int | str, ...] = ()) -> str:
    """``value``'s partition; a :class:`ConfigValueError` if it is not a region botocore knows."""
    part = partition_of(value)
    if part is None:
        raise ConfigValueError(
            "is not an AWS region (botocore's endpoint data lists none by that name)"
            + _suggest(value, sorted(regions())), loc=loc, value=value)
    return part


def check_availability_zone(value: str, region: str, loc: tuple[int | str, ...] = ()) -> str:
    """``value`` if it is an AZ of ``region`` (``us-east-1a``, or a Local Zone ``us-east-1-bos-1a``)."""
    if not re.fullmatch(rf"{re.escape(region)}(-[a-z]+-\d+)?[a-z]", value):
        raise ConfigValueError(f"is not an availability zone of the stack's region {region} "
                               f"(expected {region}a, {region}b, …)", loc=loc, value=value)
    return value


def bucket_name_problem(name: str) -> str | None:
    """Why ``name`` breaks the S3 bucket naming rules, or ``None`` if it follows them."""
    if not 3 <= len(name) <= 63:
        return f"is {len(name)} characters long; bucket names have 3 to 63"
    if not _BUCKET_CHARS.match(name):
        return "uses characters other than lowercase letters, digits, '.' and '-'"
    if not (name[0].isalnum() and name[-1].isalnum()):
        return "must begin and end with a lowercase letter or digit"
    if ".." in name:
        return "contains two adjacent periods"
    try:
        ipaddress.IPv4Address(name)
        return "is formatted as an IP address"
    except ValueError:
        pass
    for prefix in _BUCKET_PREFIXES:
        if name.startswith(prefix):
            return f"starts with the reserved prefix {prefix!r}"
    for suffix in _BUCKET_SUFFIXES:
        if name.endswith(suffix):
            return f"ends with the reserved suffix {suffix!r}"
    return None


def tag_problems(tags: Mapping[str, str], *, limit: int = MAX_TAGS) -> list[tuple[str | None, str]]:
    """``(key or None, problem)`` for each way ``tags`` breaks the AWS tag limits."""
    out: list[tuple[str | None, str]] = []
    if len(tags) > limit:
        out.append((None, f"has {len(tags)} tags; at most {limit} are allowed here"))
    for key, value in tags.items():
        if not 1 <= len(key) <= 128:
            out.append((key, f"tag key is {len(key)} characters long; keys have 1 to 128"))
        if key.lower().startswith("aws:"):
            out.append((key, "tag key starts with the reserved prefix 'aws:'"))
        if not _TAG_CHARS.match(key):
            out.append((key, "tag key uses characters other than letters, digits, spaces and _ . : / = + - @"))
        if not isinstance(value, str):
            out.append((key, f"tag value {value!r} is not a string"))
            continue
        if len(value) > 256:
            out.append((key, f"tag value is {len(value)} characters long; values have at most 256"))
        if not _TAG_CHARS.match(value):
            out.append((key, "tag value uses characters other than letters, digits, spaces and _ . : / = + - @"))
    return out
