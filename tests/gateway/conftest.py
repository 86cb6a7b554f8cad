"""Gateway tests: LiteLLM reads its bundled data, never GitHub.

``import litellm`` fetches the model cost map from raw.githubusercontent.com unless
``LITELLM_LOCAL_MODEL_COST_MAP`` is set; the switches are set here, before any test module of this
folder imports LiteLLM in the test process (the proxy subprocesses get them from the rendered
Deployment's environment)."""

from __future__ import annotations

import os

from pulumi_aiops.gateway.litellm_config import LOCAL_DATA_ENV

for _k, _v in LOCAL_DATA_ENV.items():
    os.environ.setdefault(_k, _v)
