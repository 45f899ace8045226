"""The topic rule language: arXiv's search syntax, parsed into an AST with positioned errors.

Grammar (operators are case-insensitive; `NOT` and `AND NOT` are read as `ANDNOT`):

    rule    := any ( OR any )*                      OR binds loosest
    any     := unary ( [AND | ANDNOT] unary )*      a missing operator means AND
    unary   := "(" rule ")" | FIELD ":(" rule ")" | term

so `a OR b AND c` is `a OR (b AND c)`, and `a ANDNOT b c` is `a AND c ANDNOT b` (AND and ANDNOT
chain left to right, which gives the same papers in any order as long as the chain starts with
something to match). `render` prints every rule with explicit fields and parentheses.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from digest import taxonomy
from digest.text import tokens
from digest.venues import VENUES, canonical_venue

MAX_RULE_CHARS = 2000
MAX_TERMS = 200
MAX_DEPTH = 32
MIN_PREFIX = 2
TEXT_FIELDS = ("ti", "abs", "au", "co", "jr", "all")
FIELDS = (*TEXT_FIELDS, "cat", "venue", "has")
HAS_VALUES = ("code",)
# What people type for a field, mapped to the field they mean (for the error's suggestion).
FIELD_HINTS = {
    "title": "ti",
    "abstract": "abs",
    "summary": "abs",
    "author": "au",
    "authors": "au",
    "category": "cat",
    "categories": "cat",
    "comment": "co",
    "comments": "co",
    "journal": "jr",
    "any": "all",
    "conference": "venue",
    "conf": "venue",
}
QUOTES = '"“”„'  # chat clients turn " into curly quotes; both kinds work

TermKind = Literal["word", "phrase", "prefix", "name", "category", "venue", "has"]


class QueryError(ValueError):
    """A rule that cannot be parsed; `position` is the 0-based character offset."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position + 1})")
        self.reason = message
        self.position = position


@dataclass(frozen=True, slots=True)
class Term:
    """One search term in one field.

    kind and words: `word` (one folded token), `phrase` (tokens in a row), `prefix` (a token
    start, from `serv*`), `name` (au: words of one author's name, in any order, single letters as
    initials), `category` (words = (arXiv id,), key = index key), `venue` (words = (venue,),
    key = two-digit year or ""), `has` (words = ("code",)).
    """

    field: str
    kind: TermKind
    words: tuple[str, ...]
    key: str = ""

    def render(self) -> str:
        """The term as a user would type it, normalised."""
        if self.kind in ("phrase", "name") and len(self.words) > 1:
            return f'{self.field}:"{" ".join(self.words)}"'
        if self.kind == "prefix":
            return f"{self.field}:{self.words[0]}*"
        if self.kind == "venue":
            text = self.words[0] + (f"'{self.key}" if self.key else "")
            return f'venue:"{text}"' if " " in text else f"venue:{text}"
        return f"{self.field}:{self.words[0]}"


@dataclass(frozen=True, slots=True)
class And:
    """All of `include`, none of `exclude`; `include` is never empty."""

    include: tuple[Node, ...]
    exclude: tuple[Node, ...] = ()


@dataclass(frozen=True, slots=True)
class Or:
    """Any of `options`."""

    options: tuple[Node, ...]


Node = Term | And | Or


@dataclass(frozen=True, slots=True)
class _Token:
    kind: Literal["term", "op", "lparen", "rparen"]
    text: str
    position: int


