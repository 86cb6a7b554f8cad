"""The LLM gateway's parts: LiteLLM's config (:mod:`.litellm_config`), its Aurora database
(:mod:`.database`), the teams reconciler (:mod:`.reconcile_teams`) and ``aiops redteam``
(:mod:`.redteam`). The component is :class:`pulumi_aiops.llm_gateway.LlmGateway`."""
