"""Build a self-contained, publishable copy of a pack.

``pulumi policy publish`` uploads only the pack's own folder, and the repository's packs import
the shared library from ``../aiops_policies``. This copies a pack with the library (and the GPU
price catalogue the ``gpu-cost`` rule reads) inside it, ready to publish::

    python -m aiops_policies.vendor hipaa --out dist/policy-packs
    cd dist/policy-packs/hipaa && pulumi policy publish <org>

The copy's ``__main__.py`` is unchanged: it still puts its parent folder on ``sys.path``, and
the library next to it is found first, because ``python -m pulumi.policy`` runs in the pack's
folder (``sys.path[0]``).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from aiops_policies.packs import PACKS
from aiops_policies.rules_cost import catalog_path

__all__ = ["vendor_pack"]

LIBRARY = Path(__file__).resolve().parent
PACKS_DIR = LIBRARY.parent


def vendor_pack(name: str, out: Path | str, packs_dir: Path | str = PACKS_DIR) -> Path:
    """Copy pack ``name`` to ``out/name`` with the rule library and GPU catalogue inside it."""
    if name not in PACKS:
        raise SystemExit(f"unknown pack {name!r}; known: {', '.join(sorted(PACKS))}")
    src = Path(packs_dir) / name
    dest = Path(out) / name
    if dest.exists():
        shutil.rmtree(dest)
    ignore = shutil.ignore_patterns("__pycache__", "venv", ".venv")
    shutil.copytree(src, dest, ignore=ignore)
    shutil.copytree(LIBRARY, dest / "aiops_policies", ignore=ignore)
    catalog = catalog_path()
    if catalog is None or not catalog.is_file():
        raise SystemExit("the GPU catalogue (gpu_instances.toml) was not found; set AIOPS_GPU_CATALOG")
    shutil.copy2(catalog, dest / "aiops_policies" / "gpu_instances.toml")
    return dest


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("packs", nargs="*", help="pack names (default: every pack)")
    ap.add_argument("--out", type=Path, default=Path("dist/policy-packs"))
    ns = ap.parse_args(argv)
    for name in ns.packs or sorted(PACKS):
        print(vendor_pack(name, ns.out))


if __name__ == "__main__":
    main()
