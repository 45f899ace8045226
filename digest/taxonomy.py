"""arXiv's category taxonomy (digest/data/arxiv_categories.json): lookup, aliases, suggestions."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


class UnknownCategory(ValueError):
    """A value that is no arXiv category or archive; `suggestion` is the closest valid one."""

    def __init__(self, value: str, suggestion: str | None) -> None:
        hint = f"; did you mean `{suggestion}`?" if suggestion else ""
        super().__init__(f"unknown arXiv category '{value}'{hint}")
        self.value = value
        self.suggestion = suggestion


@dataclass(frozen=True, slots=True)
class CategoryRef:
    """A resolved `cat:` value: one category (aliases folded) or a whole archive (`cs`)."""

    id: str  # as arXiv spells it: "cs.DC", "eess.SY", "cs"
    name: str
    is_archive: bool
    key: str  # what papers are indexed under: "c:eess.SY" for cs.SY and eess.SY, "a:cs"


@dataclass(frozen=True, slots=True)
class _Table:
    categories: dict[str, tuple[str, str]]  # id -> (name, archive)
    archives: dict[str, str]  # id -> name
    aliases: dict[str, str]  # alias id -> canonical id
    by_lower: dict[str, str]  # lower-cased id, alias or archive -> its spelling
    by_name: dict[str, str]  # lower-cased full name -> category id
    aliases_of: dict[str, tuple[str, ...]]  # canonical id -> its aliases


@cache
def _table() -> _Table:
    raw: dict[str, Any] = json.loads(
        resources.files("digest").joinpath("data/arxiv_categories.json").read_text("utf-8")
    )
    categories = {key: (value[0], value[1]) for key, value in raw["categories"].items()}
    archives: dict[str, str] = raw["archives"]
    aliases: dict[str, str] = raw["aliases"]
    by_lower = {key.lower(): key for key in (*categories, *archives, *aliases)}
    by_name: dict[str, str] = {}
    for key, (name, _) in categories.items():
        if key not in aliases:
            by_name.setdefault(name.lower(), key)  # cs.LG before stat.ML for "machine learning"
    aliases_of: dict[str, tuple[str, ...]] = {}
    for alias, target in aliases.items():
        aliases_of[target] = (*aliases_of.get(target, ()), alias)
    return _Table(categories, archives, aliases, by_lower, by_name, aliases_of)


def canonical(category: str) -> str:
    """The id a category is known by, aliases folded (cs.SY -> eess.SY, cmp-lg -> cs.CL)."""
    return _table().aliases.get(category, category)


def resolve(value: str) -> CategoryRef:
    """The category or archive a `cat:` value names; UnknownCategory with a suggestion if none."""
    table = _table()
    text = value.strip()
    if text.endswith(".*"):  # arXiv's own spelling of a whole archive
        text = text[:-2]
    spelled = table.by_lower.get(text.lower())
    if spelled is None:
        raise UnknownCategory(value, suggest(text))
    # An archive that is also a retired category (cmp-lg) means its successor category; any
    # other archive (cs, astro-ph, quant-ph) means all of its categories.
    if spelled in table.archives and spelled not in table.aliases:
        return CategoryRef(spelled, table.archives[spelled], True, "a:" + spelled)
    target = canonical(spelled)
    name = table.categories[target][0] if target in table.categories else spelled
    return CategoryRef(spelled, name, False, "c:" + target)


def suggest(value: str) -> str | None:
    """The valid category closest to `value` (by id, or by full name: "machine learning")."""
    table = _table()
    lowered = value.lower()
    if lowered in table.by_name:
        return table.by_name[lowered]
    close = difflib.get_close_matches(lowered, list(table.by_lower), n=1, cutoff=0.5)
    if close:
        return table.by_lower[close[0]]
    close = difflib.get_close_matches(lowered, list(table.by_name), n=1, cutoff=0.6)
    return table.by_name[close[0]] if close else None


@cache
def paper_keys(category: str) -> frozenset[str]:
    """The index keys a paper listed in `category` is found under (itself, alias, archives)."""
    table = _table()
    target = canonical(category)
    found: set[str] = set()
    for key in {category, target, *table.aliases_of.get(target, ())}:
        found.add("c:" + key)
        if key in table.categories:
            found.add("a:" + table.categories[key][1])
        elif "." in key:
            found.add("a:" + key.split(".", 1)[0])
        elif key in table.archives:
            found.add("a:" + key)
    return frozenset(found)


def has_subcategories(archive: str) -> bool:
    """Whether an archive is split into categories (cs.*), unlike quant-ph or gr-qc."""
    return any(key.startswith(archive + ".") for key in _table().categories)


def archive_of(category: str) -> str | None:
    """The archive a category belongs to (cs.DC -> cs, quant-ph -> quant-ph), None if unknown."""
    table = _table()
    if category in table.categories:
        return table.categories[category][1]
    return None


def same_category(category: str) -> frozenset[str]:
    """A category with every alias of it (cs.SY -> {cs.SY, eess.SY})."""
    target = canonical(category)
    return frozenset({category, target, *_table().aliases_of.get(target, ())})
