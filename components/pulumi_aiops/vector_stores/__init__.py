"""Mechanisms the vector-store backends use that no Pulumi provider offers.

* :mod:`~pulumi_aiops.vector_stores.aoss_index`: the OpenSearch Serverless vector index, a
  Pulumi dynamic resource that calls the collection's index API signed with SigV4 (``aoss``).
* :mod:`~pulumi_aiops.vector_stores.pgvector_schema`: the pgvector extension, schema, table
  and indexes in Aurora PostgreSQL, a dynamic resource that runs SQL through the RDS Data API.

The :class:`~pulumi_aiops.vector_store.VectorStore` component uses both.
"""

from pulumi_aiops.vector_stores.aoss_index import AossIndex, AossIndexProvider, bedrock_index_body
from pulumi_aiops.vector_stores.pgvector_schema import (
    PgvectorSchema,
    PgvectorSchemaProvider,
    schema_statements,
)

__all__ = [
    "AossIndex",
    "AossIndexProvider",
    "PgvectorSchema",
    "PgvectorSchemaProvider",
    "bedrock_index_body",
    "schema_statements",
]
