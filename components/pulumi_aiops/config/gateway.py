"""Configuration of the LLM gateway (``aiops:platform.gateway``) and the args of
:class:`~pulumi_aiops.llm_gateway.LlmGateway`.

One LiteLLM proxy in front of every model: Bedrock models from :class:`BedrockAccess`'s allowlist,
self-hosted :class:`~pulumi_aiops.workloads.ModelServer`\\ s, and OpenAI-compatible outside APIs,
each a *route* (a model name clients ask for). Example stack config::

    aiops:platform:
      gateway:
        cluster: eks
        allowedNamespaces: [apps]
        routes:
          - {name: chat, provider: model-server, server: qwen-7b}
          - {name: chat-bedrock, provider: bedrock, model: amazon.nova-pro-v1:0}
          - {name: gpt, provider: openai-compatible, model: gpt-4o-mini,
             apiBase: https://api.openai.com/v1, apiKeySecret: openaiApiKey}   # aiops:openaiApiKey (secret)
        router:
          fallbacks: {chat: [chat-bedrock]}
          contextWindowFallbacks: {chat: [gpt]}
        database: {mode: aurora}
        teams:
          - {id: search, maxBudgetUsd: 500, budgetDuration: 30d, rpmLimit: 600, models: [chat]}

The same models validate the component's args (:class:`LlmGatewayArgsModel`), where a route's
``server`` is a ``ModelServer`` object (or its values), ``bedrock`` a ``BedrockAccess`` object
(or its values), and an outside API's key a secret output.
"""

# No `from __future__ import annotations`: the Args generator and Pulumi's schema inference read
# the annotations (the Protocols below) as objects at run time.
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, Protocol
from urllib.parse import urlsplit

import pulumi
from pydantic import ConfigDict, Field, GetCoreSchemaHandler, field_validator, model_validator
from pydantic_core import core_schema

from pulumi_aiops import images
from pulumi_aiops.config.base import AiopsModel, ConfigValueError, Wired, is_known
from pulumi_aiops.contract import GpuClusterInput

__all__ = [
    "CONTENT_FILTER_CATEGORIES",
    "DEFAULT_PROMPT_INJECTION_CATEGORIES",
    "LITELLM_IMAGE",
    "LITELLM_IMAGE_SOURCE",
    "LITELLM_VERSION",
    "BedrockAccessLike",
    "BedrockRef",
    "ContentFilterCategory",
    "DatabaseMode",
    "GatewayConfig",
    "GatewayRouteArgsModel",
    "GatewayRouteConfig",
    "GatewaySpec",
    "LlmGatewayArgsModel",
    "ModelServerLike",
    "ModelServerRef",
    "OtlpProtocol",
    "RouteProvider",
    "RoutingStrategy",
    "check_gateway_references",
    "url_host",
]

#: The LiteLLM release the gateway runs, and the Python package the tests run (``litellm[proxy]`` in
#: the ``gateway`` extra): the two move together. Never 1.107.0, a release reported compromised.
LITELLM_VERSION = "1.108.7"
#: LiteLLM's image that bundles its database tooling, from the one images place
#: (:data:`pulumi_aiops.images.LITELLM_DATABASE`: tag, and why it has no digest yet).
LITELLM_IMAGE = images.LITELLM_DATABASE.reference
#: Where :data:`LITELLM_IMAGE` was read.
LITELLM_IMAGE_SOURCE = images.LITELLM_DATABASE.note

