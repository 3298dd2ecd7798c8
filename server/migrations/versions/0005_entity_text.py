"""Each entity version keeps its data as the JSON text written at push time, so a pull page splices it in.

Revision ID: 0005_entity_text
Revises: 0004_library
Create Date: 2026-12-02

Rows written before this revision keep ``data_text`` NULL and their ``data`` column: the server reads
and serves them from ``data`` as before (no backfill, so the upgrade costs nothing on a large table).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_entity_text"
down_revision = "0004_library"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entities") as batch:
        batch.add_column(sa.Column("data_text", sa.Text(), nullable=True))


def downgrade() -> None:
    # Rows pushed since the upgrade hold their data only as text: write it back into ``data`` first.
    cast = "data_text::json" if op.get_bind().dialect.name == "postgresql" else "data_text"
    op.execute(f"UPDATE entities SET data = {cast} WHERE data_text IS NOT NULL")
    with op.batch_alter_table("entities") as batch:
        batch.drop_column("data_text")
