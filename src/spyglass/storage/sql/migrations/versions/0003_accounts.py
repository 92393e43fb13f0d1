"""Web UI accounts, their project memberships and login sessions; covering indexes for the
sessions and users lists.

The two trace indexes by session and by user gain the columns the lists add up (user, status,
tokens, cost), so a page of sessions or users is read from the index alone: 50 ms instead of
600 ms for a page at a million spans. Every trace upsert already rewrote these index entries
(it sets every column), so ingest pays only for the wider entries.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Written out here, not imported from schema.py: a migration must not change when the
# current schema does.
SESSION_INDEX = (
    "project_id",
    "session_id",
    "start_ns",
    "user_id",
    "status",
    "total_tokens",
    "cost",
)
USER_INDEX = ("project_id", "user_id", "start_ns", "session_id", "status", "total_tokens", "cost")


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("is_admin", sa.Boolean, nullable=False),
        sa.Column("created_ns", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "account_projects",
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id"), nullable=False),
        sa.Column("created_ns", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("account_id", "project_id", name="pk_account_projects"),
    )
    op.create_table(
        "login_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_ns", sa.BigInteger, nullable=False),
        sa.Column("expires_ns", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_login_sessions_account", "login_sessions", ["account_id"])
    op.drop_index("ix_traces_project_session", table_name="traces")
    op.drop_index("ix_traces_project_user", table_name="traces")
    op.create_index("ix_traces_project_session", "traces", list(SESSION_INDEX))
    op.create_index("ix_traces_project_user", "traces", list(USER_INDEX))


def downgrade() -> None:
    op.drop_index("ix_traces_project_session", table_name="traces")
    op.drop_index("ix_traces_project_user", table_name="traces")
    op.create_index("ix_traces_project_session", "traces", ["project_id", "session_id", "start_ns"])
    op.create_index("ix_traces_project_user", "traces", ["project_id", "user_id", "start_ns"])
    op.drop_index("ix_login_sessions_account", table_name="login_sessions")
    op.drop_table("login_sessions")
    op.drop_table("account_projects")
    op.drop_table("accounts")
