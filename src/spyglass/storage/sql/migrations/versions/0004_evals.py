"""Evaluation: datasets and their items, experiments (uploaded runs) and their results.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("item_count", sa.Integer, nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("created_ns", sa.BigInteger, nullable=False),
        sa.Column("updated_ns", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("project_id", "name", name="uq_datasets_project_name"),
    )
    op.create_table(
        "dataset_items",
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.id"), nullable=False),
        sa.Column("item_id", sa.String(200), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("trace_id", sa.Text),
        sa.Column("created_ns", sa.BigInteger, nullable=False),
        sa.Column("updated_ns", sa.BigInteger, nullable=False),
        sa.Column("input", sa.Text, nullable=False),
        sa.Column("expected", sa.Text),
        sa.Column("documents", sa.Text),
        sa.Column("metadata", sa.Text),
        sa.PrimaryKeyConstraint("dataset_id", "item_id", name="pk_dataset_items"),
    )
    op.create_index("ix_dataset_items_dataset_seq", "dataset_items", ["dataset_id", "seq"])
    op.create_table(
        "experiments",
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id"), nullable=False),
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("dataset_name", sa.String(200), nullable=False),
        sa.Column("dataset_version", sa.String(32), nullable=False),
        sa.Column("created_ns", sa.BigInteger, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("project_id", "id", name="pk_experiments"),
    )
    op.create_index("ix_experiments_project_created", "experiments", ["project_id", "created_ns"])
    op.create_index(
        "ix_experiments_project_name", "experiments", ["project_id", "name", "created_ns"]
    )
    op.create_table(
        "experiment_results",
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("experiment_id", sa.String(200), nullable=False),
        sa.Column("item_id", sa.String(200), nullable=False),
        sa.Column("repeat", sa.Integer, nullable=False),
        sa.Column("latency_ms", sa.Float),
        sa.Column("trace_id", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("scores", sa.Text, nullable=False),
        sa.Column("output", sa.Text),
        sa.PrimaryKeyConstraint(
            "project_id", "experiment_id", "item_id", "repeat", name="pk_experiment_results"
        ),
    )


def downgrade() -> None:
    op.drop_table("experiment_results")
    op.drop_index("ix_experiments_project_name", table_name="experiments")
    op.drop_index("ix_experiments_project_created", table_name="experiments")
    op.drop_table("experiments")
    op.drop_index("ix_dataset_items_dataset_seq", table_name="dataset_items")
    op.drop_table("dataset_items")
    op.drop_table("datasets")
