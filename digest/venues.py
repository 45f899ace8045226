"""Venue and code-link detection from arXiv comments, journal refs and abstracts."""

from __future__ import annotations

import re

# Conference and journal names as the hand-kept lists write them.
KNOWN_VENUES: tuple[str, ...] = (
    "OSDI",
    "SOSP",
    "NSDI",
    "EuroSys",
    "ATC",
    "FAST",
    "SIGCOMM",
    "MLSys",
    "ASPLOS",
    "ISCA",
    "MICRO",
    "HPCA",
    "PPoPP",
    "SC",
    "VLDB",
    "SIGMOD",
    "ICDE",
    "NeurIPS",
    "ICML",
    "ICLR",
    "AAAI",
    "IJCAI",
    "ACL",
    "EMNLP",
    "NAACL",
    "COLING",
    "CVPR",
    "ICCV",
    "ECCV",
    "KDD",
    "WWW",
    "SoCC",
    "Middleware",
    "CoNEXT",
    "MobiCom",
    "DAC",
    "ICCAD",
    "IPDPS",
    "ICS",
    "HPDC",
    "PLDI",
    "OOPSLA",
    "POPL",
    "CGO",
    "TPDS",
    "TOCS",
    "JMLR",
    "TMLR",
    "COLM",
    "SIGIR",
    "WSDM",
    "RecSys",
    "ICDCS",
    "INFOCOM",
    "SIGMETRICS",
    "ICSE",
    "FSE",
    "ISSTA",
    "USENIX Security",
    "CCS",
    "S&P",
    "NDSS",
)
_ALIASES = {"NIPS": "NeurIPS", "USENIX ATC": "ATC", "EUROSYS": "EuroSys", "MLSYS": "MLSys"}
_NAMES = sorted({*KNOWN_VENUES, *_ALIASES}, key=len, reverse=True)
_VENUE = re.compile(
    r"(?<![A-Za-z])(" + "|".join(re.escape(name) for name in _NAMES) + r")"
    r"(?![A-Za-z])[\s'’`]*(?:(?:19|20)?(\d{2}))?(?!\d)",
    re.IGNORECASE,
)
_CODE = re.compile(r"https?://(?:www\.)?(?:github\.com|gitlab\.com)/[\w.-]+/[\w.-]+", re.I)
_CANONICAL = {name.casefold(): name for name in KNOWN_VENUES} | {
    alias.casefold(): target for alias, target in _ALIASES.items()
}


def detect_venue(comment: str | None, journal_ref: str | None = None) -> str | None:
    """The venue in the lists' notation (`OSDI'25`), from a journal ref first, then a comment."""
    for text in (journal_ref, comment):
        if not text:
            continue
        for found in _VENUE.finditer(text):
            name = _CANONICAL.get(found.group(1).casefold())
            if name is None:
                continue
            year = found.group(2)
            return f"{name}'{year}" if year else name
    return None


def detect_code_url(*texts: str | None) -> str | None:
    """The first GitHub or GitLab repository URL in the given texts."""
    for text in texts:
        if text and (found := _CODE.search(text)):
            return found.group(0).rstrip(".")
    return None


def canonical_venue(name: str) -> str | None:
    """A known venue's name as the lists write it ("osdi" -> "OSDI", "NIPS" -> "NeurIPS")."""
    return _CANONICAL.get(" ".join(name.split()).casefold())
