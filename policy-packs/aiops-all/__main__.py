"""The `aiops-all` policy pack: every rule of the `aiops_policies` library, served once.

Each policy reports the control ids of all the frameworks its rule maps to, so one
`pulumi preview --policy-pack policy-packs/aiops-all` checks what the baseline, framework and
cost packs check together, decoding each resource once per rule instead of once per rule per
pack. Run by the Pulumi CLI, which launches `python -u -m pulumi.policy <engine-address> .` in
this folder.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiops_policies import serve

serve("aiops-all")
