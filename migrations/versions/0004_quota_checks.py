"""storage_quotas.used_bytes can never be negative (CHECK used_bytes >= 0)

The bytes used are kept by triggers on ``files``; a negative count (accepted until now) would read
as free space. The upgrade first recomputes the count from the files, so an existing database
whose count drifted below zero is repaired rather than refused. The table is rebuilt (SQLite adds a
CHECK no other way); the triggers on ``files`` that write it are set aside and recreated around
the rebuild, since SQLite re-reads every trigger when the rebuilt table is renamed into place.

Revision ID: 0004_quota_checks
Revises: 0003
Create Date: 2026-12-01 20:45:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004_quota_checks'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK_NAME = "ck_storage_quotas_used_bytes_not_negative"


def _rebuild(add_check: bool) -> None:
    conn = op.get_bind()
    triggers = conn.execute(
        sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%storage_quotas%'")
    ).all()
    for name, _ in triggers:
        op.execute(f'DROP TRIGGER "{name}"')
    with op.batch_alter_table("storage_quotas", recreate="always") as batch_op:
        if add_check:
            batch_op.create_check_constraint(CHECK_NAME, "used_bytes >= 0")
        else:
            batch_op.drop_constraint(CHECK_NAME, type_="check")
    for _, sql in triggers:
        op.execute(sql)


def upgrade() -> None:
    op.execute("UPDATE storage_quotas SET used_bytes = (SELECT COALESCE(SUM(file_size_bytes), 0) FROM files)")
    _rebuild(add_check=True)


def downgrade() -> None:
    _rebuild(add_check=False)
