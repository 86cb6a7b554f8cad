"""The pgvector extension, schema, table and indexes, as a Pulumi dynamic resource.

Runs idempotent SQL (``CREATE … IF NOT EXISTS``) through the RDS Data API
(``rds-data:ExecuteStatement``) with the cluster's Secrets Manager master secret, so no network
path to the database is needed at deploy time — only ``enable_http_endpoint`` on the cluster.
The table has the columns Bedrock knowledge bases expect (``id``, ``embedding``, ``chunks``,
``metadata``, ``custom_metadata``) plus an HNSW index on the vectors and GIN indexes for
hybrid search. Deleting the resource keeps the table (it holds data): drop it by hand.

Example (``VectorStore`` does this for its Aurora cluster)::

    from pulumi_aiops.vector_stores.pgvector_schema import PgvectorSchema

    PgvectorSchema("kb-schema", resource_arn="arn:aws:rds:us-east-1:123456789012:cluster:kb",
                   secret_arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-kb",
                   database="vectors", table="bedrock_integration.bedrock_kb",
                   dimensions=1024, region="us-east-1")
"""

from __future__ import annotations

import re
import time
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider

__all__ = [
    "BEDROCK_COLUMNS",
    "PgvectorSchema",
    "PgvectorSchemaProvider",
    "schema_statements",
]

#: Column names of the Bedrock field mapping.
BEDROCK_COLUMNS = {"primary_key_field": "id", "vector_field": "embedding", "text_field": "chunks",
                   "metadata_field": "metadata", "custom_metadata_field": "custom_metadata"}
_IDENT = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
#: Seconds between attempts while a Serverless v2 cluster resumes or the Data API warms up.
RETRY_DELAYS: tuple[float, ...] = (10, 20, 30, 30, 30)
_RETRYABLE = ("DatabaseResumingException", "DatabaseNotFoundException",
              "ServiceUnavailableError", "StatementTimeoutException")
_REPLACE_KEYS = ("resource_arn", "database", "table", "dimensions")


def _ident(value: str, what: str) -> str:
    if not _IDENT.match(value):
        raise ValueError(f"{what} {value!r} is not a plain lowercase SQL identifier")
    return value


def schema_statements(table: str, dimensions: int) -> list[str]:
    """The SQL that prepares ``schema.table`` for ``dimensions``-dimensional vectors."""
    schema, name = (_ident(p, "identifier") for p in table.split(".", 1))
    dims = int(dimensions)
    if not 0 < dims <= 2000:
        raise ValueError(f"dimensions {dims} is outside 1..2000 (pgvector HNSW limit)")
    t = f"{schema}.{name}"
    return [
        "CREATE EXTENSION IF NOT EXISTS vector",
        f"CREATE SCHEMA IF NOT EXISTS {schema}",
        f"CREATE TABLE IF NOT EXISTS {t} (id uuid PRIMARY KEY, embedding vector({dims}), "
        "chunks text, metadata json, custom_metadata jsonb)",
        f"CREATE INDEX IF NOT EXISTS {name}_embedding_hnsw ON {t} "
        "USING hnsw (embedding vector_cosine_ops) WITH (ef_construction = 256)",
        f"CREATE INDEX IF NOT EXISTS {name}_chunks_fts ON {t} USING gin (to_tsvector('simple', chunks))",
        f"CREATE INDEX IF NOT EXISTS {name}_custom_metadata ON {t} USING gin (custom_metadata)",
    ]


def _rds_data_client(region: str) -> Any:
    import boto3

    return boto3.client("rds-data", region_name=region)


class PgvectorSchemaProvider(ResourceProvider):
    """Create (idempotently) the pgvector schema; delete keeps the data."""

    serialize_as_secret_always = False

    def _execute(self, client: Any, props: dict[str, Any], sql: str) -> None:
        for delay in (*RETRY_DELAYS, None):
            try:
                client.execute_statement(resourceArn=props["resource_arn"],
                                         secretArn=props["secret_arn"],
                                         database=props["database"], sql=sql)
                return
            except Exception as err:  # botocore ClientError carries the code
                code = getattr(err, "response", {}).get("Error", {}).get("Code", "")
                if code in _RETRYABLE and delay is not None:
                    time.sleep(delay)
                    continue
                raise

    def create(self, props: dict[str, Any]) -> CreateResult:
        _ident(str(props["database"]), "database")
        statements = schema_statements(str(props["table"]), int(props["dimensions"]))
        client = _rds_data_client(str(props["region"]))
        for sql in statements:
            self._execute(client, props, sql)
        rid = f"{props['resource_arn']}/{props['database']}/{props['table']}"
        return CreateResult(id_=rid, outs=dict(props))

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [k for k in _REPLACE_KEYS if str(olds.get(k)) != str(news.get(k))]
        secret_changed = olds.get("secret_arn") != news.get("secret_arn")
        return DiffResult(changes=bool(changed) or secret_changed, replaces=changed,
                          delete_before_replace=False)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        from pulumi.dynamic import UpdateResult

        return UpdateResult(outs=dict(news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Keep the table: it holds vectors. Drop it by hand (README, removing stateful data)."""


class PgvectorSchema(Resource, module="aiops", name="PgvectorSchema"):
    """The pgvector schema of a knowledge-base table (see module docstring)."""

    table: pulumi.Output[str]
    resource_arn: pulumi.Output[str]

    def __init__(self, name: str, *, resource_arn: pulumi.Input[str], secret_arn: pulumi.Input[str],
                 database: str, table: str, dimensions: int, region: pulumi.Input[str],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        schema_statements(table, dimensions)  # validate early, at preview
        super().__init__(PgvectorSchemaProvider(), name, {
            "resource_arn": resource_arn, "secret_arn": secret_arn, "database": database,
            "table": table, "dimensions": dimensions, "region": region,
        }, opts)
