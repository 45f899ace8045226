"""Read a Markdown list in any of the known styles: sections, entries, problems, duplicates."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from digest.list_document import (
    DEFAULT_SECTION,
    SECTION_SEPARATOR,
    DocSection,
    ListDocument,
    ListItem,
    ReadProblem,
    ReadResult,
)
from digest.list_markdown.duplicates import find_duplicates
from digest.list_markdown.inline import heading_text, plain_text
from digest.list_markdown.items import ItemError, attach_child_link, parse_bullet, parse_table_row
from digest.list_venues import parse_venue_tag, split_venue

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(.*)$")
_BOLD = re.compile(r"^\s*\*\*([^*]+?)\*\*\s*:?\s*$")
_SUMMARY = re.compile(r"^\s*<summary>(.*?)</summary>\s*$", re.IGNORECASE)
_DETAILS_END = re.compile(r"^\s*</details>\s*$", re.IGNORECASE)
_TABLE = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_TOC_TITLES = frozenset({"table of contents", "table of content", "contents", "toc"})
# Table header words, by the role of their column.
_COLUMN_ROLES = {
    "title": ("title", "name", "paper title"),
    "link": ("link", "links", "paper", "papers", "url", "pdf"),
    "venue": ("venue", "conference", "conf", "published", "publication"),
    "note": ("note", "notes", "keywords", "institute", "comment", "remarks", "date", "tags"),
}
SUBGROUP_LEVEL = 7  # bold lines and <summary> sit below every heading level


@dataclass(slots=True)
class _State:
    title: str | None = None
    headings: list[tuple[int, str]] = field(default_factory=list)
    in_toc_level: int | None = None
    table_roles: list[str | None] | None = None
    expect_rule: bool = False
    last_item: tuple[tuple[str, ...], int] | None = None
    last_indent: int = 0
    items: dict[tuple[str, ...], list[ListItem]] = field(default_factory=dict)
    order: list[tuple[str, ...]] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(title for _, title in self.headings)

    def enter(self, level: int, title: str) -> None:
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        self.headings.append((level, title))
        if self.path not in self.order:
            self.order.append(self.path)
        self.table_roles = None
        self.last_item = None

    def add(self, item: ListItem) -> None:
        path = self.path or (DEFAULT_SECTION,)
        if path not in self.order:
            self.order.append(path)
        bucket = self.items.setdefault(path, [])
        bucket.append(item)
        self.last_item = (path, len(bucket) - 1)


def _strip_comments(lines: list[str]) -> list[str]:
    """Blank out HTML comments and fenced code, keeping line numbers."""
    out: list[str] = []
    in_comment = in_fence = False
    for line in lines:
        if in_fence:
            in_fence = not _FENCE.match(line)
            out.append("")
            continue
        if not in_comment and _FENCE.match(line):
            in_fence = True
            out.append("")
            continue
        text = ""
        rest = line
        while rest:
            if in_comment:
                end = rest.find("-->")
                if end == -1:
                    rest = ""
                else:
                    rest = rest[end + 3 :]
                    in_comment = False
            else:
                start = rest.find("<!--")
                if start == -1:
                    text += rest
                    rest = ""
                else:
                    text += rest[:start]
                    rest = rest[start + 4 :]
                    in_comment = True
        out.append(text)
    return out


def _cells(line: str) -> list[str]:
    body = line.strip()
    body = body.removeprefix("|")
    body = body.removesuffix("|") if not body.endswith("\\|") else body
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", body)]


def _roles(header: list[str]) -> list[str | None]:
    roles: list[str | None] = []
    for cell in header:
        word = plain_text(cell).casefold()
        role = next((r for r, words in _COLUMN_ROLES.items() if word in words), None)
        roles.append(role)
    return roles


def _joined_bullet(lines: list[str], index: int) -> tuple[str, int]:
    """A bullet whose link label runs onto the next lines, joined into one line."""
    text = lines[index]
    last = index
    while text.count("[") > text.count("]") and last + 1 < len(lines):
        following = lines[last + 1]
        if not following.strip() or _BULLET.match(following) or _HEADING.match(following):
            break
        last += 1
        text = text.rstrip() + following.strip()
    return text, last


def _table_row(state: _State, line: str, number: int) -> None:
    cells = _cells(line)
    if state.table_roles is None:
        state.table_roles = _roles(cells)
        state.expect_rule = True
        return
    if state.expect_rule and _TABLE_RULE.match(line):
        state.expect_rule = False
        return
    state.expect_rule = False
    grouped: dict[str, list[str]] = {}
    for role, cell in zip(state.table_roles, cells, strict=False):
        if role is not None:
            grouped.setdefault(role, []).append(cell)
    if not any(cell for cell in cells):
        return
    try:
        item, warnings = parse_table_row(grouped)
    except ItemError as exc:
        state.problems.append(ReadProblem(number, line.strip(), f"table row: {exc}"))
        return
    state.add(replace(item, line=number))
    state.problems.extend(ReadProblem(number, line.strip(), w) for w in warnings)


def _bullet(state: _State, lines: list[str], index: int, previous_blank: bool) -> int:
    text, last = _joined_bullet(lines, index)
    found = _BULLET.match(text)
    assert found is not None
    indent, content = found.group(1), found.group(2)
    number = index + 1
    if len(indent) > state.last_indent and state.last_item is not None and not previous_blank:
        path, position = state.last_item
        parent = state.items[path][position]
        attached = attach_child_link(parent, content)
        if attached is not None:
            state.items[path][position] = attached
            return last
    try:
        item, warnings = parse_bullet(content)
    except ItemError as exc:
        if state.in_toc_level is None:
            state.problems.append(ReadProblem(number, text.strip(), str(exc)))
        return last
    if state.in_toc_level is not None:
        return last
    state.add(replace(item, line=number))
    state.last_indent = len(indent)
    state.problems.extend(ReadProblem(number, text.strip(), w) for w in warnings)
    return last


def _order_tree(order: list[tuple[str, ...]], keep: set[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Paths depth first, siblings in the order they first appeared."""
    children: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for path in order:
        if path in keep:
            siblings = children.setdefault(path[:-1], [])
            if path not in siblings:
                siblings.append(path)
    ordered: list[tuple[str, ...]] = []

    def walk(parent: tuple[str, ...]) -> None:
        for path in children.get(parent, []):
            ordered.append(path)
            walk(path)

    walk(())
    return ordered


