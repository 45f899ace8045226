"""Venue and code-link detection from arXiv comments, journal refs and abstracts.

A venue is written the way the hand-kept lists write it: `OSDI'25`, `ACL'25 Findings`,
`CVPR'26 Workshop`, or the bare name when the text gives no year. Only acceptance counts:
"Accepted at", "To appear in", "Proceedings of", or a comment that simply opens with the venue
("NeurIPS 2025 Spotlight"). A clause about a submission or a review ("Submitted to ICLR 2026",
"under review at TPAMI") or a LaTeX style names no venue.
"""

from __future__ import annotations

import re

# Canonical names with the other ways comments spell them (full names, old names, typos).
VENUES: dict[str, tuple[str, ...]] = {
    "OSDI": (),
    "SOSP": (),
    "NSDI": (),
    "EuroSys": (),
    "ATC": ("USENIX ATC",),
    "FAST": (),
    "SIGCOMM": (),
    "MLSys": (),
    "ASPLOS": (),
    "ISCA": (),
    "MICRO": (),
    "HPCA": (),
    "PPoPP": (),
    "SC": ("Supercomputing",),
    "VLDB": ("PVLDB", "Proceedings of the VLDB Endowment"),
    "SIGMOD": (),
    "ICDE": (),
    "SoCC": (),
    "Middleware": (),
    "CoNEXT": (),
    "MobiCom": (),
    "MobiSys": (),
    "SenSys": (),
    "DAC": (),
    "ICCAD": (),
    "IPDPS": (),
    "ICPP": (),
    "HPDC": (),
    "ICS": (),
    "PLDI": (),
    "OOPSLA": (),
    "POPL": (),
    "CGO": (),
    "HotOS": (),
    "HotNets": (),
    "HotStorage": (),
    "ICDCS": (),
    "ICPADS": (),
    "INFOCOM": (),
    "SIGMETRICS": (),
    "ICSE": (),
    "FSE": ("ESEC/FSE",),
    "ASE": (),
    "ISSTA": (),
    "USENIX Security": (),
    "CCS": (),
    "S&P": ("IEEE S&P", "Oakland"),
    "NDSS": (),
    "NeurIPS": ("NIPS", "Neural Information Processing Systems"),
    "ICML": ("International Conference on Machine Learning",),
    "ICLR": ("International Conference on Learning Representations",),
    "AAAI": (),
    "IJCAI": (),
    "AISTATS": (),
    "UAI": (),
    "COLT": (),
    "COLM": (),
    "ACL": ("Annual Meeting of the Association for Computational Linguistics",),
    "EMNLP": ("Empirical Methods in Natural Language Processing",),
    "NAACL": (),
    "IJCNLP-AACL": ("AACL-IJCNLP", "IJCNLP-AACL"),
    "EACL": (),
    "COLING": (),
    "TACL": (),
    "*SEM": (),
    "CoNLL": (),
    "Interspeech": (),
    "ICASSP": (),
    "ASRU": (),
    "CVPR": ("Conference on Computer Vision and Pattern Recognition",),
    "ICCV": ("International Conference on Computer Vision",),
    "ECCV": ("European Conference on Computer Vision",),
    "Eurographics": (),
    "WACV": (),
    "BMVC": (),
    "ACCV": (),
    "MICCAI": (),
    "ICIP": (),
    "ICME": (),
    "SIGGRAPH": (),
    "SIGGRAPH Asia": (),
    "MM": ("ACM Multimedia", "ACM MM"),
    "KDD": ("SIGKDD",),
    "WWW": ("TheWebConf", "The Web Conference"),
    "SIGIR": (),
    "SIGIR-AP": (),
    "CIKM": (),
    "WSDM": (),
    "RecSys": (),
    "ICDM": (),
    "ECML-PKDD": ("ECML PKDD", "ECML_PKDD", "ECMLPKDD"),
    "CHI": (),
    "UIST": (),
    "CSCW": (),
    "IROS": (),
    "ICRA": (),
    "CoRL": (),
    "RSS": ("Robotics: Science and Systems",),
    "ITSC": (),
    "IJCNN": (),
    "CogSci": (),
    "CLEF": (),
    "MediaEval": (),
    "EMBC": (),
    "IGARSS": (),
    "ICC": (),
    "GLOBECOM": (),
    "EC": (),
    "TPAMI": ("T-PAMI", "Transactions on Pattern Analysis and Machine Intelligence"),
    "TIP": ("Transactions on Image Processing",),
    "TNNLS": ("Transactions on Neural Networks and Learning Systems",),
    "TKDE": ("Transactions on Knowledge and Data Engineering",),
    "TPDS": ("Transactions on Parallel and Distributed Systems",),
    "TCSVT": ("Transactions on Circuits and Systems for Video Technology",),
    "TMM": ("Transactions on Multimedia",),
    "TVCG": ("Transactions on Visualization and Computer Graphics",),
    "TGRS": (
        "Transactions on Geoscience and Remote Sensing",
        "Transactions on Geoscience & Remote Sensing",
    ),
    "TIFS": ("Transactions on Information Forensics and Security",),
    "TOG": ("Transactions on Graphics",),
    "TOCS": ("Transactions on Computer Systems",),
    "TACO": ("Transactions on Architecture and Code Optimization",),
    "JMLR": ("Journal of Machine Learning Research",),
    "TMLR": ("Transactions on Machine Learning Research",),
    "IJCV": ("International Journal of Computer Vision",),
    "IVC": ("Image and Vision Computing",),
}
# Venues that are workshops themselves: "ASRU 2025 workshop" is ASRU'25, not a workshop of ASRU.
OWN_WORKSHOPS = frozenset({"ASRU", "MediaEval", "HotOS", "HotNets", "HotStorage", "CLEF"})
# Capitalised words that look like acronyms but are no venue.
NOT_VENUES = frozenset(
    {
        "IEEE", "ACM", "USENIX", "SIAM", "AI", "ISBN", "ISSN", "CS", "IT", "LLM", "LLMS", "NLP",
        "GPU", "CPU", "PDF", "URL", "DOI", "PP", "MIT", "II", "III", "IV", "EU", "USA", "UK",
        "AND", "THE", "OF", "CC", "BY", "ARXIV", "GPT", "API", "SOTA", "RL", "ML", "CV", "DL",
        "DATA", "TRACK", "ORAL", "MAIN", "DEMO", "PAPER", "CODE", "PROJECT", "VERSION", "FINAL",
    }
)  # fmt: skip

