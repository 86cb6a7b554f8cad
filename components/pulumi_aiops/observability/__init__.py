"""Observability: Prometheus, Grafana, GPU metrics, LLM traces and SLOs as code."""
