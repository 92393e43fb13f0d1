"""Per-project custom model prices.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_prices",
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("effective_from_ns", sa.BigInteger, nullable=False),
        sa.Column("input", sa.Float, nullable=False),
        sa.Column("output", sa.Float, nullable=False),
        sa.Column("cache_read", sa.Float),
        sa.Column("cache_write", sa.Float),
        sa.Column("reasoning", sa.Float),
        sa.Column("updated_ns", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("project_id", "model", "effective_from_ns", name="pk_model_prices"),
    )


def downgrade() -> None:
    op.drop_table("model_prices")
