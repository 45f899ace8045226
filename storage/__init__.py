"""Persistence: SQLAlchemy tables, the async engine, and repositories for digest.ports."""
