"""Alembic environment of the registry database schema."""

__all__: list[str] = []
