"""Framework control mappings shared by several rules.

Control ids are the frameworks' own: HIPAA Security Rule sections (45 CFR §164.3xx), GDPR
articles, PCI DSS v4.0 requirements, SOC 2 Trust Services Criteria, NIST SP 800-53 Rev. 5
controls and NIST AI RMF 1.0 subcategories. ``merge`` combines mappings.
"""

from __future__ import annotations

__all__ = [
    "ACCESS_LEAST_PRIVILEGE",
    "AI_SECURITY",
    "AUDIT_LOGGING",
    "BACKUP_RECOVERY",
    "ENCRYPTION_AT_REST",
    "ENCRYPTION_IN_TRANSIT",
    "INVENTORY_TAGS",
    "KEY_MANAGEMENT",
    "LOG_PROTECTION",
    "NETWORK_BOUNDARY",
    "PATCHING",
    "SECURE_CONFIG",
    "SUPPLY_CHAIN",
    "WORKLOAD_ISOLATION",
    "merge",
]

Mapping_ = dict[str, tuple[str, ...]]


def merge(*maps: Mapping_) -> Mapping_:
    """Union of several mappings, control ids de-duplicated in first-seen order."""
    out: dict[str, list[str]] = {}
    for m in maps:
        for fw, ids in m.items():
            cur = out.setdefault(fw, [])
            for i in ids:
                if i not in cur:
                    cur.append(i)
    return {fw: tuple(ids) for fw, ids in out.items()}


ENCRYPTION_AT_REST: Mapping_ = {
    "hipaa": ("§164.312(a)(2)(iv)",),
    "gdpr": ("Art. 32(1)(a)", "Art. 5(1)(f)"),
    "pci-dss": ("3.5.1",),
    "soc2": ("CC6.1",),
    "nist-800-53": ("SC-28", "SC-28(1)"),
}

KEY_MANAGEMENT: Mapping_ = {
    "hipaa": ("§164.312(a)(2)(iv)",),
    "gdpr": ("Art. 32(1)(a)",),
    "pci-dss": ("3.6.1", "3.7.4"),
    "soc2": ("CC6.1",),
    "nist-800-53": ("SC-12", "SC-13"),
}

ENCRYPTION_IN_TRANSIT: Mapping_ = {
    "hipaa": ("§164.312(e)(1)", "§164.312(e)(2)(ii)"),
    "gdpr": ("Art. 32(1)(a)",),
    "pci-dss": ("4.2.1",),
    "soc2": ("CC6.7",),
    "nist-800-53": ("SC-8", "SC-8(1)"),
}

NETWORK_BOUNDARY: Mapping_ = {
    "hipaa": ("§164.312(a)(1)", "§164.312(e)(1)"),
    "gdpr": ("Art. 32(1)(b)", "Art. 25"),
    "pci-dss": ("1.3.1", "1.4.1"),
    "soc2": ("CC6.6",),
    "nist-800-53": ("SC-7", "AC-4"),
}

ACCESS_LEAST_PRIVILEGE: Mapping_ = {
    "hipaa": ("§164.312(a)(1)", "§164.308(a)(4)(ii)(B)"),
    "gdpr": ("Art. 25", "Art. 32(1)(b)"),
    "pci-dss": ("7.2.1", "7.2.2"),
    "soc2": ("CC6.1", "CC6.3"),
    "nist-800-53": ("AC-3", "AC-6"),
}

AUDIT_LOGGING: Mapping_ = {
    "hipaa": ("§164.312(b)", "§164.308(a)(1)(ii)(D)"),
    "gdpr": ("Art. 30", "Art. 33"),
    "pci-dss": ("10.2.1", "10.2.2"),
    "soc2": ("CC7.2",),
    "nist-800-53": ("AU-2", "AU-3", "AU-12"),
}

LOG_PROTECTION: Mapping_ = {
    "hipaa": ("§164.312(b)", "§164.312(c)(1)"),
    "gdpr": ("Art. 5(1)(f)",),
    "pci-dss": ("10.3.2", "10.5.1"),
    "soc2": ("CC7.2",),
    "nist-800-53": ("AU-9", "AU-11"),
}

BACKUP_RECOVERY: Mapping_ = {
    "hipaa": ("§164.308(a)(7)(ii)(A)", "§164.312(c)(1)"),
    "gdpr": ("Art. 32(1)(c)",),
    "pci-dss": ("12.10.1",),
    "soc2": ("A1.2",),
    "nist-800-53": ("CP-9", "SI-12"),
}

SECURE_CONFIG: Mapping_ = {
    "pci-dss": ("2.2.1",),
    "soc2": ("CC7.1",),
    "nist-800-53": ("CM-6", "CM-7"),
}

PATCHING: Mapping_ = {
    "hipaa": ("§164.308(a)(5)(ii)(B)",),
    "pci-dss": ("6.3.3",),
    "soc2": ("CC7.1",),
    "nist-800-53": ("SI-2", "SA-22"),
}

WORKLOAD_ISOLATION: Mapping_ = {
    "hipaa": ("§164.312(a)(1)",),
    "gdpr": ("Art. 32(1)(b)",),
    "pci-dss": ("2.2.1", "7.2.2"),
    "soc2": ("CC6.1", "CC6.8"),
    "nist-800-53": ("AC-6", "SC-39", "CM-7"),
}

SUPPLY_CHAIN: Mapping_ = {
    "pci-dss": ("6.3.2",),
    "soc2": ("CC7.1", "CC8.1"),
    "nist-800-53": ("SR-3", "SR-11", "CM-7(5)"),
    "nist-ai-rmf": ("GOVERN 6.1", "MANAGE 3.1"),
}

INVENTORY_TAGS: Mapping_ = {
    "gdpr": ("Art. 30",),
    "pci-dss": ("12.5.1",),
    "soc2": ("CC6.1", "CC2.1"),
    "nist-800-53": ("CM-8", "RA-2"),
    "nist-ai-rmf": ("GOVERN 1.6", "MAP 4.1"),
}

AI_SECURITY: Mapping_ = {
    "nist-ai-rmf": ("MEASURE 2.7", "MANAGE 2.2"),
    "nist-800-53": ("SI-10",),
    "soc2": ("CC6.8", "CC7.2"),
}
