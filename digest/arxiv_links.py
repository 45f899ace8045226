"""arXiv ids in links as hand-kept lists write them: abs, pdf, html, with versions, old style."""

from __future__ import annotations

import re

ARXIV_FIRST_YEAR = 1991  # two-digit years 91..99 are the 1990s
# New-style ids (0704.0001 .. 2607.12345) and old-style ones (hep-th/9901001, math.GT/0309136);
# the longest archive name is 8 letters (solv-int, chao-dyn): a bound keeps ids short to store.
_NEW = r"\d{4}\.\d{4,5}"
_OLD = r"[a-z][a-z-]{0,15}(?:\.[A-Za-z]{2})?/\d{7}"
# Either form, for parsers that find an id inside longer text (digest.arxiv.split_id).
ID_PATTERN = rf"{_NEW}|{_OLD}"
_LINK = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/"
    r"(?:abs|pdf|html|format|ps)/"
    rf"(?P<id>{_NEW}|{_OLD})(?:v\d+)?(?:\.pdf)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)
_HOST = re.compile(r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/", re.IGNORECASE)
_BARE = re.compile(rf"^(?:arxiv:\s*)?(?P<id>{_NEW}|{_OLD})(?:v\d+)?$", re.IGNORECASE)


def arxiv_id_from_url(url: str) -> str | None:
    """The arXiv id (without version) a link points to, or None for other links."""
    found = _LINK.match(url.strip())
    if found is None:
        return None
    return _normalise(found.group("id"))


def is_arxiv_host(url: str) -> bool:
    """Whether a link goes to arxiv.org at all (to report arXiv links without a readable id)."""
    return bool(_HOST.match(url.strip()))


def arxiv_id_from_text(text: str) -> str | None:
    """An arXiv id typed by hand (`2406.12345v2`, `arXiv:hep-th/9901001`), or None."""
    found = _BARE.match(text.strip())
    return _normalise(found.group("id")) if found else None


def abs_url(arxiv_id: str) -> str:
    """The canonical abstract page of an id."""
    return f"https://arxiv.org/abs/{arxiv_id}"


def id_year(arxiv_id: str) -> int | None:
    """The two-digit year an id was assigned in (`2406.12345` -> 24, `hep-th/9901001` -> 99)."""
    digits = arxiv_id.rsplit("/", 1)[-1]
    return int(digits[:2]) if digits[:2].isdigit() else None


def id_full_year(arxiv_id: str) -> int | None:
    """The year an id was assigned in (`2406.12345` -> 2024, `hep-th/9901001` -> 1999)."""
    year = id_year(arxiv_id)
    if year is None:
        return None
    return year + (1900 if year >= ARXIV_FIRST_YEAR % 100 else 2000)


def _normalise(arxiv_id: str) -> str:
    if "/" in arxiv_id:
        archive, number = arxiv_id.split("/", 1)
        # The archive is lower case; a subject class after a dot is upper case (math.GT).
        name, _, subject = archive.partition(".")
        archive = name.lower() + ("." + subject.upper() if subject else "")
        return f"{archive}/{number}"
    return arxiv_id
