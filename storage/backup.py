"""A whole database as one versioned JSON file, and back: backups, and moves between databases
(SQLite to PostgreSQL included).

The file holds every row of every table (workspaces and their settings, topics, subscriptions with
their watermarks, papers, matches, digests, the outbox and the posted messages, nominations with
their votes and decisions, the list's sections and entries with the removed ones, the harvest
watermarks), with their ids: buttons already posted in chat carry digest, nomination and section
ids, and keep working after a move. So an import needs an empty database, migrated to the
file's schema or a later one, and is all or nothing.

Layout: `{"format": "paperbot-export", "version": 1, "schema": REVISION, "exported_at": ...,
"tables": {NAME: [ROW, ...], ...}}`, one row a line, instants in ISO 8601 with their offset.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time
from typing import IO, Any

from alembic.script import ScriptDirectory
from sqlalchemy import Column, Table, func, insert, select, text, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.types import TypeDecorator

from storage.migrate import alembic_config, current_revision
from storage.repositories.digests import record_shown
from storage.tables import Base

FORMAT = "paperbot-export"
VERSION = 1
BATCH = 500


class BackupError(Exception):
    """A file that cannot be imported here, or a database that cannot take it; nothing written."""


def _encode(value: object) -> object:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _python_type(column: Column[Any]) -> type | None:
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance  # UTCDateTime is a DateTime underneath
    try:
        found: type = kind.python_type
    except NotImplementedError:
        return None
    return found


def _decode(column: Column[Any], value: object) -> object:
    if value is None or not isinstance(value, str):
        return value
    kind = _python_type(column)
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is time:
        return time.fromisoformat(value)
    return value


def tables() -> list[Table]:
    """Every table, parents before children."""
    return list(Base.metadata.sorted_tables)


def known_revisions() -> list[str]:
    """Every schema revision this version of paperbot knows, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def encode_row(table: Table, row: Mapping[Any, Any]) -> dict[str, object]:
    """A row as the file holds it."""
    return {column.name: _encode(row[column.name]) for column in table.columns}


async def export_all(engine: AsyncEngine, out: IO[str], now: datetime) -> dict[str, int]:
    """Write the whole database to `out`; returns the rows written per table."""
    counts: dict[str, int] = {}
    header = {
        "format": FORMAT,
        "version": VERSION,
        "schema": await current_revision(engine),
        "exported_at": now.isoformat(),
    }
    out.write(json.dumps(header, ensure_ascii=False)[:-1] + ', "tables": {\n')
    async with engine.connect() as connection:
        for index, table in enumerate(tables()):
            out.write(("," if index else "") + json.dumps(table.name) + ": [\n")
            order = list(table.primary_key.columns) or list(table.columns)
            result = await connection.stream(select(table).order_by(*order))
            written = 0
            async for row in result.mappings():
                line = json.dumps(encode_row(table, row), ensure_ascii=False)
                out.write(("," if written else "") + line + "\n")
                written += 1
            out.write("]\n")
            counts[table.name] = written
    out.write("}}\n")
    return counts


def read_export(source: IO[str]) -> dict[str, Any]:
    """The file's document, checked for its format and version (BackupError otherwise)."""
    try:
        document = json.load(source)
    except json.JSONDecodeError as error:
        raise BackupError(f"not a paperbot export (broken JSON: {error})") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError("not a paperbot export (`paperbot export-all` writes them)")
    if document.get("version") != VERSION:
        raise BackupError(
            f"export format version {document.get('version')!r}; this paperbot reads {VERSION}"
        )
    if not isinstance(document.get("tables"), dict):
        raise BackupError("the export has no tables")
    return document


def _check_schema(document: Mapping[str, Any], target: str | None) -> None:
    known = known_revisions()
    schema = document.get("schema")
    if schema not in known:
        raise BackupError(
            f"the export is of schema {schema!r}, which this paperbot does not know "
            "(made by a newer version? upgrade paperbot first)"
        )
    if target is None or known.index(schema) > known.index(target):
        raise BackupError(f"migrate the database first (`paperbot db upgrade`): it is at {target}")


def _ordered(table: Table, rows: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Rows in an order their own foreign keys accept: a parent section before its children."""
    self_keys = [
        (fk.parent.name, fk.column.name) for fk in table.foreign_keys if fk.column.table is table
    ]
    if not self_keys:
        yield from rows
        return
    [(child, parent)] = self_keys
    by_key = {row[parent]: row for row in rows}
    done: set[object] = set()

    def visit(row: dict[str, Any]) -> Iterator[dict[str, Any]]:
        if row[parent] in done:
            return
        above = by_key.get(row[child])
        if above is not None and above is not row:
            yield from visit(above)
        done.add(row[parent])
        yield row

    for row in rows:
        yield from visit(row)


async def _empty(connection: AsyncConnection) -> None:
    for table in tables():
        found = await connection.scalar(select(func.count()).select_from(table))
        if found:
            raise BackupError(
                f"the database is not empty ({table.name} has {found} rows): import into a new "
                "database, so that every id stays as it was"
            )


def _rows(table: Table, given: object) -> list[dict[str, Any]]:
    if not isinstance(given, list):
        raise BackupError(f"table {table.name}: expected a list of rows")
    columns = {column.name: column for column in table.columns}
    rows = []
    for number, row in enumerate(given, 1):
        if not isinstance(row, dict):
            raise BackupError(f"table {table.name}, row {number}: not an object")
        unknown = set(row) - set(columns)
        if unknown:
            raise BackupError(f"table {table.name} has no column {', '.join(sorted(unknown))}")
        rows.append({name: _decode(columns[name], value) for name, value in row.items()})
    return rows


async def _reset_sequences(connection: AsyncConnection) -> None:
    """PostgreSQL: new rows get ids after the imported ones."""
    for table in tables():
        [*keys] = table.primary_key.columns
        if len(keys) != 1 or _python_type(keys[0]) is not int:
            continue
        name, key = table.name, keys[0].name
        sequence = await connection.scalar(
            text("SELECT pg_get_serial_sequence(:table, :key)"), {"table": name, "key": key}
        )
        if sequence:
            await connection.execute(
                text(
                    f'SELECT setval(:sequence, COALESCE(MAX("{key}"), 1), MAX("{key}") IS NOT NULL)'
                    f' FROM "{name}"'
                ),
                {"sequence": sequence},
            )


async def import_all(engine: AsyncEngine, document: Mapping[str, Any]) -> dict[str, int]:
    """Load an export into this empty, migrated database in one transaction; rows per table."""
    _check_schema(document, await current_revision(engine))
    given = document["tables"]
    known = {table.name for table in tables()}
    unknown = set(given) - known
    if unknown:
        raise BackupError(f"the export has tables this paperbot does not: {sorted(unknown)}")
    counts: dict[str, int] = {}
    try:
        async with engine.begin() as connection:
            await _empty(connection)
            for table in tables():
                counts[table.name] = await _insert(connection, table, given.get(table.name, []))
            if "shown_papers" not in given:  # an export made before the table existed
                derived = await connection.execute(record_shown(connection.dialect.name, true()))
                counts["shown_papers"] = derived.rowcount
            if connection.dialect.name == "postgresql":
                await _reset_sequences(connection)
    except IntegrityError as error:
        raise BackupError(f"the export does not hold together: {error.orig}") from error
    return counts


async def _insert(connection: AsyncConnection, table: Table, given: object) -> int:
    rows = list(_ordered(table, _rows(table, given)))
    for start in range(0, len(rows), BATCH):
        await connection.execute(insert(table), rows[start : start + BATCH])
    return len(rows)
