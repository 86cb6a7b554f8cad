"""The pgvector schema dynamic provider, against a botocore Stubber of the RDS Data API."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from pulumi_aiops.vector_stores import pgvector_schema
from pulumi_aiops.vector_stores.pgvector_schema import PgvectorSchemaProvider, schema_statements

CLUSTER = "arn:aws:rds:us-east-1:123456789012:cluster:kb"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-abc"
PROPS = {"resource_arn": CLUSTER, "secret_arn": SECRET, "database": "vectors",
         "table": "bedrock_integration.bedrock_kb", "dimensions": 1024, "region": "us-east-1"}


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> Stubber:
    client = boto3.client("rds-data", region_name="us-east-1",
                          aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x")
    stubber = Stubber(client)
    monkeypatch.setattr(pgvector_schema, "_rds_data_client", lambda region: client)
    monkeypatch.setattr(pgvector_schema, "RETRY_DELAYS", (0, 0))
    return stubber


def _expect(stubber: Stubber, sql: str) -> None:
    stubber.add_response("execute_statement", {"numberOfRecordsUpdated": 0},
                         {"resourceArn": CLUSTER, "secretArn": SECRET, "database": "vectors",
                          "sql": sql})


def test_create_runs_the_schema_through_the_data_api(stubbed: Stubber) -> None:
    statements = schema_statements("bedrock_integration.bedrock_kb", 1024)
    for sql in statements:
        _expect(stubbed, sql)
    with stubbed:
        result = PgvectorSchemaProvider().create(dict(PROPS))
    stubbed.assert_no_pending_responses()
    assert statements[0] == "CREATE EXTENSION IF NOT EXISTS vector"
    assert "embedding vector(1024)" in statements[2]
    assert any("USING hnsw (embedding vector_cosine_ops)" in s for s in statements)
    assert any("to_tsvector('simple', chunks)" in s for s in statements)
    assert result.id == f"{CLUSTER}/vectors/bedrock_integration.bedrock_kb"


def test_create_retries_while_the_cluster_resumes(stubbed: Stubber) -> None:
    statements = schema_statements("bedrock_integration.bedrock_kb", 1024)
    stubbed.add_client_error("execute_statement", service_error_code="DatabaseResumingException",
                             http_status_code=400)
    for sql in statements:
        _expect(stubbed, sql)
    with stubbed:
        PgvectorSchemaProvider().create(dict(PROPS))
    stubbed.assert_no_pending_responses()


def test_other_errors_are_raised(stubbed: Stubber) -> None:
    stubbed.add_client_error("execute_statement", service_error_code="ForbiddenException",
                             http_status_code=403)
    with stubbed, pytest.raises(Exception, match="ForbiddenException"):
        PgvectorSchemaProvider().create(dict(PROPS))


@pytest.mark.parametrize("table,dims", [("public.kb; DROP TABLE x", 8), ("Kb.T", 8),
                                        ("s.t", 4096), ("s.t", 0)])
def test_unsafe_identifiers_and_dimensions_are_refused(table: str, dims: int) -> None:
    with pytest.raises(ValueError):
        schema_statements(table, dims)


def test_delete_keeps_the_data(stubbed: Stubber) -> None:
    with stubbed:  # no responses queued: any API call would fail
        PgvectorSchemaProvider().delete("id", dict(PROPS))


def test_dimension_change_replaces() -> None:
    d: Any = PgvectorSchemaProvider().diff("id", dict(PROPS), {**PROPS, "dimensions": 768})
    assert d.replaces == ["dimensions"]
