"""Idempotency keys are indexed by (user_id, expires_at), for the purge each push runs.

Revision ID: 0006_idempotency_purge_index
Revises: 0005_entity_text
Create Date: 2026-12-02

A push deletes its user's expired keys (``server.idempotency.purge_expired``). With only the primary
key (user_id, key) and an index on expires_at alone, that read every key of the user, or every
user's expired keys (those of users who no longer push stay until they do); this index makes it a
range of the user's expired keys. It replaces the index on expires_at, which nothing else reads.
"""

from __future__ import annotations

from alembic import op

revision = "0006_idempotency_purge_index"
down_revision = "0005_entity_text"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_idempotency_keys_user_id_expires_at", "idempotency_keys", ["user_id", "expires_at"])
    op.drop_index("ix_idempotency_keys_expires_at", table_name="idempotency_keys")


def downgrade() -> None:
    op.create_index("ix_idempotency_keys_expires_at", "idempotency_keys", ["expires_at"])
    op.drop_index("ix_idempotency_keys_user_id_expires_at", table_name="idempotency_keys")