def read_markdown(text: str, style: str) -> ReadResult:
    """Read a Markdown list already known to be in `style`."""
    lines = _strip_comments(text.splitlines())
    state = _State()
    previous_blank = True
    index = 0
    while index < len(lines):
        line = lines[index]
        number = index + 1
        stripped = line.strip()
        if not stripped:
            previous_blank = True
            state.table_roles = None if not _TABLE.match(line) else state.table_roles
            index += 1
            continue
        heading = _HEADING.match(line)
        summary = _SUMMARY.match(line)
        bold = _BOLD.match(line)
        if heading:
            level = len(heading.group(1))
            title = heading_text(heading.group(2))
            if state.in_toc_level is not None and level <= state.in_toc_level:
                state.in_toc_level = None
            if level == 1 and state.title is None and not state.headings:
                state.title = title
            elif title.casefold() in _TOC_TITLES:
                state.in_toc_level = level
                state.enter(level, title)
            elif title:
                state.enter(level, title)
        elif summary or (bold and not _BULLET.match(line)):
            title = plain_text((summary or bold).group(1)).rstrip(":").strip()  # type: ignore[union-attr]
            if title and state.in_toc_level is None:
                state.enter(SUBGROUP_LEVEL, title)
        elif _DETAILS_END.match(line):
            if state.headings and state.headings[-1][0] == SUBGROUP_LEVEL:
                state.headings.pop()
            state.last_item = None
        elif _TABLE.match(line):
            if state.in_toc_level is None:
                _table_row(state, line, number)
        elif _BULLET.match(line):
            index = _bullet(state, lines, index, previous_blank)
        previous_blank = False
        index += 1
    return _result(state, style)


def _result(state: _State, style: str) -> ReadResult:
    toc = {p for p in state.order if p and p[-1].casefold() in _TOC_TITLES}
    filled = {p for p, items in state.items.items() if items}
    keep = {p[:n] for p in filled for n in range(1, len(p) + 1)} - toc
    skipped = tuple(
        SECTION_SEPARATOR.join(p) for p in state.order if p not in keep and p not in toc
    )
    sections = []
    for path in _order_tree(state.order, keep):
        items = state.items.get(path, [])
        if style == "conference-notes":
            implied = parse_venue_tag(path[0])
            # Only a conference with its year ("SOSP 2024") names the venue of its entries.
            if implied is not None and split_venue(implied)[1] is not None:
                items = [i if i.venue else replace(i, venue=implied) for i in items]
        sections.append(DocSection(path, tuple(items)))
    document = ListDocument(state.title or "Paper list", tuple(sections))
    return ReadResult(
        document=document,
        style=style,
        problems=tuple(state.problems),
        duplicates=tuple(find_duplicates(document)),
        skipped_sections=skipped,
    )
