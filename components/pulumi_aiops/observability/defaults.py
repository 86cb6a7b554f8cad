"""The platform's default SLOs, and constructors for drift, quality and business-signal SLOs.

Defaults (:func:`default_slos`), each on metrics the platform exports
(:mod:`pulumi_aiops.observability.metrics`); objectives and thresholds are design defaults, to be
tuned per stack (an SLO in ``slos`` with the same name replaces one):

* ``gateway-availability`` (99.5 %, 30d): LiteLLM requests not failing with a 5xx
  (``litellm_proxy_failed_requests_metric_total{exception_status=~"5.."}`` over
  ``litellm_proxy_total_requests_metric_total``; LiteLLM counts a failed request in both);
* ``gateway-latency`` (95 %, 30d): requests answered end to end within 10 s (LiteLLM's
  ``litellm_request_total_latency_metric`` bucket ``le="10.0"``, one of its LATENCY_BUCKETS);
* ``model-server-ttft`` (95 %, 30d): vLLM time to first token within 2.5 s (bucket ``le="2.5"`` of
  ``vllm:time_to_first_token_seconds``), per served model (``model_name``);
* ``gpu-saturation`` (95 % of GPU-time unsaturated, 30d): on EKS the share of GPUs whose
  ``DCGM_FI_DEV_GPU_UTIL`` is above 95 %; on CoreWeave, where the DCGM series live in CoreWeave's
  metrics and not in the cluster's Prometheus, the share of model servers whose KV cache
  (``vllm:kv_cache_usage_perc``, 0–1) is above 0.95: the GPU memory saturation of inference.

An objective below ``1 - 1/14.4`` (≈ 93.06 %) makes the fastest page condition unreachable (an
error ratio cannot exceed 1); the defaults stay above it.
"""

from __future__ import annotations

from pulumi_aiops.catalog import Cloud
from pulumi_aiops.config.observability import SloSpec

__all__ = [
    "default_slos",
    "drift_slo",
    "feedback_slo",
    "guardrail_block_slo",
    "merge_slos",
    "quality_slo",
]

W = "{{window}}"


def default_slos(cloud: Cloud | str) -> list[SloSpec]:
    """The platform's SLOs for a cluster on ``cloud``."""
    c = Cloud(cloud)
    if c is Cloud.AWS:
        saturation = SloSpec(
            name="gpu-saturation", kind="threshold", objective=0.95, window="30d",
            description="GPUs have headroom (DCGM utilisation at or below 95 %)",
            sli={"gauge": "DCGM_FI_DEV_GPU_UTIL", "threshold": 95, "aggregate": "avg"})
    else:
        saturation = SloSpec(
            name="gpu-saturation", kind="threshold", objective=0.95, window="30d",
            description="Model servers' GPU KV cache has headroom (vLLM KV-cache usage at or below 95 %)",
            sli={"gauge": "vllm:kv_cache_usage_perc", "threshold": 0.95, "aggregate": "avg"})
    return [
        SloSpec(
            name="gateway-availability", objective=0.995, window="30d",
            description="The LLM gateway answers without a server error",
            sli={"bad": f'sum(rate(litellm_proxy_failed_requests_metric_total{{exception_status=~"5.."}}[{W}]))',
                 "total": f"sum(rate(litellm_proxy_total_requests_metric_total[{W}]))"}),
        SloSpec(
            name="gateway-latency", objective=0.95, window="30d",
            description="The LLM gateway answers within 10 s",
            sli={"good": f'sum(rate(litellm_request_total_latency_metric_bucket{{le="10.0"}}[{W}]))',
                 "total": f"sum(rate(litellm_request_total_latency_metric_count[{W}]))"}),
        SloSpec(
            name="model-server-ttft", objective=0.95, window="30d",
            description="Model servers emit the first token within 2.5 s",
            sli={"good": f'sum by (model_name) (rate(vllm:time_to_first_token_seconds_bucket{{le="2.5"}}[{W}]))',
                 "total": f"sum by (model_name) (rate(vllm:time_to_first_token_seconds_count[{W}]))"}),
        saturation,
    ]


def merge_slos(defaults: list[SloSpec], extra: list[SloSpec]) -> list[SloSpec]:
    """``defaults`` with any of the same name replaced by ``extra``'s, then the rest of ``extra``."""
    by_name = {s.name: s for s in extra}
    merged = [by_name.pop(s.name, s) for s in defaults]
    return merged + [s for s in extra if s.name in by_name]


def drift_slo(name: str, *, threshold: float, objective: float = 0.95, window: str = "28d",
              model: str | None = None) -> SloSpec:
    """A model's drift as an SLO: a minute in which ``aiops_model_drift_score`` (the evaluation
    contract's gauge) is above ``threshold`` is bad; ``model`` narrows it to one served model."""
    sli: dict[str, object] = {"threshold": threshold}
    if model is not None:
        sli["selector"] = {"model": model}
    return SloSpec(name=name, kind="drift", objective=objective, window=window, sli=sli,
                   description=f"{model or 'Every model'} stays within its drift threshold ({threshold:g})")


def quality_slo(name: str, *, threshold: float, objective: float = 0.95, window: str = "28d",
                metric: str | None = None) -> SloSpec:
    """A quality score (``aiops_model_quality_score``, 0–1, higher is better) as an SLO: a minute
    in which a model's score is below ``threshold`` is bad (per model)."""
    selector = f'{{metric="{metric}"}}' if metric else ""
    return SloSpec(name=name, kind="threshold", objective=objective, window=window,
                   description=f"Model quality{f' ({metric})' if metric else ''} stays at or above {threshold:g}",
                   sli={"gauge": f"aiops_model_quality_score{selector}", "threshold": threshold,
                        "bad_when": "below", "aggregate": "max", "by": ["model"]})


def feedback_slo(name: str, *, objective: float = 0.95, window: str = "28d") -> SloSpec:
    """Thumbs-down ratio as an SLO: ``aiops_feedback_total{verdict="down"}`` over all feedback, per model."""
    return SloSpec(name=name, objective=objective, window=window,
                   description="Users rate answers positively",
                   sli={"bad": f'sum by (model) (rate(aiops_feedback_total{{verdict="down"}}[{W}]))',
                        "total": f"sum by (model) (rate(aiops_feedback_total[{W}]))"})


def guardrail_block_slo(name: str, *, objective: float = 0.98, window: str = "28d") -> SloSpec:
    """The gateway's guardrail block rate as an SLO: LiteLLM's ``litellm_guardrail_requests_total``
    with ``status="intervened"`` over all guardrail runs, per guardrail (a rise means abuse or a
    prompt regression)."""
    return SloSpec(name=name, objective=objective, window=window,
                   description="Guardrails rarely have to intervene",
                   sli={"bad": f'sum by (guardrail_name) (rate(litellm_guardrail_requests_total{{status="intervened"}}'
                               f'[{W}]))',
                        "total": f"sum by (guardrail_name) (rate(litellm_guardrail_requests_total[{W}]))"})
