"""Lines of a list that are not paper entries, kept as written: other sections, bare links, notes.

A hand-kept list holds more than papers: a References section of bare URLs, useful websites, a
TODO list, "to be updated" placeholders, links to the repository's other files. Reading them as
entries would put them on the list; they are kept verbatim where they stand instead.
"""

from __future__ import annotations

import re

from digest.list_markdown.inline import Link, plain_text, tokenize

# Headings of sections that hold no papers, by their first words (case and punctuation aside).
_KEPT_HEADINGS = re.compile(
    r"^(?:references?|bibliography|useful \w+|(?:other )?resources|(?:useful )?links"
    r"|to ?do(?: list)?|contribut(?:e|ing|ion|ions|ors)|licen[cs]e|acknowledge?ments?"
    r"|star history|citation|cite(?: us| this)?|contact(?: us)?"
    r"|(?:related|other)(?: awesome)? (?:lists|repos|repositories|paper lists))$"
)
_WORDS = re.compile(r"[^\w\s]+")
_BARE_URL = re.compile(r"<?(?:https?|ftp)://\S+>?")
_PLACEHOLDERS = re.compile(
    r"^(?:to be (?:updated|added|continued|filled)|tbd|tba|todo|coming soon|updating|wip"
    r"|more to come|under construction)\b"
)
MAX_PLACEHOLDER_WORDS = 4
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def is_kept_heading(title: str) -> bool:
    """A heading whose section holds other things than papers (References, Useful websites)."""
    words = " ".join(_WORDS.sub(" ", title.casefold()).split())
    return bool(_KEPT_HEADINGS.match(words))


def is_kept_bullet(content: str) -> bool:
    """A bullet that is not an entry: a bare URL, a placeholder, links to the list's own files."""
    text = content.strip()
    if _BARE_URL.fullmatch(text):
        return True
    links = [t for t in tokenize(text) if isinstance(t, Link)]
    if links:
        return all(_is_own_file(link.url) for link in links)
    # Only a short line without a link is a placeholder: "Updating Parametric Knowledge…" is not.
    words = " ".join(_WORDS.sub(" ", plain_text(text).casefold()).split())
    return len(words.split()) <= MAX_PLACEHOLDER_WORDS and bool(_PLACEHOLDERS.match(words))


def _is_own_file(url: str) -> bool:
    """`daily-arxiv-llm.md`, `paper_list/moe.md`: a file beside the list, not a paper."""
    target = url.strip().strip("<>").split("#", 1)[0]
    return bool(target) and not _SCHEME.match(target) and target.casefold().endswith(".md")
