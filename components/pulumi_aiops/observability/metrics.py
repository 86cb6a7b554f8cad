"""The metric names the platform's exporters actually export, as the dashboards and SLOs use them.

A dashboard panel or an SLO naming anything else shows nothing, so every name the library puts in
PromQL comes from one of these sets (a test checks each panel and each default SLO), and each set
was read from its exporter (a test re-checks them against the reference lists when present):

* DCGM: NVIDIA/dcgm-exporter ``etc/default-counters.csv`` and ``etc/dcp-metrics-included.csv`` at
  commit d5e5f510a1b6b393f39a43293ccd9dc985defc79 (the rows not commented out; gauges, except
  ``DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION`` and ``DCGM_FI_DEV_PCIE_REPLAY_COUNTER``, which are
  counters exported without ``_total``). Labels ``gpu``, ``UUID``, ``device``, ``modelName``,
  ``hostname`` (internal/pkg/rendermetrics/render_metrics.go), plus ``pod``, ``namespace``,
  ``container`` of the pod holding the GPU when ``DCGM_EXPORTER_KUBERNETES=true``. On CoreWeave
  (CKS) the same DCGM fields come from CoreWeave's own metrics (the "CoreWeave Metrics" data
  source, ``https://observe.coreweave.com``; docs.coreweave.com/observability/self-hosted-grafana/
  custom-alerts uses ``DCGM_FI_DEV_GPU_UTIL``).
* vLLM: the ``vllm:`` names of the vllm 0.11.0 wheel (the ModelServer's default image), label
  ``model_name`` (the served model name) and ``engine``; TTFT buckets 0.001 … 2560 s.
* LiteLLM 1.108.7 ``litellm/integrations/prometheus.py``: counters exported with ``_total``,
  histograms with ``_bucket``/``_sum``/``_count``; latency buckets
  ``types/integrations/prometheus.py`` ``LATENCY_BUCKETS`` (0.005 … 600 s, rendered ``le="5.0"``).
* The evaluation contract (:mod:`pulumi_aiops.observability.evaluation`): this library's own.
"""

from __future__ import annotations

__all__ = [
    "DCGM",
    "EVALUATION",
    "EXPORTED",
    "LITELLM",
    "LITELLM_LATENCY_BUCKETS",
    "VLLM",
    "VLLM_TTFT_BUCKETS",
]

DCGM: frozenset[str] = frozenset({
    "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_GPU_TEMP",
    "DCGM_FI_DEV_MEMORY_TEMP", "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_XID_ERRORS",
    "DCGM_FI_DEV_SM_CLOCK", "DCGM_FI_DEV_MEM_COPY_UTIL", "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
    "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", "DCGM_FI_PROF_DRAM_ACTIVE",
})

#: Exported names (counters with ``_total``); histogram families without their suffixes.
VLLM: frozenset[str] = frozenset({
    "vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc",
    "vllm:time_to_first_token_seconds", "vllm:inter_token_latency_seconds",
    "vllm:e2e_request_latency_seconds", "vllm:generation_tokens_total", "vllm:prompt_tokens_total",
    "vllm:request_success_total", "vllm:num_preemptions_total",
})
VLLM_TTFT_BUCKETS: tuple[float, ...] = (
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0,
    40.0, 80.0, 160.0, 640.0, 2560.0)

LITELLM: frozenset[str] = frozenset({
    "litellm_proxy_total_requests_metric_total", "litellm_proxy_failed_requests_metric_total",
    "litellm_request_total_latency_metric", "litellm_llm_api_time_to_first_token_metric",
    "litellm_spend_metric_total", "litellm_input_tokens_metric_total", "litellm_output_tokens_metric_total",
    "litellm_deployment_successful_fallbacks_total", "litellm_deployment_failed_fallbacks_total",
    "litellm_guardrail_requests_total",
})
LITELLM_LATENCY_BUCKETS: tuple[float, ...] = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 420.0, 600.0)

EVALUATION: frozenset[str] = frozenset({
    "aiops_model_drift_score", "aiops_model_quality_score", "aiops_evaluation_last_run_timestamp_seconds",
    "aiops_feedback_total",
})

#: Every name the platform's exporters export that the library's PromQL may use.
EXPORTED: frozenset[str] = DCGM | VLLM | LITELLM | EVALUATION
