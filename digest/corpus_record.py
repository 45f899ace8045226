"""One line of a corpus dump (the format of ../shared/data/corpus), validated into a Paper.

Every field must have the type the format gives it: a string where a string goes, a list of
strings where a list goes. Nothing is coerced, because coercion mangles: the string "cs.LG" read
as a list is five one-letter categories, and the JSON number 2606.10000 is the float 2606.1, a
different paper. A record that does not fit is refused with the reason; text is kept as given
less its control characters (see digest.safe_text), and so is every value storage can keep.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from digest.arxiv import split_id
from digest.list_venues import MAX_VENUE_CHARS
from digest.models import Author, Paper
from digest.safe_text import without_controls
from digest.text import normalise_space
from digest.venues import detect_code_url, detect_venue

# arXiv's versions run to a few dozen; storage keeps a 32-bit integer.
MAX_VERSION = 1_000
MAX_CATEGORY_CHARS = 40  # what storage keeps of the primary category
MAX_DOI_CHARS = 200
_EXPECTED = {
    "string_type": "a string",
    "list_type": "a list",
    "model_type": "a JSON object",
    "dict_type": "a JSON object",
}


class RecordError(ValueError):
    """A record that cannot be a paper; the message is the reason, for the user."""


class CorpusRecord(BaseModel):
    """A dump line's fields, each of its own type (strict: nothing coerced)."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    id: str
    title: str = ""
    daily_file_date: str | None = None
    categories: list[str] = Field(default_factory=list)
    authors: list[str] = Field(default_factory=list)
    comment: str | None = None
    summary: str | None = None
    journal_ref: str | None = None
    doi: str | None = None


def _clean(text: str | None) -> str:
    return normalise_space(without_controls(text or ""))


def _kind(value: Any) -> str:
    """A JSON value named for a message: `the string 'cs.LG'`, `an object`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:40] + "…"
        return f"the string {shown!r}"
    return "a list" if isinstance(value, list) else "an object"


def _where(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else ("." if path else "") + part
    return path


def _reason(error: ValidationError) -> str:
    reasons = []
    for problem in error.errors():
        where = _where(problem["loc"]) or "the line"
        got = problem.get("input")
        if problem["type"] == "missing":
            reasons.append(f"{where} is missing")
        elif problem["loc"] == ("id",) and isinstance(got, float):
            reasons.append(
                f"id is the number {got!r}, not a string: a JSON number has lost the id's "
                'trailing zeros (write "2606.10000", not 2606.10000)'
            )
        elif (expected := _EXPECTED.get(problem["type"])) is not None:
            reasons.append(f"{where} must be {expected}, not {_kind(got)}")
        else:
            reasons.append(f"{where}: {problem['msg']}")
    return "; ".join(reasons)


def _announced(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise RecordError(f"daily_file_date {text!r} is not a date (YYYY-MM-DD)") from exc


def paper_from_record(value: object) -> Paper:
    """A paper from one parsed dump line; RecordError with the reason if it cannot be one."""
    try:
        record = CorpusRecord.model_validate(value)
    except ValidationError as exc:
        raise RecordError(_reason(exc)) from exc
    try:
        arxiv_id, version = split_id(without_controls(record.id))
    except ValueError as exc:  # FeedError, or a version of thousands of digits
        raise RecordError(f"id {record.id[:60]!r} is not an arXiv id") from exc
    if version > MAX_VERSION:
        raise RecordError(f"version {version} is not a real arXiv version (at most {MAX_VERSION})")
    title = _clean(record.title)
    if not title:
        raise RecordError("no title")
    categories = tuple(c for c in (_clean(c) for c in record.categories) if c)
    if categories and len(categories[0]) > MAX_CATEGORY_CHARS:
        raise RecordError(
            f"the primary category {categories[0][:40]!r}… is longer than "
            f"{MAX_CATEGORY_CHARS} characters"
        )
    doi = _clean(record.doi) or None
    if doi is not None and len(doi) > MAX_DOI_CHARS:
        raise RecordError(f"doi is longer than {MAX_DOI_CHARS} characters")
    comment = _clean(record.comment) or None
    journal_ref = _clean(record.journal_ref) or None
    abstract = _clean(record.summary)
    venue = detect_venue(comment, journal_ref)
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        abstract=abstract,
        authors=tuple(Author(name) for name in (_clean(a) for a in record.authors) if name),
        categories=categories,
        announced=_announced(record.daily_file_date),
        comment=comment,
        journal_ref=journal_ref,
        doi=doi,
        venue=venue if venue is None or len(venue) <= MAX_VENUE_CHARS else None,
        code_url=detect_code_url(comment, abstract),
    )
