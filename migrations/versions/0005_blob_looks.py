"""blob_looks: a count of the changes of what this computer should hold in its file store

One row: ``generation``, moved by triggers on every write to the files, the cloud-only list and the
profile's pictures; the generation and time of the last sync's look that found every wanted content in
the store; the generation and oldest server check of the uploads here that the last re-check of them saw.
A sync where nothing moved on (and the look is recent) skips the look (a stat per file) and the scan of
the uploads' checks.

Revision ID: 0005_blob_looks
Revises: 0004_quota_checks
Create Date: 2026-12-03 16:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005_blob_looks'
down_revision: str | None = '0004_quota_checks'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen output of gigbag.local_db.blob_looks at this revision.
BLOB_LOOK_TRIGGERS = [
    'CREATE TRIGGER bl_files_insert AFTER INSERT ON files BEGIN UPDATE blob_looks SET generation = generation + 1 WHERE id = 1; END',
    'CREATE TRIGGER bl_files_delete AFTER DELETE ON files BEGIN UPDATE blob_looks SET generation = generation + 1 WHERE id = 1; END',
    'CREATE TRIGGER bl_files_update AFTER UPDATE OF blob_sha256 ON files BEGIN UPDATE blob_looks SET generation = generation + 1 WHERE id = 1; END',
    'CREATE TRIGGER bl_cloud_only_files_insert AFTER INSERT ON cloud_only_files BEGIN UPDATE blob_looks SET generation = generation + 1 WHERE id = 1; END',
    'CREATE TRIGGER bl_cloud_only_files_delete AFTER DELETE ON cloud_only_files BEGIN UPDATE blob_looks SET generation = generation + 1 WHERE id = 1; END',
    'CREATE TRIGGER bl_cloud_only_files_update AFTER UPDATE OF file_id ON cloud_only_files BEGIN UPDATE blob_looks SET generation = generation + 1 WHERE id = 1; END',
    'CREATE TRIGGER bl_artists_insert AFTER INSERT ON artists BEGIN UPDATE blob_looks SET generation = generation + 1 WHERE id = 1; END',
    'CREATE TRIGGER bl_artists_delete AFTER DELETE ON artists BEGIN UPDATE blob_looks SET generation = generation + 1 WHERE id = 1; END',
    'CREATE TRIGGER bl_artists_update AFTER UPDATE OF avatar_url, banner_url ON artists BEGIN UPDATE blob_looks SET generation = generation + 1 WHERE id = 1; END',
]


def upgrade() -> None:
    op.create_table('blob_looks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('generation', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('looked_generation', sa.Integer(), nullable=True),
    sa.Column('looked_at', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('audit_generation', sa.Integer(), nullable=True),
    sa.Column('audit_oldest', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.execute("INSERT INTO blob_looks (id, generation) VALUES (1, 0)")
    for ddl in BLOB_LOOK_TRIGGERS:
        op.execute(ddl)


def downgrade() -> None:
    for ddl in BLOB_LOOK_TRIGGERS:
        op.execute(f"DROP TRIGGER {ddl.split()[2]}")
    op.drop_table('blob_looks')
