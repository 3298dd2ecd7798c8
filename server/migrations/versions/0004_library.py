"""The operator's shared library: library tracks (with tombstones) and the library's change counter.

Revision ID: 0004_library
Revises: 0002_operator_accounts
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gigbag.server.tables import UTCDateTime

revision = "0004_library"
down_revision = "0002_operator_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "library_counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_library_counter"),
    )
    op.execute("INSERT INTO library_counter (id, last_seq) VALUES (1, 0)")
    op.create_table(
        "library_tracks",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("artist", sa.String(300), nullable=True),
        sa.Column("genre", sa.String(100), nullable=True),
        sa.Column("bpm", sa.Float(), nullable=True),
        sa.Column("musical_key", sa.String(16), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=False),
        sa.Column("file_key", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("mime_type", sa.String(100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("preview_key", sa.String(64), nullable=True),
        sa.Column("preview_size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("is_pro_only", sa.Boolean(), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("removed_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("length(trim(title)) > 0", name="ck_library_tracks_title_not_empty"),
        sa.CheckConstraint("size_bytes > 0", name="ck_library_tracks_size_positive"),
        sa.PrimaryKeyConstraint("id", name="pk_library_tracks"),
        sa.UniqueConstraint("file_key", name="uq_library_tracks_file_key"),
    )
    op.create_index("ix_library_tracks_seq", "library_tracks", ["seq"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_library_tracks_seq", table_name="library_tracks")
    op.drop_table("library_tracks")
    op.drop_table("library_counter")