_ALIAS: dict[str, str] = {}
for _name, _aliases in VENUES.items():
    for _alias in (_name, *_aliases):
        _ALIAS[" ".join(_alias.split()).casefold()] = _name
_KNOWN = re.compile(
    r"(?<![\w*&-])("
    + "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in sorted(_ALIAS, key=len, reverse=True))
    + r")(?![A-Za-z&]|-[A-Za-z])",
    re.IGNORECASE,
)
_YEAR_AFTER = re.compile(r"^[\s'’`_-]*(?:((?:19|20)\d{2})|(\d{2}))(?!\d)")
_YEAR_ANY = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# An unknown acronym with a year: "IRICT 2025", "(ICCIT) 2025", "SETTA'25", "IWAIT2026".
_ACRONYM_YEAR = re.compile(
    r"(?<![\w*&-])([A-Z][A-Za-z]*[A-Z][A-Za-z]*(?:-[A-Z][A-Za-z]*)?)\)?[\s'’`,-]*"
    r"(?:(?:19|20)(\d{2})|'(\d{2}))(?!\d)"
)
# "Accepted by TBIOM": an acronym right after an acceptance, without a year.
_ACCEPTED_BY = re.compile(
    r"(?:accepted|appear|published)\s+(?:\w+\s+){0,2}?(?:by|to|at|in)\s+(?:the\s+)?"
    r"([A-Z][A-Z0-9-]{2,})(?![\w-])"
)
_ACRONYM_PAREN = re.compile(r"\(([A-Z][A-Za-z]*[A-Z][A-Za-z]*)(?:[\s-]+\d+)?\)")
_POSITIVE = re.compile(
    r"accept|to appear|appear(?:s|ed)? (?:in|at)|publish|proceeding|\bproc\b|presented|"
    r"camera[- ]ready|\boral\b|spotlight|poster|\bin\b|\bat\b|@|workshop|working notes|findings|"
    r"conference|symposium|journal|transactions",
    re.IGNORECASE,
)
_NEGATIVE = re.compile(
    r"submitted|submission|under review|in review|under consideration|review(?:ed)? (?:at|for|by)|"
    r"\bstyle\b|template|latex|not (?:yet )?accepted|rejected",
    re.IGNORECASE,
)
_ORG_PREFIX = re.compile(r"\b(IEEE|ACM|USENIX)[-/]", re.IGNORECASE)
_CLAUSES = re.compile(r";|\.\s+(?=[A-Z(])|\s[-–|]\s")
_CODE = re.compile(r"https?://(?:www\.)?(?:github\.com|gitlab\.com)/[\w.-]+/[\w.-]+", re.I)


