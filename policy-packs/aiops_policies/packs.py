"""The packs: which rules each holds, at which enforcement level, and how it is served.

Example (``policy-packs/hipaa/__main__.py``)::

    from aiops_policies import serve
    serve("hipaa")       # builds the PolicyPack, which serves gRPC and blocks
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    PolicyPack,
    ResourceValidationPolicy,
    StackValidationPolicy,
)
from pulumi_policy import Severity as PolicySeverity

from aiops_policies._core import FRAMEWORKS, Rule
from aiops_policies.registry import RULES, RULES_BY_NAME

__all__ = ["AGGREGATE_PACK", "PACKS", "PENDING_MANDATORY", "PackSpec", "make_policies", "serve"]

#: Rules served at the ``advisory`` level by every pack, whatever the pack's level, until the
#: shipped stacks comply (they come from an independent scanner's findings, issue 9); remove a
#: name here to make the rule mandatory wherever its pack is. Empty: the shipped stacks satisfy
#: every rule (the model servers' namespaces got their NetworkPolicies last).
PENDING_MANDATORY: list[str] = []


@dataclass(frozen=True)
class PackSpec:
    """A pack: its name, version, description, enforcement level and rule names.

    ``framework`` is the framework id of a framework pack (its policies report that
    framework's control ids), ``None`` for the baseline, the cost pack and the aggregate pack.
    ``aggregate`` marks the pack that serves every rule once (``aiops-all``): it repeats what
    the other packs check, so ``aiops plan`` leaves it out unless asked for it.
    """

    name: str
    version: str
    description: str
    enforcement_level: Literal["advisory", "mandatory", "disabled"]
    rules: tuple[str, ...]
    framework: str | None = None
    aggregate: bool = False

    def level_of(self, rule_name: str) -> str:
        """The enforcement level this pack serves ``rule_name`` at (``PENDING_MANDATORY`` rules
        are advisory)."""
        if rule_name in PENDING_MANDATORY and self.enforcement_level == "mandatory":
            return "advisory"
        return self.enforcement_level


VERSION = "1.0.0"
_COST_RULES = ("gpu-cost-budget",)
#: The pack that serves every rule once (see ``PackSpec.aggregate``).
AGGREGATE_PACK = "aiops-all"


def _framework_pack(fw: str, blurb: str) -> PackSpec:
    rules = tuple(r.name for r in RULES if fw in r.frameworks)
    return PackSpec(f"{fw}", VERSION, blurb, "mandatory", rules, fw)


PACKS: dict[str, PackSpec] = {
    p.name: p
    for p in (
        PackSpec(
            "aiops-baseline", VERSION,
            "The mandatory security baseline of pulumi-aiops: encryption, private networking, "
            "least privilege, audit logging, hardened Kubernetes workloads, Bedrock guardrails "
            "and ownership tags, for any Pulumi program on AWS, EKS and CoreWeave.",
            "mandatory", tuple(r.name for r in RULES if r.baseline),
        ),
        _framework_pack("hipaa", "HIPAA Security Rule technical safeguards (45 CFR 164.312) and "
                                 "related administrative safeguards."),
        _framework_pack("gdpr", "GDPR Art. 5(1)(f), 25, 30, 32 and 44: security of processing, "
                                "data protection by design, records and transfers."),
        _framework_pack("pci-dss", "PCI DSS v4.0 requirements for the cloud and Kubernetes "
                                   "resources of a cardholder data environment."),
        _framework_pack("soc2", "SOC 2 Trust Services Criteria (CC6, CC7, CC8, A1)."),
        _framework_pack("nist-800-53", "NIST SP 800-53 Rev. 5 controls (AC, AU, CM, CP, IA, SC, "
                                       "SI, SR)."),
        _framework_pack("nist-ai-rmf", "NIST AI RMF 1.0 subcategories for the AI platform: "
                                       "guardrails, model access, monitoring, supply chain, cost."),
        PackSpec(
            "gpu-cost", VERSION,
            "GPU spend guard: the maximum monthly GPU cost of EKS node groups and CoreWeave "
            "NodePools stays within the configured budget.",
            "mandatory", _COST_RULES,
        ),
        PackSpec(
            AGGREGATE_PACK, VERSION,
            "Every rule of pulumi-aiops once, mandatory: the baseline, the data-residency and "
            "GPU budget rules and every framework's rules, each violation reported once with "
            "the control ids of all its frameworks. Use it instead of the baseline, framework "
            "and cost packs together.",
            "mandatory", tuple(r.name for r in RULES), aggregate=True,
        ),
    )
}


def _framework_of(rule: Rule, spec: PackSpec) -> PolicyComplianceFramework:
    if spec.framework is not None:
        title, version = FRAMEWORKS[spec.framework]
        return PolicyComplianceFramework(
            name=title, version=version,
            reference=", ".join(rule.frameworks.get(spec.framework, ())),
            specification=spec.framework,
        )
    names = [FRAMEWORKS[fw][0] for fw in FRAMEWORKS if fw in rule.frameworks]
    return PolicyComplianceFramework(
        name=", ".join(names) or "aiops",
        version=spec.version,
        reference="; ".join(f"{fw}: {', '.join(rule.frameworks[fw])}"
                            for fw in FRAMEWORKS if fw in rule.frameworks),
        specification="docs/compliance-matrix.md",
    )


def make_policy(rule: Rule, spec: PackSpec) -> Policy:
    """One pulumi-policy policy for ``rule`` as served by the pack ``spec``."""
    level = EnforcementLevel(spec.level_of(rule.name))
    schema = PolicyConfigSchema(dict(rule.config_schema)) if rule.config_schema else None
    common = dict(
        enforcement_level=level,
        config_schema=schema,
        severity=PolicySeverity(rule.severity),
        framework=_framework_of(rule, spec),
        tags=sorted(rule.frameworks),
        remediation_steps=rule.remediation,
    )
    if rule.kind == "stack":
        return StackValidationPolicy(rule.name, rule.description, rule.validate, **common)  # type: ignore[arg-type]
    return ResourceValidationPolicy(rule.name, rule.description, rule.validate, **common)  # type: ignore[arg-type]


def make_policies(pack_name: str) -> list[Policy]:
    """The pulumi-policy policies of a pack, in rule order."""
    try:
        spec = PACKS[pack_name]
    except KeyError:
        raise KeyError(f"unknown pack {pack_name!r}; known: {', '.join(PACKS)}") from None
    return [make_policy(RULES_BY_NAME[n], spec) for n in spec.rules]


def serve(pack_name: str) -> None:
    """Construct the ``PolicyPack``: it prints its port, serves gRPC and blocks."""
    spec = PACKS[pack_name]
    PolicyPack(
        name=spec.name,
        policies=make_policies(pack_name),
        enforcement_level=EnforcementLevel(spec.enforcement_level),
        description=spec.description,
    )


def _check() -> None:
    unknown = [n for n in PENDING_MANDATORY if n not in RULES_BY_NAME]
    if unknown:
        raise ValueError(f"PENDING_MANDATORY names unknown rules: {unknown}")


_check()
