"""Alembic revisions of the registry database schema, oldest first."""

__all__: list[str] = []
