"""The `gpu-cost` policy pack: a thin pack over the `aiops_policies` rule library.

Run by the Pulumi CLI (`pulumi preview --policy-pack policy-packs/gpu-cost`), which launches
`python -u -m pulumi.policy <engine-address> .` in this folder.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiops_policies import serve

serve("gpu-cost")
