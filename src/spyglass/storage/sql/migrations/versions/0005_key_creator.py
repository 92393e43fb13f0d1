"""Who created an API key: the web UI account, or nobody (the CLI, the first start).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Batch mode: SQLite cannot add a foreign key with ALTER TABLE, so the (small) table is
    # copied; PostgreSQL gets a plain ALTER.
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(
            sa.Column(
                "created_by",
                sa.Integer,
                sa.ForeignKey("accounts.id", name="fk_api_keys_created_by"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_constraint("fk_api_keys_created_by", type_="foreignkey")
        batch.drop_column("created_by")