def _year(text: str, after: int) -> str | None:
    """The two-digit year right after a venue name, else the first full year in the clause."""
    found = _YEAR_AFTER.match(text[after:])
    if found:
        return (found.group(1) or "")[2:] or found.group(2)
    anywhere = _YEAR_ANY.search(text)
    return anywhere.group(1)[2:] if anywhere else None


def _suffix(name: str, clause: str, start: int) -> str:
    lowered = clause.casefold()
    if "findings" in lowered:
        return " Findings"
    hosted = "workshop" in lowered or (start > 0 and clause[start - 1] == "@")
    return " Workshop" if hosted and name not in OWN_WORKSHOPS else ""


def _in_clause(clause: str) -> str | None:
    known = next((m for m in _KNOWN.finditer(clause) if _counts(m.group(1))), None)
    if known:
        name = _ALIAS[" ".join(known.group(1).split()).casefold()]
        year = _year(clause, known.end())
        notation = f"{name}'{year}" if year else name
        return notation + _suffix(name, clause, known.start())
    for acronym in _ACRONYM_YEAR.finditer(clause):
        name = acronym.group(1)
        if name.upper() not in NOT_VENUES:
            short = acronym.group(2) or acronym.group(3)
            return f"{name}'{short}" + _suffix(name, clause, acronym.start())
    accepted = _ACCEPTED_BY.search(clause)
    if accepted and accepted.group(1).upper() not in NOT_VENUES:
        return accepted.group(1) + _suffix(accepted.group(1), clause, accepted.start(1))
    paren = _ACRONYM_PAREN.search(clause)
    if paren and paren.group(1).upper() not in NOT_VENUES:
        full = _YEAR_ANY.search(clause)
        return f"{paren.group(1)}'{full.group(1)[2:]}" if full else paren.group(1)
    return None


def _counts(matched: str) -> bool:
    # Short all-capital names (EC, SC, MM, ICS) count only when written in capitals, so that
    # the words "ec", "Sc" or "mm" in a comment are not taken for venues.
    name = _ALIAS[" ".join(matched.split()).casefold()]
    return len(name) > 3 or matched == name or matched.casefold() != name.casefold()


def _venue_in(text: str) -> str | None:
    for part in _CLAUSES.split(text):
        clause = part.strip()
        if not clause or _NEGATIVE.search(clause):
            continue
        venue = _in_clause(clause)
        if venue and (_POSITIVE.search(clause) or _opens_with_venue(clause)):
            return venue
    return None


def _opens_with_venue(clause: str) -> bool:
    head = clause.split(",", maxsplit=1)[0]
    return bool(_KNOWN.match(head) or _ACRONYM_YEAR.match(head))


def detect_venue(comment: str | None, journal_ref: str | None = None) -> str | None:
    """The venue in the lists' notation (`OSDI'25`), from a journal ref first, then a comment."""
    for text in (journal_ref, comment):
        if text and (venue := _venue_in(_ORG_PREFIX.sub(r"\1 ", " ".join(text.split())))):
            return venue
    return None


def detect_code_url(*texts: str | None) -> str | None:
    """The first GitHub or GitLab repository URL in the given texts."""
    for text in texts:
        if text and (found := _CODE.search(text)):
            return found.group(0).rstrip(".")
    return None


def canonical_venue(name: str) -> str | None:
    """A known venue's name as the lists write it ("osdi" -> "OSDI", "NIPS" -> "NeurIPS")."""
    return _ALIAS.get(" ".join(name.split()).casefold())
