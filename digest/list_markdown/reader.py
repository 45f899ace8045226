"""Read a Markdown list in any of the known styles: sections, entries, problems, duplicates.

Reading is one pass over the lines, and every line is read in time linear in its length (see
`inline`): a list of any size and shape takes time in proportion to its size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from digest.list_document import (
    DEFAULT_SECTION,
    SECTION_SEPARATOR,
    DocSection,
    DocumentLayout,
    ItemLayout,
    ListDocument,
    ListItem,
    ListTooBig,
    ReadLimits,
    ReadProblem,
    ReadResult,
    SectionLayout,
    fingerprint,
)
from digest.list_markdown.duplicates import NearSearch, find_duplicates
from digest.list_markdown.inline import (
    References,
    heading_text,
    link_destination,
    plain_text,
    reference_key,
)
from digest.list_markdown.items import ItemError, child_arxiv_id, parse_bullet, parse_table_row
from digest.list_markdown.kept_lines import is_kept_bullet, is_kept_heading
from digest.list_venues import is_implied_arxiv, parse_venue_tag, split_venue

# No pattern here holds two neighbouring repeats that can share characters (`\s*:?\s*`): a
# failed match would retry every split of a long run of spaces. What they leave out (a heading's
# closing `#`s, what follows a bold line) is checked in Python.
_HEADING = re.compile(r"(#{1,6})\s(.*)")
_CLOSING_HASHES = re.compile(r"(?:^|\s)#+$")
_BULLET = re.compile(r"(\s*)(?:[-*+]|\d+[.)])\s+(.*)")
_BOLD = re.compile(r"\s*\*\*([^*]+)\*\*(.*)")
_SUMMARY = re.compile(r"\s*<summary>(.*?)</summary>\s*$", re.IGNORECASE)
_DETAILS_END = re.compile(r"\s*</details>\s*$", re.IGNORECASE)
_RULE_CELL = re.compile(r":?-{3,}:?")
_FENCE = re.compile(r"\s*(```|~~~)")
# `[label]: https://...` (not a footnote `[^1]: ...`), at most three spaces in.
_REFERENCE = re.compile(r" {0,3}\[([^\]\[\\^][^\]\[\\]{0,998})\]:[ \t]*(\S.*)")
_TOC_TITLES = frozenset({"table of contents", "table of content", "contents", "toc"})
# Table header words, by the role of their column.
_COLUMN_ROLES = {
    "title": ("title", "name", "paper title"),
    "link": ("link", "links", "paper", "papers", "url", "pdf"),
    "venue": ("venue", "conference", "conf", "published", "publication"),
    "note": ("note", "notes", "keywords", "institute", "comment", "remarks", "date", "tags"),
}
SUBGROUP_LEVEL = 7  # bold lines and <summary> sit below every heading level
CATEGORY_LEVEL = 8  # a bullet naming a category of the indented entries below it
MAX_CATEGORY_CHARS = 80
MAX_CATEGORY_WORDS = 10
_NOT_CATEGORY_START = tuple(">!<[|`")
_NOT_CATEGORY_END = tuple(".,;!?")
MAX_LIST_TITLE_CHARS = 200  # what a workspace's settings keep of a list's title
# An entry has a few links and tags; a line with thousands of brackets is not one, and reading
# it bracket by bracket would cost more than the rest of the list.
MAX_LINE_BRACKETS = 2_000
_TOO_MANY_BRACKETS = f"more than {MAX_LINE_BRACKETS:,} brackets: not read as an entry"


@dataclass(slots=True)
class _Event:
    """Where a heading or an entry starts in the file, for giving each line back to its owner."""

    start: int  # index of its first line
    path: tuple[str, ...]
    item: int | None = None  # the entry's index in its section, None for a heading
    end: int = 0  # just past an entry's own lines
    children_end: int = 0  # just past the lines under it


@dataclass(slots=True)
class _State:
    title: str | None = None
    headings: list[tuple[int, str]] = field(default_factory=list)
    # Inside a table of contents or a section of other things (References, TODO): no entries.
    in_toc_level: int | None = None
    table_roles: list[str | None] | None = None
    expect_rule: bool = False
    last_item: tuple[tuple[str, ...], int] | None = None
    last_indent: int = 0
    events: list[_Event] = field(default_factory=list)
    source: list[str] = field(default_factory=list)  # the file's lines as written
    limits: ReadLimits = field(default_factory=ReadLimits)
    entries: int = 0
    references: References = field(default_factory=dict)
    items: dict[tuple[str, ...], list[ListItem]] = field(default_factory=dict)
    # Section paths in the order they first appeared (a dict: membership tests stay O(1)).
    order: dict[tuple[str, ...], None] = field(default_factory=dict)
    problems: list[ReadProblem] = field(default_factory=list)

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(title for _, title in self.headings)

    def enter(self, level: int, title: str, start: int) -> None:
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        self.headings.append((level, title))
        self._section(self.path)
        self.events.append(_Event(start, self.path))
        self.table_roles = None
        self.last_item = None

    def add(self, item: ListItem, start: int, end: int) -> None:
        path = self.path or (DEFAULT_SECTION,)
        self._section(path)
        bucket = self.items.setdefault(path, [])
        bucket.append(item)
        self.last_item = (path, len(bucket) - 1)
        self.events.append(_Event(start, path, len(bucket) - 1, end, end))
        self.entries += 1
        most = self.limits.max_entries
        if most is not None and self.entries > most:
            raise ListTooBig("entries", most, item.line)

    def _section(self, path: tuple[str, ...]) -> None:
        self.order.setdefault(path)
        most = self.limits.max_sections
        if most is not None and len(self.order) > most:
            raise ListTooBig("sections", most)


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
        if not in_comment and "<!--" not in line:
            out.append(line)
            continue
        kept: list[str] = []
        pos = 0
        while pos < len(line):
            if in_comment:
                end = line.find("-->", pos)
                if end == -1:
                    break
                pos = end + 3
                in_comment = False
            else:
                start = line.find("<!--", pos)
                if start == -1:
                    kept.append(line[pos:])
                    break
                kept.append(line[pos:start])
                pos = start + 4
                in_comment = True
        out.append("".join(kept))
    return out


def _references(lines: list[str]) -> dict[str, str]:
    """Link reference definitions (`[label]: url`) by label; the first of a label counts."""
    found: dict[str, str] = {}
    for line in lines:
        if "]:" in line and (definition := _REFERENCE.match(line)):
            key = reference_key(definition.group(1))
            if key:
                found.setdefault(key, link_destination(definition.group(2)))
    return found


def _is_table(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= 2 and stripped[0] == "|" and stripped[-1] == "|"


def _is_table_rule(line: str) -> bool:
    return all(_RULE_CELL.fullmatch(cell) for cell in _cells(line))


def _heading(line: str) -> tuple[int, str] | None:
    """`## Title ##` -> (2, "Title")."""
    found = _HEADING.match(line)
    if found is None:
        return None
    text = found.group(2).strip()
    closing = _CLOSING_HASHES.search(text) if text.endswith("#") else None
    if closing is not None:
        text = text[: closing.start()].rstrip()
    return len(found.group(1)), text


def _bold(line: str) -> str | None:
    """The text of a line that is only bold text (`**General**`, `**Old**:`)."""
    found = _BOLD.match(line)
    if found is None or found.group(2).strip() not in ("", ":"):
        return None
    return found.group(1)


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
    first = lines[index]
    unclosed = first.count("[") - first.count("]")
    parts = [first.rstrip()]
    last = index
    while unclosed > 0 and last + 1 < len(lines):
        following = lines[last + 1]
        if not following.strip() or _BULLET.match(following) or _HEADING.match(following):
            break
        last += 1
        parts.append(following.strip())
        unclosed += following.count("[") - following.count("]")
    return (first if last == index else "".join(parts)), last


def _table_row(state: _State, line: str, number: int) -> None:
    cells = _cells(line)
    if state.table_roles is None:
        state.table_roles = _roles(cells)
        state.expect_rule = True
        return
    if state.expect_rule and _is_table_rule(line):
        state.expect_rule = False
        return
    state.expect_rule = False
    grouped: dict[str, list[str]] = {}
    for role, cell in zip(state.table_roles, cells, strict=False):
        if role is not None:
            grouped.setdefault(role, []).append(cell)
    if not any(cell for cell in cells):
        return
    if line.count("[") > MAX_LINE_BRACKETS:
        state.problems.append(ReadProblem(number, line.strip(), _TOO_MANY_BRACKETS))
        return
    try:
        item, warnings = parse_table_row(grouped, state.references, number)
    except ItemError as exc:
        state.problems.append(ReadProblem(number, line.strip(), f"table row: {exc}"))
        return
    state.add(item, number - 1, number)
    state.last_item = None  # a row has no lines under it
    state.problems.extend(ReadProblem(number, line.strip(), w) for w in warnings)


def _is_category_line(lines: list[str], index: int) -> bool:
    """A short plain line standing alone right above entries: a category written as text.

    `Serving:` or `Training` on its own line, a blank line (or the start) above it and a bullet
    right below it (a blank line between allowed), names the section of the bullets below.
    """
    line = lines[index]
    text = line.strip()
    if line[:1].isspace() or len(text) > MAX_CATEGORY_CHARS or "](" in text:
        return False
    if text.startswith(_NOT_CATEGORY_START) or text.endswith(_NOT_CATEGORY_END):
        return False
    if len(text.split()) > MAX_CATEGORY_WORDS or (index > 0 and lines[index - 1].strip()):
        return False
    following = index + 1
    if following < len(lines) and not lines[following].strip():
        following += 1
    return following < len(lines) and bool(_BULLET.match(lines[following]))


def _names_category(state: _State, lines: list[str], index: int, indent: int) -> bool:
    """Whether the bullet at `index` (no link, no venue) heads more indented entries below it."""
    following = index + 1
    while following < len(lines) and not lines[following].strip():
        following += 1
    if following >= len(lines):
        return False
    below = _BULLET.match(lines[following])
    if below is None or len(below.group(1)) <= indent:
        return False
    try:
        item, _ = parse_bullet(below.group(2), state.references)
    except ItemError:
        return False
    return item.link is not None


def _child(state: _State, content: str, index: int, last: int) -> None:
    """A line under the last entry: kept with it; its arXiv id if the entry has none."""
    assert state.last_item is not None
    path, position = state.last_item
    bucket = state.items[path]
    parent = bucket[position]
    state.events[-1].children_end = last + 1
    if parent.arxiv_id is None and (found := child_arxiv_id(content, state.references)):
        venue = None if is_implied_arxiv(parent.venue, found) else parent.venue
        tag = parent.venue_tag if venue else None
        bucket[position] = replace(parent, arxiv_id=found, venue=venue, venue_tag=tag)


def _bullet(state: _State, lines: list[str], index: int) -> int:
    text, last = _joined_bullet(lines, index)
    found = _BULLET.match(text)
    assert found is not None
    indent, content = found.group(1), found.group(2)
    number = index + 1
    if len(indent) > state.last_indent and state.last_item is not None:
        _child(state, content, index, last)
        return last
    if content.count("[") > MAX_LINE_BRACKETS:
        state.problems.append(ReadProblem(number, text.strip(), _TOO_MANY_BRACKETS))
        return last
    if state.in_toc_level is not None or is_kept_bullet(content):
        state.last_item = None
        return last
    try:
        item, warnings = parse_bullet(content, state.references, number)
    except ItemError as exc:
        state.problems.append(ReadProblem(number, text.strip(), str(exc)))
        state.last_item = None
        return last
    bare = item.link is None and item.venue is None and not item.links
    if bare and _names_category(state, lines, last, len(indent)):
        state.enter(CATEGORY_LEVEL, item.title, index)
        return last
    state.add(item, index, last + 1)
    state.last_indent = len(indent)
    state.problems.extend(ReadProblem(number, text.strip(), w) for w in warnings)
    return last


def _order_tree(
    order: Iterable[tuple[str, ...]], keep: set[tuple[str, ...]]
) -> list[tuple[str, ...]]:
    """Paths depth first, siblings in the order they first appeared."""
    children: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for path in order:  # each path once: `order` has no repeats
        if path in keep:
            children.setdefault(path[:-1], []).append(path)
    ordered: list[tuple[str, ...]] = []

    def walk(parent: tuple[str, ...]) -> None:
        for path in children.get(parent, []):
            ordered.append(path)
            walk(path)

    walk(())
    return ordered


def read_markdown(text: str, style: str, limits: ReadLimits | None = None) -> ReadResult:
    """Read a Markdown list already known to be in `style`; ListTooBig past `limits`."""
    source = text.splitlines()
    lines = _strip_comments(source)
    state = _State(source=source, references=_references(lines), limits=limits or ReadLimits())
    index = 0
    while index < len(lines):
        line = lines[index]
        number = index + 1
        stripped = line.strip()
        if not stripped:
            state.table_roles = None if not _is_table(line) else state.table_roles
            index += 1
            continue
        heading = _heading(line)
        summary = _SUMMARY.match(line)
        bold = _bold(line)
        if heading:
            level, raw = heading
            many = raw.count("[") > MAX_LINE_BRACKETS
            title = plain_text(raw) if many else heading_text(raw, state.references)
            if state.in_toc_level is not None and level <= state.in_toc_level:
                state.in_toc_level = None
            if level == 1 and state.title is None and not state.headings:
                state.title = title
            elif title.casefold() in _TOC_TITLES or is_kept_heading(title):
                state.in_toc_level = level
                state.enter(level, title, index)
            elif title:
                state.enter(level, title, index)
        elif summary or (bold is not None and not _BULLET.match(line)):
            title = plain_text(summary.group(1) if summary else bold or "").rstrip(":").strip()
            if title and state.in_toc_level is None:
                state.enter(SUBGROUP_LEVEL, title, index)
        elif (
            state.last_item is not None
            and len(line) - len(line.lstrip()) > state.last_indent
            and not _BULLET.match(line)
            and not _is_table(line)
        ):
            _child(state, line, index, index)  # an indented line under an entry
        elif _DETAILS_END.match(line):
            if state.headings and state.headings[-1][0] == SUBGROUP_LEVEL:
                state.headings.pop()
            state.last_item = None
        elif _is_table(line):
            if state.in_toc_level is None:
                _table_row(state, line, number)
        elif _BULLET.match(line):
            index = _bullet(state, lines, index)
        else:
            state.last_item = None  # a paragraph ends the entry above it
            if state.in_toc_level is None and _is_category_line(lines, index):
                state.enter(SUBGROUP_LEVEL, plain_text(stripped).rstrip(":").strip(), index)
        index += 1
    return _result(state, style)


def _layouts(
    state: _State, keep: set[tuple[str, ...]], style: str
) -> tuple[DocumentLayout, dict[tuple[str, ...], SectionLayout]]:
    """Every line of the file given to its owner: the preamble, a section, an entry.

    An owner is the first heading of each section kept and every entry; it owns the lines from
    its start to the next owner's. An entry's lines after its own and its children's are its tail
    when the next owner is the next entry of its section, else its section's tail.
    """
    source = state.source
    owners: list[_Event] = []
    headed: set[tuple[str, ...]] = set()
    for event in state.events:
        if event.item is not None:
            owners.append(event)
        elif event.path in keep and event.path not in headed:
            headed.add(event.path)
            owners.append(event)
    heads: dict[tuple[str, ...], tuple[str, ...]] = {}
    tails: dict[tuple[str, ...], list[str]] = {}
    for number, owner in enumerate(owners):
        following = owners[number + 1] if number + 1 < len(owners) else None
        stop = following.start if following is not None else len(source)
        if owner.item is None:
            heads[owner.path] = tuple(source[owner.start : stop])
            continue
        bucket = state.items[owner.path]
        item = bucket[owner.item]
        gap = source[owner.children_end : stop]
        same_section = following is not None and following.item is not None
        if same_section and following is not None and following.path == owner.path:
            tail, gap = tuple(gap), []
        else:
            tail = ()
            tails.setdefault(owner.path, []).extend(gap)
        bucket[owner.item] = replace(
            item,
            children=tuple(source[owner.end : owner.children_end]),
            layout=ItemLayout(style, tuple(source[owner.start : owner.end]), tail),
        )
    preamble = tuple(source[: owners[0].start] if owners else source)
    sections = {
        path: SectionLayout(style, heads.get(path, ()), tuple(tails.get(path, ()))) for path in keep
    }
    return DocumentLayout(style, preamble), sections


def _keyed(item: ListItem) -> ListItem:
    """The item with the fingerprint of the fields its lines were read as."""
    if item.layout is None:
        return item
    return replace(item, layout=replace(item.layout, key=fingerprint(item.key(), item.children)))


def _result(state: _State, style: str) -> ReadResult:
    toc = {
        p for p in state.order if p and (p[-1].casefold() in _TOC_TITLES or is_kept_heading(p[-1]))
    }
    filled = {p for p, items in state.items.items() if items}
    keep = {p[:n] for p in filled for n in range(1, len(p) + 1)} - toc
    skipped = tuple(
        SECTION_SEPARATOR.join(p) for p in state.order if p not in keep and p not in toc
    )
    layout, section_layouts = _layouts(state, keep, style)
    sections = []
    for path in _order_tree(state.order, keep):
        items = state.items.get(path, [])
        if style == "conference-notes":
            implied = parse_venue_tag(path[0])
            # Only a conference with its year ("SOSP 2024") names the venue of its entries.
            if implied is not None and split_venue(implied)[1] is not None:
                items = [i if i.venue else replace(i, venue=implied) for i in items]
        keyed = tuple(_keyed(item) for item in items)
        sections.append(DocSection(path, keyed, section_layouts[path]))
    title = (state.title or "")[:MAX_LIST_TITLE_CHARS].rstrip() or "Paper list"
    document = ListDocument(title, tuple(sections), layout)
    search = NearSearch()
    duplicates = tuple(find_duplicates(document, search))
    unchecked: tuple[str, ...] = ()
    if search.exhausted:
        unchecked = (
            f"near-duplicate titles: stopped after {search.compared:,} comparisons, "
            "the most a list of this size may cost",
        )
    return ReadResult(
        document=document,
        style=style,
        problems=tuple(state.problems),
        duplicates=duplicates,
        skipped_sections=skipped,
        unchecked=unchecked,
    )
