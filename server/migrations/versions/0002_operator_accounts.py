"""Accounts belong to the operator: tiers, disabled accounts, per-account limits, idle tokens, invites.

Revision ID: 0002_operator_accounts
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gigbag.server.tables import UTCDateTime

revision = "0002_operator_accounts"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("tier", sa.String(16), nullable=False, server_default="free"))
        batch.add_column(sa.Column("disabled_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("storage_quota_bytes", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("daily_upload_limit_bytes", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("max_file_bytes", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("last_used_at", UTCDateTime(), nullable=True))
    # Tokens in use before this revision count as used at their last sync (or sign-in).
    op.execute("UPDATE devices SET last_used_at = COALESCE(last_sync_at, created_at)")
    op.create_table(
        "invites",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("tier", sa.String(16), nullable=False),
        sa.Column("note", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("used_by", sa.String(36), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["used_by"], ["users.id"], name="fk_invites_used_by_users", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_invites"),
        sa.UniqueConstraint("code_hash", name="uq_invites_code_hash"),
    )


def downgrade() -> None:
    op.drop_table("invites")
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("last_used_at")
    with op.batch_alter_table("users") as batch:
        for column in ("max_file_bytes", "daily_upload_limit_bytes", "storage_quota_bytes", "disabled_at", "tier"):
            batch.drop_column(column)
