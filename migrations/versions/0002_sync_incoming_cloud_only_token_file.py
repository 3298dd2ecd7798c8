"""sync incoming versions, cloud-only files, token file fallback

sync_incoming holds server versions waiting to be merged or applied when a pull completes;
cloud_only_files marks files whose content stays on the server; sync_account.token_file names the
file of the explicit no-keyring fallback.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 02:11:23.542737
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cloud_only_files',
    sa.Column('file_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('marked_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('file_id')
    )
    op.create_table('sync_incoming',
    sa.Column('entity_type', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entity_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('checksum', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('entity_type', 'entity_id')
    )
    with op.batch_alter_table('sync_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_file', sqlmodel.sql.sqltypes.AutoString(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('sync_account', schema=None) as batch_op:
        batch_op.drop_column('token_file')

    op.drop_table('sync_incoming')
    op.drop_table('cloud_only_files')
