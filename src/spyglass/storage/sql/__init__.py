"""One SQL implementation of the store for SQLite and PostgreSQL."""