def _lex(rule: str) -> list[_Token]:
    out: list[_Token] = []
    i = 0
    while i < len(rule):
        ch = rule[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append(_Token("lparen" if ch == "(" else "rparen", ch, i))
            i += 1
        else:
            start = i
            quoted = False
            while i < len(rule) and not rule[i].isspace() and rule[i] not in "()":
                if rule[i] in QUOTES:
                    end = next((j for j in range(i + 1, len(rule)) if rule[j] in QUOTES), -1)
                    if end < 0:
                        raise QueryError("this quote is never closed", i)
                    quoted = True
                    i = end + 1
                else:
                    i += 1
            text = rule[start:i]
            is_op = not quoted and text.upper() in ("AND", "OR", "ANDNOT", "NOT")
            out.append(_Token("op" if is_op else "term", text.upper() if is_op else text, start))
    return out


def _unquote(text: str) -> tuple[str, bool]:
    """The text inside quotes that enclose all of it, and whether there were any."""
    if len(text) >= 2 and text[0] in QUOTES and text[-1] in QUOTES:
        return text[1:-1], True
    return text, False


class _Parser:
    def __init__(self, rule: str) -> None:
        self.rule = rule
        self.tokens = _lex(rule)
        self.at = 0
        self.terms = 0
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise QueryError("the rule is empty: write some terms, like `ti:serving`", 0)
        node = self.parse_or("all")
        extra = self.peek()
        if extra is not None:  # parse_or stops only at the end or at a ')'
            raise QueryError("this ')' has no matching '('", extra.position)
        return node

    def parse_or(self, field: str) -> Node:
        options = [self.parse_and(field)]
        while (token := self.peek()) is not None and token.text == "OR" and token.kind == "op":
            self.take()
            self.expect_operand(token)
            options.append(self.parse_and(field))
        flat: list[Node] = []
        for option in options:
            flat.extend(option.options if isinstance(option, Or) else (option,))
        return flat[0] if len(flat) == 1 else Or(tuple(flat))

    def parse_and(self, field: str) -> Node:
        first = self.peek()
        if first is not None and first.kind == "op":
            if first.text in ("ANDNOT", "NOT"):
                raise QueryError(
                    f"'{first.text}' needs something to match before it: it only removes papers "
                    "from what the terms before it match (write `llm ANDNOT vision`)",
                    first.position,
                )
            raise QueryError(f"'{first.text}' needs a term before it", first.position)
        if first is not None and first.kind == "rparen":
            raise QueryError("this ')' has no matching '('", first.position)
        include = [self.parse_unary(field)]
        exclude: list[Node] = []
        while (token := self.peek()) is not None and token.kind != "rparen":
            if token.kind == "op" and token.text == "OR":
                break
            negate = False
            if token.kind == "op":
                self.take()
                negate = token.text in ("ANDNOT", "NOT")
                follow = self.peek()
                if token.text == "AND" and follow is not None and follow.text == "NOT":
                    self.take()  # `AND NOT` reads as ANDNOT
                    negate, token = True, follow
                self.expect_operand(token)
            (exclude if negate else include).append(self.parse_unary(field))
        flat_in: list[Node] = []
        flat_out = list(exclude)
        for child in include:
            if isinstance(child, And):
                flat_in.extend(child.include)
                flat_out.extend(child.exclude)
            else:
                flat_in.append(child)
        if len(flat_in) == 1 and not flat_out:
            return flat_in[0]
        return And(tuple(flat_in), tuple(flat_out))

    def expect_operand(self, operator: _Token) -> None:
        """An operator must be followed by a term or a '('."""
        token = self.peek()
        if token is None or token.kind == "rparen":
            raise QueryError(f"'{operator.text}' needs a term after it", operator.position)
        if token.kind == "op" and token.text != "NOT":
            raise QueryError(
                f"'{operator.text}' is followed by '{token.text}': put a term between them",
                token.position,
            )
        if token.kind == "op":
            raise QueryError(
                f"'{operator.text} NOT' is not supported: use ANDNOT after the terms to keep",
                token.position,
            )

    def parse_unary(self, field: str) -> Node:
        token = self.take()  # callers made sure there is an operand here
        if token.kind == "lparen":
            return self.parse_group(token, field)
        next_token = self.peek()
        if (
            token.text.endswith(":")
            and next_token is not None
            and next_token.kind == "lparen"
            and next_token.position == token.position + len(token.text)
        ):
            group_field = self.field_of(token.text[:-1], token.position)
            if group_field in ("cat", "venue", "has"):
                raise QueryError(
                    f"'{group_field}:(...)' is not supported: write each {group_field}: value "
                    "on its own, like `(cat:cs.DC OR cat:cs.LG)`",
                    token.position,
                )
            return self.parse_group(self.take(), group_field)
        return self.parse_term(token, field)

    def parse_group(self, opening: _Token, field: str) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(f"parentheses may nest at most {MAX_DEPTH} deep", opening.position)
        token = self.peek()
        if token is None:
            raise QueryError("this '(' is never closed", opening.position)
        if token.kind == "rparen":
            raise QueryError("these parentheses hold nothing", opening.position)
        node = self.parse_or(field)
        closing = self.peek()
        if closing is None:
            raise QueryError("this '(' is never closed", opening.position)
        self.take()
        self.depth -= 1
        return node

    def field_of(self, name: str, position: int) -> str:
        field = name.lower()
        if field in FIELDS:
            return field
        hint = FIELD_HINTS.get(field) or next(
            iter(difflib.get_close_matches(field, FIELDS, n=1, cutoff=0.6)), None
        )
        advice = f"did you mean `{hint}:`? " if hint else ""
        raise QueryError(
            f"unknown field '{name}:'; {advice}fields are "
            + " ".join(f + ":" for f in FIELDS)
            + ' (put text with a colon in quotes: "foo:bar")',
            position,
        )

    def parse_term(self, token: _Token, default_field: str) -> Term:
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise QueryError(f"a rule may hold at most {MAX_TERMS} terms", token.position)
        text = token.text
        colon = text.find(":")
        first_quote = min((text.find(q) for q in QUOTES if q in text), default=len(text))
        if 0 <= colon < first_quote:
            field = self.field_of(text[:colon], token.position)
            value, value_at = text[colon + 1 :], token.position + colon + 1
            if not value:
                raise QueryError(f"'{field}:' needs a value right after the colon", value_at)
        else:
            field, value, value_at = default_field, text, token.position
        if field == "cat":
            return self.category_term(value, value_at)
        if field == "venue":
            return self.venue_term(value, value_at)
        if field == "has":
            return self.has_term(value, value_at)
        return self.text_term(field, value, value_at)

    def text_term(self, field: str, value: str, at: int) -> Term:
        inner, quoted = _unquote(value)
        if not quoted and any(q in value for q in QUOTES):
            raise QueryError('a quote must enclose the whole value, like `ti:"two words"`', at)
        prefix = not quoted and inner.endswith("*")
        body = inner[:-1] if prefix else inner
        if "*" in body:
            where = "inside quotes" if quoted else "inside a word"
            raise QueryError(f"'*' marks a prefix at the end of one word, not {where}", at)
        words = tuple(tokens(body))
        if not words:
            raise QueryError(f"'{value}' holds no letters or digits to search for", at)
        if prefix:
            if len(words) > 1:
                raise QueryError("a prefix (*) applies to one word, like `serv*`", at)
            if len(words[0]) < MIN_PREFIX:
                raise QueryError(
                    f"a prefix needs at least {MIN_PREFIX} letters; '{inner}' matches almost "
                    "everything",
                    at,
                )
            return Term(field, "prefix", words)
        if field == "au":
            if all(len(word) == 1 for word in words):
                raise QueryError(
                    "an author term needs a name, not only initials (write `au:stoica_i`)", at
                )
            return Term(field, "name", words)
        return Term(field, "phrase" if len(words) > 1 else "word", words)

    def category_term(self, value: str, at: int) -> Term:
        inner, _ = _unquote(value)
        try:
            found = taxonomy.resolve(inner)
        except taxonomy.UnknownCategory as exc:
            raise QueryError(str(exc), at) from None
        return Term("cat", "category", (found.id,), found.key)

    def venue_term(self, value: str, at: int) -> Term:
        inner, _ = _unquote(value)
        name, year = _split_venue(inner)
        canonical = canonical_venue(name)
        if canonical is None:
            choices = {v.casefold(): v for v in VENUES}
            close = difflib.get_close_matches(name.casefold(), list(choices), n=1, cutoff=0.6)
            advice = f"did you mean `venue:{choices[close[0]]}`? " if close else ""
            raise QueryError(
                f"unknown venue '{name}'; {advice}venues are the conferences and journals "
                "paperbot recognises in comments (OSDI, NeurIPS, ...)",
                at,
            )
        if year is None:
            raise QueryError("a venue's year is two or four digits, like `venue:OSDI'25`", at)
        return Term("venue", "venue", (canonical,), year)

    def has_term(self, value: str, at: int) -> Term:
        inner, _ = _unquote(value)
        if inner.lower() not in HAS_VALUES:
            raise QueryError(f"'has:' takes one of: {', '.join(HAS_VALUES)}", at)
        return Term("has", "has", (inner.lower(),))


def _split_venue(text: str) -> tuple[str, str | None]:
    """("OSDI", "25") from OSDI'25, OSDI 2025 or OSDI25; year "" when absent, None when bad."""
    stripped = text.strip()
    end = len(stripped)
    while end > 0 and stripped[end - 1].isdigit():
        end -= 1
    digits = stripped[end:]
    name = stripped[:end].rstrip("'’` ")
    if not digits:
        return stripped, ""
    if not name:  # a venue named only by digits is not one
        return stripped, ""
    if len(digits) == 4 and digits[:2] in ("19", "20"):
        return name, digits[2:]
    if len(digits) == 2:
        return name, digits
    return name, None


def pointed(rule: str, error: QueryError) -> tuple[str, str]:
    """The rule on one line and a caret line under the error's position (for any display)."""
    shown = rule.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    return shown, " " * min(error.position, len(shown)) + "^"


def parse(rule: str) -> Node:
    """Parse a rule; raise QueryError naming the position and the reason.

    The limits hold for the rule as typed and as written out in full (`render`, which is what
    is shown and what a user copies back), so every rule accepted parses again from its render.
    """
    if len(rule) > MAX_RULE_CHARS:
        raise QueryError(
            f"a rule may be at most {MAX_RULE_CHARS:,} characters (this one has {len(rule):,})",
            MAX_RULE_CHARS,
        )
    node = _Parser(rule).parse()
    written = render(node)
    if len(written) > MAX_RULE_CHARS:
        raise QueryError(
            f"written out in full, with every field and operator (`{written[:30]}…`), this rule "
            f"has {len(written):,} characters; a rule may have at most {MAX_RULE_CHARS:,}",
            0,
        )
    if (depth := _paren_depth(node)) > MAX_DEPTH:
        raise QueryError(
            f"written out in full, with parentheses for every grouping, this rule nests {depth} "
            f"deep; parentheses may nest at most {MAX_DEPTH} deep",
            0,
        )
    return node


def _paren_depth(node: Node) -> int:
    """How deep `render` nests parentheses below this node."""
    if isinstance(node, Term):
        return 0
    children = node.options if isinstance(node, Or) else (*node.include, *node.exclude)
    return max((1 + _paren_depth(c) for c in children if not isinstance(c, Term)), default=0)


def render(node: Node, nested: bool = False) -> str:
    """The normalised text of a rule: explicit fields and operators, parentheses for grouping."""
    if isinstance(node, Term):
        return node.render()
    if isinstance(node, Or):
        text = " OR ".join(render(option, True) for option in node.options)
    else:
        text = " AND ".join(render(child, True) for child in node.include)
        text += "".join(" ANDNOT " + render(child, True) for child in node.exclude)
    return f"({text})" if nested else text


def terms_of(node: Node) -> list[Term]:
    """Every term of a rule, left to right."""
    if isinstance(node, Term):
        return [node]
    children = node.options if isinstance(node, Or) else (*node.include, *node.exclude)
    return [term for child in children for term in terms_of(child)]


def positive_terms(node: Node) -> list[Term]:
    """The terms that count towards a match (every term not under an ANDNOT), left to right."""
    if isinstance(node, Term):
        return [node]
    children = node.options if isinstance(node, Or) else node.include
    return [term for child in children for term in positive_terms(child)]


@dataclass(frozen=True, slots=True)
class ApiQuery:
    """The arXiv API `search_query` that fetches a rule's candidates, when there is one."""

    query: str | None  # None: the API cannot narrow this rule down (it would fetch everything)
    complete: bool  # True when the query says all the rule says (up to arXiv's own stemming)
    note: str = ""  # what the API cannot check, which paperbot checks on the harvested papers


_LOCAL_ONLY = "venue: and has: are read from harvested papers' comments"


def api_query(node: Node) -> ApiQuery:
    """The arXiv API search query for a rule (a superset of its matches where it cannot say all)."""
    text, complete = _api(node)
    if text is None:
        return ApiQuery(None, False, f"the arXiv API cannot search this rule: {_LOCAL_ONLY}")
    return ApiQuery(text, complete, "" if complete else f"broader than the rule: {_LOCAL_ONLY}")


def _api(node: Node, nested: bool = False) -> tuple[str | None, bool]:
    """(query or None for "anything", whether it is exact) for one node."""
    if isinstance(node, Term):
        return _api_term(node)
    if isinstance(node, Or):
        parts = [_api(option, True) for option in node.options]
        if any(text is None for text, _ in parts):
            return None, False
        query = " OR ".join(str(text) for text, _ in parts)
        return (f"({query})" if nested else query), all(c for _, c in parts)
    included = [_api(child, True) for child in node.include]
    complete = all(c for _, c in included)
    texts = [text for text, _ in included if text is not None]
    if not texts:
        return None, False
    query = " AND ".join(texts)
    for child in node.exclude:
        text, exact = _api(child, True)
        # dropping an exclusion only widens the query; a widened one would lose candidates
        if text is None or not exact:
            complete = False
            continue
        query += f" ANDNOT {text}"
    compound = query != texts[0]
    return (f"({query})" if nested and compound else query), complete


def _api_term(term: Term) -> tuple[str | None, bool]:
    if term.kind in ("venue", "has"):
        return None, False
    if term.kind == "category":
        if term.key.startswith("a:") and taxonomy.has_subcategories(term.words[0]):
            return f"cat:{term.words[0]}.*", True
        return f"cat:{term.words[0]}", True
    if term.kind == "prefix":
        return f"{term.field}:{term.words[0]}*", True
    if term.kind == "name":
        return "au:" + "_".join(term.words), True
    if term.kind == "phrase":
        return f'{term.field}:"{" ".join(term.words)}"', True
    return f"{term.field}:{term.words[0]}", True