_NAME_RE = re.compile(r"^[a-z]([-a-z0-9]{0,40}[a-z0-9])?$")
_ROUTE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$")
_TEAM_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
_DURATION_RE = re.compile(r"^\d+(s|m|h|d|mo)$")
_QUANTITY_RE = re.compile(r"^\d+(\.\d+)?(m|Mi|Gi)?$")
_CONFIG_KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,127}$")
_DIGEST_RE = re.compile(r"@sha256:[0-9a-f]{64}$")
_CIDR_RE = re.compile(r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$")


class RouteProvider(StrEnum):
    """Where a route's model runs."""

    BEDROCK = "bedrock"
    MODEL_SERVER = "model-server"
    OPENAI_COMPATIBLE = "openai-compatible"


class RoutingStrategy(StrEnum):
    """LiteLLM's router strategies (``router_settings.routing_strategy``) among a route name's deployments."""

    SIMPLE_SHUFFLE = "simple-shuffle"
    LEAST_BUSY = "least-busy"
    LATENCY = "latency-based-routing"
    USAGE = "usage-based-routing-v2"
    COST = "cost-based-routing"


class ContentFilterCategory(StrEnum):
    """Prompt-injection categories of LiteLLM's ``litellm_content_filter`` guardrail (keyword files
    under ``litellm/proxy/guardrails/content_filter_data/categories`` in 1.108.7)."""

    JAILBREAK = "prompt_injection_jailbreak"
    SYSTEM_PROMPT = "prompt_injection_system_prompt"
    DATA_EXFILTRATION = "prompt_injection_data_exfiltration"
    MALICIOUS_CODE = "prompt_injection_malicious_code"
    SQL = "prompt_injection_sql"


#: Every category the content filter offers for prompt injection.
CONTENT_FILTER_CATEGORIES = tuple(ContentFilterCategory)
#: The default: the three categories that catch instruction overrides, persona jailbreaks and
#: system-prompt or data extraction (the code and SQL categories block legitimate coding questions).
DEFAULT_PROMPT_INJECTION_CATEGORIES = (ContentFilterCategory.JAILBREAK, ContentFilterCategory.SYSTEM_PROMPT,
                                       ContentFilterCategory.DATA_EXFILTRATION)


class DatabaseMode(StrEnum):
    """LiteLLM's Postgres database, which virtual keys, teams and budgets need."""

    NONE = "none"
    AURORA = "aurora"
    EXISTING = "existing"


class OtlpProtocol(StrEnum):
    HTTP = "http/protobuf"
    GRPC = "grpc"


def url_host(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of an http(s) URL (the port defaulted from the scheme)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, (parts.hostname or "").lower(), port


def in_cluster_host(host: str) -> tuple[str, str] | None:
    """``(service, namespace)`` when ``host`` is a Kubernetes service name (``svc.ns.svc`` or
    ``svc.ns.svc.cluster.local``), else ``None``."""
    labels = host.split(".")
    if len(labels) >= 3 and labels[2] == "svc" and (len(labels) == 3 or labels[3:] == ["cluster", "local"]):
        return labels[0], labels[1]
    return None


def _is_loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1")


def check_api_base(url: str) -> str:
    """``url`` if it is an http(s) base URL; plain http only for in-cluster services and loopback."""
    scheme, host, _ = url_host(url)
    if scheme not in ("http", "https") or not host:
        raise ConfigValueError("is not an http(s) URL, e.g. https://api.openai.com/v1")
    if scheme == "http" and not (in_cluster_host(host) or _is_loopback(host)):
        raise ConfigValueError("sends prompts and the API key in clear text; use https (plain http only "
                               "for an in-cluster service, <svc>.<namespace>.svc[.cluster.local])")
    return url


# -- component references (objects in Python, values from other languages) ----------------------
class BedrockAccessLike(Protocol):
    """The Bedrock access a gateway's Bedrock routes use, as its ``bedrock`` argument shows it.

    In Python, pass the :class:`~pulumi_aiops.bedrock_access.BedrockAccess` object (the gateway calls
    its ``grant_invoke``). From another language, pass its values: ``models`` (the allowlist),
    ``guardrailArn``, ``guardrailVersion`` and ``invokePolicyArn`` (its outputs); the gateway
    attaches the invoke policy to its own role.
    """

    models: list[str]
    """The allowlisted model ids (BedrockAccess's ``models``)."""
    guardrail_arn: pulumi.Output[str]
    """The platform guardrail's ARN (without version)."""
    guardrail_version: pulumi.Output[str]
    """The published guardrail version the IAM condition names."""
    invoke_policy_arn: pulumi.Output[str]
    """The managed policy that allows the allowlisted models through the guardrail."""


class BedrockRef(AiopsModel):
    """A :class:`BedrockAccess` by value (see :class:`BedrockAccessLike`)."""

    model_config = ConfigDict(title="GatewayBedrockRefArgs")

    models: list[str] = Field(min_length=1, description="The allowlist. Required.")
    guardrail_arn: Wired[str] = Field(description="The guardrail ARN. Required.")
    guardrail_version: Wired[str] = Field(description="The guardrail version. Required.")
    invoke_policy_arn: Wired[str] = Field(description="The invoke policy ARN. Required.")


class ModelServerLike(Protocol):
    """A self-hosted model server a route sends to, as a route's ``server`` argument shows it.

    In Python, pass the :class:`~pulumi_aiops.workloads.ModelServer` object. From another language
    (or for a server of another program), pass its values: ``endpoint`` (the OpenAI-compatible URL,
    in-cluster ``http://<svc>.<ns>.svc.cluster.local:<port>/v1``), ``servedModelName`` and
    ``contextLength``.
    """

    endpoint: pulumi.Output[str]
    """The server's OpenAI-compatible base URL (ModelServer's ``endpoint`` output)."""
    served_model_name: str
    """The model name the server answers to (vLLM's ``--served-model-name``; ModelServer: its name)."""
    context_length: int | None
    """The server's context window in tokens (vLLM's ``--max-model-len``), for context-window fallbacks."""


class ModelServerRef(AiopsModel):
    """A model server by value (see :class:`ModelServerLike`)."""

    model_config = ConfigDict(title="GatewayModelServerRefArgs")

    endpoint: Wired[str] = Field(description="OpenAI-compatible base URL. Required.")
    served_model_name: str = Field(min_length=1, description="Model name the server answers to. Required.")
    context_length: int | None = Field(None, ge=256, description="Context window (tokens). @default unknown")
    cluster_name: str | None = Field(None, description="Cluster the server runs on. @default unknown")

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, v: Any) -> Any:
        return check_api_base(v) if is_known(v) else v


class _ObjectOrRef:
    """pydantic schema of a field holding a component object or its values: an instance of the
    class named by ``import_path`` passes as is; a mapping validates as ``ref``. The generated Args
    show the field as ``args_type`` (a Protocol)."""

    def __init__(self, import_path: str, ref: type[AiopsModel], args_type: type, what: str) -> None:
        self.import_path = import_path
        self.ref = ref
        self.args_type = args_type
        self.what = what

    def _cls(self) -> type:
        import importlib

        module, _, name = self.import_path.partition(":")
        cls: type = getattr(importlib.import_module(module), name)
        return cls

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        ref_schema = handler.generate_schema(self.ref)

        def check(value: Any, validate_ref: core_schema.ValidatorFunctionWrapHandler) -> Any:
            if isinstance(value, self._cls()):
                return value
            if isinstance(value, self.ref | Mapping):
                return validate_ref(value)
            hint = "; pass the component object, not its name" if isinstance(value, str) else ""
            raise ConfigValueError(f"is not {self.what}{hint}", value=f"<{type(value).__name__}>")

        return core_schema.no_info_wrap_validator_function(check, ref_schema)


BedrockInput = Annotated[Any, _ObjectOrRef("pulumi_aiops.bedrock_access:BedrockAccess", BedrockRef,
                                           BedrockAccessLike, "a BedrockAccess or its values (BedrockRef)")]
ModelServerInput = Annotated[Any, _ObjectOrRef("pulumi_aiops.workloads:ModelServer", ModelServerRef,
                                               ModelServerLike, "a ModelServer or its values (ModelServerRef)")]


# -- routes --------------------------------------------------------------------------------------
class GatewayRouteSpec(AiopsModel):
    """One deployment behind a route name; several with the same name share its traffic."""

    name: str = Field(description="The model name clients ask for (`model` in the request). Required.")
    provider: RouteProvider = Field(description="bedrock, model-server or openai-compatible. Required.")
    model: str | None = Field(
        None, description="bedrock: the model id (in BedrockAccess's allowlist); openai-compatible: the upstream model "
                          "name; model-server: overrides the server's served model name. @default the server's")
    api_base: Wired[str] | None = Field(
        None, description="openai-compatible: the API's base URL (https; http only for an in-cluster service). "
                          "Required for openai-compatible, not allowed otherwise. @default none")
    context_length: int | None = Field(
        None, ge=256, description="Context window in tokens (LiteLLM's max_input_tokens), used by context-window "
                                  "fallbacks and pre-call checks. @default the server's maxModelLen; unknown otherwise")
    rpm: int | None = Field(None, ge=1, description="Requests per minute this deployment takes. @default unlimited")
    tpm: int | None = Field(None, ge=1, description="Tokens per minute this deployment takes. @default unlimited")
    timeout_seconds: float | None = Field(
        None, gt=0, le=3600, description="Per-request timeout of this deployment. @default router.timeoutSeconds")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _ROUTE_RE.match(v):
            raise ConfigValueError("is not a route name (letters, digits, '.', '_', ':', '/', '-'; at most 128)")
        return v

    @field_validator("api_base")
    @classmethod
    def _api_base(cls, v: Any) -> Any:
        return check_api_base(v) if is_known(v) and v is not None else v

    def _check_provider_fields(self, server_given: bool, key_given: bool, key_field: str) -> None:
        p = self.provider
        if p is RouteProvider.BEDROCK:
            if not self.model:
                raise ConfigValueError("is required for a bedrock route: the model id from BedrockAccess's allowlist",
                                       loc=("model",), value=None)
            for f, given in (("apiBase", self.api_base is not None), ("server", server_given),
                             (key_field, key_given)):
                if given:
                    raise ConfigValueError("is not used by a bedrock route (Bedrock is reached with the gateway's "
                                           "IAM role); remove it", loc=(f,), value="…")
        elif p is RouteProvider.MODEL_SERVER:
            if not server_given:
                raise ConfigValueError("is required for a model-server route: the ModelServer to send to",
                                       loc=("server",), value=None)
            for f, given in (("apiBase", self.api_base is not None), (key_field, key_given)):
                if given:
                    raise ConfigValueError("is not used by a model-server route (the server's endpoint is used); "
                                           "remove it", loc=(f,), value="…")
        else:
            if self.api_base is None:
                raise ConfigValueError("is required for an openai-compatible route: the API's base URL",
                                       loc=("apiBase",), value=None)
            if not self.model:
                raise ConfigValueError("is required for an openai-compatible route: the upstream model name",
                                       loc=("model",), value=None)
            if server_given:
                raise ConfigValueError("is only for model-server routes; remove it", loc=("server",), value="…")
            if not key_given:
                raise ConfigValueError(f"is required for an openai-compatible route: the API key ({key_field})",
                                       loc=(key_field,), value=None)


def _reject_plain_key(data: Any) -> Any:
    if isinstance(data, Mapping):
        for k in ("apiKey", "api_key"):
            if k in data:
                raise ConfigValueError(
                    "is an outside API key in plain text in the stack file; store it as a secret "
                    "(`pulumi config set --secret aiops:<name> …`) and name it in apiKeySecret",
                    loc=(k,), value="<redacted>")
    return data


class GatewayRouteConfig(GatewayRouteSpec):
    """A route in stack config (``gateway.routes[]``)."""

    server: str | None = Field(
        None, description="model-server: the name of a workloads.modelServers[] entry on the gateway's cluster. "
                          "@default none")
    api_key_secret: str | None = Field(
        None, description="openai-compatible: the name of a *secret* config key in the `aiops` namespace holding "
                          "the API key (`pulumi config set --secret aiops:<name> …`). @default none")

    @model_validator(mode="before")
    @classmethod
    def _no_plain_key(cls, data: Any) -> Any:
        return _reject_plain_key(data)

    @field_validator("api_key_secret")
    @classmethod
    def _key_name(cls, v: str | None) -> str | None:
        if v is not None and not _CONFIG_KEY_RE.match(v.removeprefix("aiops:")):
            raise ConfigValueError("is not a config key name, e.g. openaiApiKey (read as aiops:openaiApiKey)")
        return None if v is None else v.removeprefix("aiops:")

    @model_validator(mode="after")
    def _fields(self) -> "GatewayRouteConfig":
        self._check_provider_fields(self.server is not None, self.api_key_secret is not None, "apiKeySecret")
        return self


class GatewayRouteArgsModel(GatewayRouteSpec):
    """One route of LlmGateway: a model name clients ask for, and where it goes."""

    model_config = ConfigDict(title="GatewayRouteArgs")

    server: ModelServerInput | None = Field(
        None, description="model-server: the ModelServer object (in Python), or its values: endpoint, "
                          "servedModelName, contextLength. @default none")
    api_key: Wired[str] | None = Field(
        None, description="openai-compatible: the API key, as a secret output (pulumi.Config().require_secret(…)); a "
                          "plain string is refused. It goes into a Kubernetes Secret, never the ConfigMap. "
                          "@default none")

    @field_validator("api_key")
    @classmethod
    def _secret_key(cls, v: Any) -> Any:
        if v is not None and is_known(v):
            raise ConfigValueError(
                "is an outside API key in plain text; pass a secret output "
                "(pulumi.Config().require_secret('openaiApiKey') or pulumi.Output.secret(…))", value="<redacted>")
        return v

    @model_validator(mode="after")
    def _fields(self) -> "GatewayRouteArgsModel":
        self._check_provider_fields(self.server is not None, self.api_key is not None, "apiKey")
        return self


# -- router, guardrails, teams, database, ingress, telemetry -----------------------------------
class GatewayRouterSpec(AiopsModel):
    """LiteLLM's router: strategy, retries, timeouts, fallbacks and cooldowns (``router_settings``)."""

    model_config = ConfigDict(title="GatewayRouterArgs")

    routing_strategy: RoutingStrategy = Field(
        RoutingStrategy.SIMPLE_SHUFFLE, description="How a route's deployments share traffic. @default simple-shuffle")
    num_retries: int = Field(
        0, ge=0, le=10,
        description="Retries of a failed call on the same route before its fallbacks. LiteLLM backs off before "
                    "retrying a route with one deployment (about 2 s per retry, measured with 1.108.7), so every "
                    "request pays it while that backend is down; fallbacks answer at once. Raise it for routes "
                    "with several deployments or no fallback. @default 0")
    timeout_seconds: float = Field(120, gt=0, le=3600, description="Timeout of one call. @default 120")
    allowed_fails: int = Field(
        3, ge=1, le=1000, description="Failures per minute before a deployment cools down. @default 3")
    cooldown_seconds: float = Field(30, ge=0, le=3600, description="How long a failing deployment rests. @default 30")
    fallbacks: dict[str, list[str]] = Field(
        default_factory=dict, description="Route → routes tried in order when it fails (errors, 5xx, timeouts, "
                                          "rate limits). @default {}")
    context_window_fallbacks: dict[str, list[str]] = Field(
        default_factory=dict, description="Route → routes with a larger context window, tried when the prompt is too "
                                          "long. @default {}")
    content_policy_fallbacks: dict[str, list[str]] = Field(
        default_factory=dict, description="Route → routes tried when the provider refuses on content policy. "
                                          "@default {}")
    pre_call_checks: bool = Field(
        True, description="Check rpm/tpm and context windows before calling a deployment (LiteLLM's "
                          "enable_pre_call_checks; per-route rpm is enforced only with it). @default true")


class PromptInjectionSpec(AiopsModel):
    """LiteLLM's ``litellm_content_filter`` guardrail, in ``pre_call`` mode on every request."""

    model_config = ConfigDict(title="GatewayPromptInjectionArgs")

    enabled: bool = Field(True, description="@default true")
    categories: list[ContentFilterCategory] = Field(
        default_factory=lambda: list(DEFAULT_PROMPT_INJECTION_CATEGORIES),
        description="Content-filter categories that block the request. @default prompt_injection_jailbreak, "
                    "prompt_injection_system_prompt, prompt_injection_data_exfiltration")
    blocked_phrases: list[str] = Field(
        default_factory=list, description="More phrases that block a request (case-insensitive), on top of the "
                                          "library's own (see pulumi_aiops.gateway.litellm_config). @default []")

    @field_validator("categories")
    @classmethod
    def _categories(cls, v: list[ContentFilterCategory]) -> list[ContentFilterCategory]:
        if len(set(v)) != len(v):
            raise ConfigValueError("lists a category twice")
        return v


class GatewayGuardrailsSpec(AiopsModel):
    """Prompt-injection protection of every route (Bedrock routes also carry BedrockAccess's guardrail).

    The Bedrock guardrail is not optional: the invoke policy refuses Bedrock calls without it."""

    model_config = ConfigDict(title="GatewayGuardrailsArgs")

    prompt_injection: PromptInjectionSpec = Field(
        default_factory=PromptInjectionSpec, description="@default on, three prompt-injection categories")


class GatewayTeamSpec(AiopsModel):
    """A team with its own budget and limits, reconciled into LiteLLM's database after each deploy."""

    model_config = ConfigDict(title="GatewayTeamArgs")

    id: str = Field(description="LiteLLM team_id (stable; keys are issued under it). Required.")
    alias: str | None = Field(None, description="Display name. @default the id")
    max_budget_usd: float | None = Field(None, gt=0, description="Spend limit per budget period. @default unlimited")
    budget_duration: str | None = Field(
        None, description="Budget period: 30s, 30m, 30h, 30d or 1mo. @default none (the budget never resets)")
    rpm_limit: int | None = Field(None, ge=1, description="Requests per minute for the team. @default unlimited")
    tpm_limit: int | None = Field(None, ge=1, description="Tokens per minute for the team. @default unlimited")
    models: list[str] = Field(default_factory=list, description="Routes the team may call. @default [] (all)")

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _TEAM_RE.match(v):
            raise ConfigValueError("is not a team id (letters, digits, '.', '_', '-'; at most 63)")
        return v

    @field_validator("budget_duration")
    @classmethod
    def _duration(cls, v: str | None) -> str | None:
        if v is not None and not _DURATION_RE.match(v):
            raise ConfigValueError("is not a LiteLLM budget duration, e.g. 30d, 1mo, 24h")
        return v

    @model_validator(mode="after")
    def _budget(self) -> "GatewayTeamSpec":
        if self.budget_duration is not None and self.max_budget_usd is None:
            raise ConfigValueError("is set without maxBudgetUsd; give the budget it resets",
                                   loc=("budgetDuration",), value=self.budget_duration)
        return self


class GatewayAuroraSpec(AiopsModel):
    """Aurora PostgreSQL Serverless v2 for LiteLLM: encrypted with its own key, protected, private."""

    model_config = ConfigDict(title="GatewayAuroraArgs")

    engine_version: str = Field("16.6", pattern=r"^1[3-7]\.\d+$", description="@default 16.6")
    min_capacity: float = Field(0.5, ge=0.5, le=256, description="Minimum ACUs. @default 0.5")
    max_capacity: float = Field(4, ge=1, le=256, description="Maximum ACUs. @default 4")
    database_name: str = Field("litellm", pattern=r"^[a-z][a-z0-9_]{0,62}$", description="@default litellm")
    backup_retention_days: int = Field(7, ge=1, le=35, description="@default 7")

    @model_validator(mode="after")
    def _capacity(self) -> "GatewayAuroraSpec":
        if self.max_capacity < self.min_capacity:
            raise ConfigValueError(f"must be at least minCapacity ({self.min_capacity})",
                                   loc=("maxCapacity",), value=self.max_capacity)
        return self


class ExistingDatabaseSpec(AiopsModel):
    """A PostgreSQL database you run, by reference."""

    model_config = ConfigDict(title="GatewayExistingDatabaseArgs")

    host: Wired[str] = Field(description="Host name or address. Required.")
    port: int = Field(5432, ge=1, le=65535, description="@default 5432")
    database_name: str = Field("litellm", description="@default litellm")
    username: str = Field("litellm", description="@default litellm")
    cidrs: list[str] = Field(
        min_length=1, description="Address ranges the database answers from (the gateway's NetworkPolicy lets it "
                                  "reach only these, on port). Required.")

    @field_validator("cidrs")
    @classmethod
    def _cidrs(cls, v: list[str]) -> list[str]:
        for i, c in enumerate(v):
            if not _CIDR_RE.match(c):
                raise ConfigValueError("is not an IPv4 CIDR, e.g. 10.0.0.0/16", loc=(i,), value=c)
        return v


class GatewayDatabaseSpec(AiopsModel):
    """LiteLLM's Postgres: virtual keys, teams, budgets and spend live there."""

    model_config = ConfigDict(title="GatewayDatabaseArgs")

    mode: DatabaseMode = Field(DatabaseMode.NONE, description="none, aurora or existing. @default none")
    aurora: GatewayAuroraSpec = Field(default_factory=GatewayAuroraSpec, description="mode aurora. @default 0.5-4 ACU")
    existing: ExistingDatabaseSpec | None = Field(None, description="mode existing. @default none")

    @model_validator(mode="after")
    def _mode(self) -> "GatewayDatabaseSpec":
        if self.mode is DatabaseMode.EXISTING and self.existing is None:
            raise ConfigValueError("is required with mode existing: host, cidrs (and port, databaseName, username)",
                                   loc=("existing",), value=None)
        if self.mode is not DatabaseMode.EXISTING and self.existing is not None:
            raise ConfigValueError(f"is not used with mode {self.mode.value}; remove it or set mode: existing",
                                   loc=("existing",), value="{…}")
        return self


class GatewayIngressSpec(AiopsModel):
    """An Ingress with TLS in front of the gateway's Service."""

    model_config = ConfigDict(title="GatewayIngressArgs")

    host: str = Field(description="DNS name, e.g. llm.example.com. Required.")
    tls_secret_name: str = Field(description="Secret (kubernetes.io/tls) in the gateway's namespace. Required.")
    class_name: str | None = Field(None, description="IngressClass, e.g. alb or nginx. @default the cluster's default")
    annotations: dict[str, str] = Field(default_factory=dict, description="Controller annotations. @default {}")
    source_namespaces: list[str] = Field(
        default_factory=list, description="Namespaces of in-cluster proxies (e.g. ingress-nginx) the NetworkPolicy "
                                          "admits. @default []")
    source_cidrs: list[str] = Field(
        default_factory=list, description="Address ranges the load balancer connects from (e.g. the VPC CIDR with "
                                          "the AWS Load Balancer Controller in IP mode). @default []")

    @field_validator("host")
    @classmethod
    def _host(cls, v: str) -> str:
        if not re.match(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$", v):
            raise ConfigValueError("is not a DNS name, e.g. llm.example.com")
        return v

    @field_validator("source_cidrs")
    @classmethod
    def _cidrs(cls, v: list[str]) -> list[str]:
        for i, c in enumerate(v):
            if not _CIDR_RE.match(c):
                raise ConfigValueError("is not an IPv4 CIDR, e.g. 10.0.0.0/16", loc=(i,), value=c)
        return v

    @model_validator(mode="after")
    def _sources(self) -> "GatewayIngressSpec":
        if not self.source_namespaces and not self.source_cidrs:
            raise ConfigValueError("is empty, and so is sourceCidrs: the NetworkPolicy would admit no load balancer; "
                                   "name the ingress controller's namespace or the load balancer's address ranges",
                                   loc=("sourceNamespaces",), value=[])
        return self


class GatewayTelemetrySpec(AiopsModel):
    """Prometheus metrics and OpenTelemetry traces."""

    model_config = ConfigDict(title="GatewayTelemetryArgs")

    prometheus: bool = Field(True, description="LiteLLM's Prometheus metrics, on metricsPort. @default true")
    metrics_port: int = Field(9090, ge=1024, le=65535, description="Port of /metrics (no auth). @default 9090")
    monitoring_namespaces: list[str] = Field(
        default_factory=lambda: ["monitoring"],
        description="Namespaces whose Prometheus may scrape metricsPort. @default [monitoring]")
    monitoring_pod_labels: dict[str, str] = Field(
        default_factory=lambda: {"app.kubernetes.io/name": "prometheus"},
        description="Labels of the Prometheus pods in those namespaces (the Prometheus Operator's); {} admits every "
                    "pod of the namespaces. @default {app.kubernetes.io/name: prometheus}")
    service_monitor: bool = Field(
        False, description="Create the gateway's own ServiceMonitor (needs the Prometheus Operator's CRDs). Not with "
                           "the platform's observability on the cluster: its scrape.gateway target already scrapes "
                           "the gateway's metrics port. @default false")
    service_monitor_labels: dict[str, str] = Field(
        default_factory=dict, description="Labels the Prometheus selects ServiceMonitors by (e.g. release: "
                                          "kube-prometheus-stack). @default {}")
    otlp_endpoint: str | None = Field(
        None, description="OTLP traces endpoint, e.g. http://otel-collector.monitoring.svc:4318/v1/traces (or "
                          "Langfuse's /api/public/otel/v1/traces); spans follow the gen_ai semantic conventions. "
                          "@default none (no traces)")
    otlp_protocol: OtlpProtocol = Field(OtlpProtocol.HTTP, description="http/protobuf or grpc. @default http/protobuf")
    capture_message_content: bool = Field(
        False, description="Put prompts and completions on spans (gen_ai.input/output.messages). @default false")

    @field_validator("otlp_endpoint")
    @classmethod
    def _endpoint(cls, v: str | None) -> str | None:
        if v is None:
            return v
        scheme, host, _ = url_host(v)
        if scheme not in ("http", "https") or not host:
            raise ConfigValueError("is not an http(s) URL, e.g. http://otel-collector.monitoring.svc:4318/v1/traces")
        return v


class GatewayResources(AiopsModel):
    """CPU and memory per gateway pod (requests = limits)."""

    model_config = ConfigDict(title="GatewayResourcesArgs")

    cpu: str = Field("1", description="CPU, e.g. '1' or '500m'. @default 1")
    memory: str = Field("2Gi", description="Memory, e.g. '2Gi'. @default 2Gi")

    @field_validator("cpu", "memory")
    @classmethod
    def _quantity(cls, v: str) -> str:
        if not _QUANTITY_RE.match(str(v)):
            raise ConfigValueError("is not a Kubernetes quantity, e.g. '1', '500m', '2Gi'")
        return str(v)


def check_gateway_image(image: str) -> str:
    """``image`` if pinned: a digest, or a version tag (never latest/main/nightly)."""
    if _DIGEST_RE.search(image):
        return image
    name = image.rsplit("/", 1)[-1]
    if ":" not in name:
        raise ConfigValueError("is not pinned; give a version tag or an @sha256 digest")
    if name.rsplit(":", 1)[1] in {"latest", "main-latest", "main-stable", "nightly", "main"}:
        raise ConfigValueError("uses a moving tag; pin a version tag or an @sha256 digest")
    if "1.107.0" in name:
        raise ConfigValueError("is LiteLLM 1.107.0, a release reported as compromised; use "
                               f"{LITELLM_IMAGE}")
    return image


class GatewaySpec(AiopsModel):
    """What both the stack-config section and the component args hold (routes aside)."""

    name: str | None = Field(None, description="Kubernetes name of the gateway (DNS label). @default the "
                                               "component's name")
    namespace: str = Field("llm-gateway", description="Namespace created for the gateway. @default llm-gateway")
    image: str = Field(LITELLM_IMAGE,
                       description=f"LiteLLM image (with its database tooling). @default {LITELLM_IMAGE}")
    min_replicas: int = Field(2, ge=1, le=50, description="HorizontalPodAutoscaler minimum. @default 2")
    max_replicas: int = Field(6, ge=1, le=200, description="HorizontalPodAutoscaler maximum. @default 6")
    target_cpu_percent: int = Field(70, ge=10, le=100, description="HPA CPU utilisation target. @default 70")
    resources: GatewayResources = Field(default_factory=GatewayResources, description="@default 1 CPU, 2Gi")
    allowed_namespaces: list[str] = Field(
        default_factory=list, description="Namespaces whose pods may call the gateway (its NetworkPolicy admits no "
                                          "one else, except the ingress below). @default []")
    router: GatewayRouterSpec = Field(default_factory=GatewayRouterSpec, description="@default simple-shuffle, "
                                      "no retries, 120 s timeout, no fallbacks")
    guardrails: GatewayGuardrailsSpec = Field(default_factory=GatewayGuardrailsSpec,
                                              description="@default prompt-injection filter on")
    teams: list[GatewayTeamSpec] = Field(default_factory=list, description="Teams, budgets and limits (need a "
                                         "database). @default []")
    database: GatewayDatabaseSpec = Field(default_factory=GatewayDatabaseSpec, description="@default none")
    ingress: GatewayIngressSpec | None = Field(None, description="@default none (in-cluster callers only)")
    telemetry: GatewayTelemetrySpec = Field(default_factory=GatewayTelemetrySpec,
                                            description="@default Prometheus metrics, no traces")
    admin_ui: bool = Field(False, description="Serve LiteLLM's admin UI (needs the database). @default false")
    tags: dict[str, str] = Field(
        default_factory=dict, description="Governance tags: labels (or annotations) on the Kubernetes objects, tags on "
                                          "the AWS resources. In stack config they add to the governance tags. "
                                          "@default {}")

    @field_validator("name", "namespace")
    @classmethod
    def _dns(cls, v: str | None) -> str | None:
        if v is not None and not _NAME_RE.match(v):
            raise ConfigValueError("is not a DNS label of at most 42 lowercase letters, digits and '-'")
        return v

    @field_validator("allowed_namespaces")
    @classmethod
    def _namespaces(cls, v: list[str]) -> list[str]:
        for i, ns in enumerate(v):
            if not re.match(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", ns):
                raise ConfigValueError("is not a namespace name", loc=(i,), value=ns)
        return v

    @field_validator("image")
    @classmethod
    def _image(cls, v: str) -> str:
        return check_gateway_image(v)

    def _check_common(self, routes: list[Any]) -> None:
        if self.max_replicas < self.min_replicas:
            raise ConfigValueError(f"must be at least minReplicas ({self.min_replicas})", loc=("maxReplicas",),
                                   value=self.max_replicas)
        if not routes:
            raise ConfigValueError("is empty; give at least one route", loc=("routes",), value=[])
        routed = {r.name for r in routes}
        rt = self.router
        for key in ("fallbacks", "context_window_fallbacks", "content_policy_fallbacks"):
            camel = {"fallbacks": "fallbacks", "context_window_fallbacks": "contextWindowFallbacks",
                     "content_policy_fallbacks": "contentPolicyFallbacks"}[key]
            for source, targets in getattr(rt, key).items():
                if source not in routed:
                    raise ConfigValueError(f"is not a route; routes: {', '.join(sorted(routed))}",
                                           loc=("router", camel, source), value=source)
                if not targets:
                    raise ConfigValueError("is empty; list the routes to fall back to", loc=("router", camel, source),
                                           value=targets)
                for i, t in enumerate(targets):
                    if t not in routed:
                        raise ConfigValueError(
                            f"is not a route: a fallback must be routed too; routes: {', '.join(sorted(routed))}",
                            loc=("router", camel, source, i), value=t)
                    if t == source:
                        raise ConfigValueError("falls back to itself", loc=("router", camel, source, i), value=t)
        seen: set[str] = set()
        for i, t in enumerate(self.teams):
            if t.id in seen:
                raise ConfigValueError("is already a team id", loc=("teams", i, "id"), value=t.id)
            seen.add(t.id)
            for j, m in enumerate(t.models):
                if m not in routed:
                    raise ConfigValueError(f"is not a route; routes: {', '.join(sorted(routed))}",
                                           loc=("teams", i, "models", j), value=m)
            if self.database.mode is DatabaseMode.NONE:
                what = "maxBudgetUsd" if t.max_budget_usd is not None else "id"
                raise ConfigValueError(
                    "needs a database: LiteLLM keeps teams, their budgets and spend in Postgres and enforces budgets "
                    "only with it; set database.mode: aurora (or existing)",
                    loc=("teams", i, what), value=t.max_budget_usd if what == "maxBudgetUsd" else t.id)
        if self.admin_ui and self.database.mode is DatabaseMode.NONE:
            raise ConfigValueError("needs a database (LiteLLM's UI logs in against it); set database.mode",
                                   loc=("adminUi",), value=True)
        has_prometheus_scraper = bool(self.telemetry.monitoring_namespaces)
        if self.telemetry.service_monitor and not (self.telemetry.prometheus and has_prometheus_scraper):
            raise ConfigValueError("needs telemetry.prometheus and a monitoringNamespaces entry (the NetworkPolicy "
                                   "must admit the scraper)", loc=("telemetry", "serviceMonitor"), value=True)


class GatewayConfig(GatewaySpec):
    """The LLM gateway (``gateway``): LiteLLM on a named cluster's system nodes."""

    cluster: str = Field(description="Name of the cluster (any cloud) to run on. Required.")
    routes: list[GatewayRouteConfig] = Field(description="Routes: model names and where they go. Required.")
    existing_password_secret: str | None = Field(
        None, description="database.mode existing: name of the secret config key (aiops namespace) holding the "
                          "database password. @default none")

    @model_validator(mode="after")
    def _routes(self) -> "GatewayConfig":
        self._check_common(self.routes)
        if self.database.mode is DatabaseMode.EXISTING and self.existing_password_secret is None:
            raise ConfigValueError("is required with database.mode existing: the secret config key of the password",
                                   loc=("existingPasswordSecret",), value=None)
        return self


class IrsaSpec(AiopsModel):
    """IRSA for Bedrock routes on a cluster that is not an EksGpuCluster object.

    A CoreWeave cluster, or a cluster by value: its service-account issuer, registered as an IAM
    OIDC provider; the gateway's pods get an STS-audience token and assume the role with it."""

    model_config = ConfigDict(title="GatewayIrsaArgs")

    oidc_provider_arn: Wired[str] = Field(description="The IAM OIDC provider of the cluster's issuer. Required.")
    oidc_issuer_url: Wired[str] = Field(description="The issuer URL (https://…). Required.")


class AuroraNetworkSpec(AiopsModel):
    """Where the gateway's Aurora database lives."""

    model_config = ConfigDict(title="GatewayAuroraNetworkArgs")

    vpc_id: Wired[str] = Field(description="The VPC (e.g. EksGpuCluster.vpc_id). Required.")
    subnet_ids: Wired[list[Wired[str]]] = Field(description="Private subnets (at least two AZs). Required.")
    client_security_group_ids: list[Wired[str]] = Field(min_length=1,
        description="Security groups of the nodes the gateway runs on (e.g. the EKS cluster security group): only "
                    "they may connect on 5432. Required.")


class LlmGatewayArgsModel(GatewaySpec):
    """The LiteLLM gateway on a GPU cluster's system nodes: the args of LlmGateway."""

    model_config = ConfigDict(title="LlmGatewayArgs")

    cluster: GpuClusterInput = Field(
        description="The cluster to run on: an EksGpuCluster or CoreWeaveGpuCluster object (or a GpuClusterRef); the "
                    "gateway runs on its system nodes. Required.")
    routes: list[GatewayRouteArgsModel] = Field(description="Routes: model names and where they go. Required.")
    bedrock: BedrockInput | None = Field(
        None, description="BedrockAccess (object, or its values) whose allowlist and guardrail the Bedrock routes use. "
                          "Required with bedrock routes. @default none")
    irsa: IrsaSpec | None = Field(
        None, description="With bedrock routes on a cluster that is not an EksGpuCluster object: the cluster's OIDC "
                          "provider, for an IRSA role. @default EKS Pod Identity on an EksGpuCluster")
    aurora_network: AuroraNetworkSpec | None = Field(
        None, description="database.mode aurora: the VPC, subnets and client security groups. @default from an "
                          "EksGpuCluster object")
    existing_password: Wired[str] | None = Field(
        None, description="database.mode existing: the password, as a secret output. @default none")

    @field_validator("existing_password")
    @classmethod
    def _secret_password(cls, v: Any) -> Any:
        if v is not None and is_known(v):
            raise ConfigValueError("is a database password in plain text; pass a secret output "
                                   "(pulumi.Config().require_secret(…))", value="<redacted>")
        return v

    @model_validator(mode="after")
    def _routes(self) -> "LlmGatewayArgsModel":
        self._check_common(self.routes)
        bedrock_routes = [(i, r) for i, r in enumerate(self.routes) if r.provider is RouteProvider.BEDROCK]
        if bedrock_routes and self.bedrock is None:
            raise ConfigValueError("is required: routes use provider bedrock (pass the BedrockAccess)",
                                   loc=("bedrock",), value=None)
        allowed = list(getattr(self.bedrock, "models", []) or [])
        for i, r in bedrock_routes:
            if r.model not in allowed:
                raise ConfigValueError(
                    f"is not in BedrockAccess's allowlist ({', '.join(allowed)}); add it there first",
                    loc=("routes", i, "model"), value=r.model)
        if self.database.mode is DatabaseMode.EXISTING and self.existing_password is None:
            raise ConfigValueError("is required with database.mode existing (a secret output)",
                                   loc=("existingPassword",), value=None)
        cluster_name = getattr(self.cluster, "cluster_name", None)
        for i, r in enumerate(self.routes):
            srv_cluster = getattr(r.server, "cluster_name", None)
            if srv_cluster and cluster_name and srv_cluster != cluster_name:
                raise ConfigValueError(
                    f"runs on cluster {srv_cluster!r}, the gateway on {cluster_name!r}: an in-cluster endpoint is not "
                    "reachable from another cluster; put a gateway on that cluster, or route to the server's "
                    "external URL as openai-compatible", loc=("routes", i, "server"), value=srv_cluster)
        return self


# -- stack-config references (called by PlatformConfig) ------------------------------------------
def check_gateway_references(platform: Any) -> None:
    """The gateway names a declared cluster with system nodes; model-server routes name servers on
    that cluster; Bedrock routes name allowlisted models; Aurora has an EKS VPC. Raises
    :class:`ConfigValueError` at the ``gateway`` key path."""
    gw: GatewayConfig | None = getattr(platform, "gateway", None)
    if gw is None:
        return
    clusters = {c.name: c for c in platform.clusters()}
    if gw.cluster not in clusters:
        raise ConfigValueError(f"is not a declared cluster; declared: {', '.join(clusters) or 'none'}",
                               loc=("gateway", "cluster"), value=gw.cluster)
    from pulumi_aiops.config.placement import check_system_requests, system_pools_of

    pools = system_pools_of(clusters[gw.cluster])
    if not pools:
        raise ConfigValueError(
            "declares no system nodes: the gateway runs on non-GPU nodes (a CoreWeave cluster needs cpuNodePools)",
            loc=("gateway", "cluster"), value=gw.cluster)
    check_system_requests(gw.resources.cpu, gw.resources.memory, pools, cluster=gw.cluster,
                          loc_cpu=("gateway", "resources", "cpu"), loc_mem=("gateway", "resources", "memory"),
                          what="a gateway pod")
    servers = {s.name for s in platform.workloads.model_servers if s.cluster == gw.cluster}
    elsewhere = {s.name: s.cluster for s in platform.workloads.model_servers if s.cluster != gw.cluster}
    bedrock = getattr(platform, "bedrock", None)
    allow = list(bedrock.models) if bedrock is not None else []
    for i, r in enumerate(gw.routes):
        if r.provider is RouteProvider.MODEL_SERVER and r.server not in servers:
            where = (f"; {r.server!r} runs on cluster {elsewhere[r.server]!r}, and an in-cluster endpoint is not "
                     "reachable from another cluster") if r.server in elsewhere else ""
            raise ConfigValueError(
                f"is not a model server on cluster {gw.cluster!r} (workloads.modelServers); servers there: "
                f"{', '.join(sorted(servers)) or 'none'}{where}", loc=("gateway", "routes", i, "server"),
                value=r.server)
        if r.provider is RouteProvider.BEDROCK:
            if bedrock is None:
                raise ConfigValueError("needs the bedrock section (its allowlist and guardrail)",
                                       loc=("gateway", "routes", i, "provider"), value=r.provider.value)
            if r.model not in allow:
                raise ConfigValueError(f"is not in bedrock.models ({', '.join(allow)}); allowlist it there first",
                                       loc=("gateway", "routes", i, "model"), value=r.model)
    obs = getattr(platform, "observability", None)
    if obs is not None and gw.telemetry.service_monitor and (not obs.clusters or gw.cluster in obs.clusters) \
            and obs.scrape.gateway is not None:
        raise ConfigValueError(
            "would scrape the gateway twice: observability runs on its cluster and its scrape.gateway target already "
            "scrapes it; remove serviceMonitor (or set observability.scrape.gateway: null)",
            loc=("gateway", "telemetry", "serviceMonitor"), value=True)
    if gw.database.mode is DatabaseMode.AURORA and clusters[gw.cluster].cloud != "aws":
        raise ConfigValueError(
            "is aurora, but the gateway runs on a CoreWeave cluster, which cannot reach a private Aurora in an AWS "
            "VPC; run the gateway on an EKS cluster, or use mode existing with a database the cluster reaches",
            loc=("gateway", "database", "mode"), value=gw.database.mode.value)
    if bedrock is not None and any(r.provider is RouteProvider.BEDROCK for r in gw.routes) and \
            clusters[gw.cluster].cloud != "aws":
        raise ConfigValueError(
            "is a CoreWeave cluster: Bedrock routes need an IAM role the pods can assume; run the gateway on an EKS "
            "cluster, or use LlmGateway from Python with irsa (the cluster's OIDC provider)",
            loc=("gateway", "cluster"), value=gw.cluster)
