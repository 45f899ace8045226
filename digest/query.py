"""The topic rule language: arXiv's search syntax, parsed into an AST with positioned errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from digest.text import tokens

MAX_RULE_CHARS = 2000
MAX_TERMS = 200
TEXT_FIELDS = ("ti", "abs", "au", "co", "jr", "all")
FIELDS = (*TEXT_FIELDS, "cat", "venue", "has")
HAS_VALUES = ("code",)
OPERATORS = ("AND", "OR", "ANDNOT")


class QueryError(ValueError):
    """A rule that cannot be parsed; `position` is the 0-based character offset."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position + 1})")
        self.reason = message
        self.position = position


@dataclass(frozen=True, slots=True)
class Term:
    """One search term: a word, a quoted phrase, or a prefix (`serv*`), in one field."""

    field: str
    kind: Literal["word", "phrase", "prefix", "value"]
    words: tuple[str, ...]
    raw: str

    def render(self) -> str:
        """The term as a user would type it."""
        if self.kind == "phrase":
            text = '"' + " ".join(self.words) + '"'
        elif self.kind == "prefix":
            text = self.words[0] + "*"
        elif self.kind == "value":
            text = self.raw
        else:
            text = self.words[0]
        return f"{self.field}:{text}"


@dataclass(frozen=True, slots=True)
class And:
    """All of `include`, none of `exclude`."""

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
    quoted: bool = False


def _lex(rule: str) -> list[_Token]:
    out: list[_Token] = []
    i = 0
    while i < len(rule):
        ch = rule[i]
        if ch.isspace():
            i += 1
        elif ch == "(":
            out.append(_Token("lparen", ch, i))
            i += 1
        elif ch == ")":
            out.append(_Token("rparen", ch, i))
            i += 1
        else:
            start = i
            quoted = False
            while i < len(rule) and not rule[i].isspace() and rule[i] not in "()":
                if rule[i] == '"':
                    end = rule.find('"', i + 1)
                    if end < 0:
                        raise QueryError("unclosed quote", i)
                    quoted = True
                    i = end + 1
                else:
                    i += 1
            text = rule[start:i]
            kind: Literal["term", "op"] = "op" if text in OPERATORS else "term"
            out.append(_Token(kind, text, start, quoted))
    return out


class _Parser:
    def __init__(self, rule: str) -> None:
        self.rule = rule
        self.tokens = _lex(rule)
        self.at = 0
        self.terms = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise QueryError("the rule is empty", 0)
        node = self.parse_or()
        extra = self.peek()
        if extra is not None:
            raise QueryError("unbalanced ')'", extra.position)
        return node

    def parse_or(self) -> Node:
        options = [self.parse_and()]
        while (token := self.peek()) is not None and token.kind == "op" and token.text == "OR":
            self.take()
            options.append(self.parse_and())
        return options[0] if len(options) == 1 else Or(tuple(options))

    def parse_and(self) -> Node:
        include = [self.parse_atom()]
        exclude: list[Node] = []
        while (token := self.peek()) is not None and token.kind != "rparen":
            if token.kind == "op" and token.text == "OR":
                break
            if token.kind == "op":
                self.take()
                (exclude if token.text == "ANDNOT" else include).append(self.parse_atom())
            else:
                include.append(self.parse_atom())
        if len(include) == 1 and not exclude:
            return include[0]
        return And(tuple(include), tuple(exclude))

    def parse_atom(self) -> Node:
        token = self.peek()
        if token is None:
            raise QueryError("the rule ends where a term was expected", len(self.rule))
        if token.kind == "op":
            raise QueryError(f"'{token.text}' needs a term before and after it", token.position)
        if token.kind == "rparen":
            raise QueryError("unbalanced ')'", token.position)
        self.take()
        if token.kind == "lparen":
            node = self.parse_or()
            closing = self.peek()
            if closing is None or closing.kind != "rparen":
                raise QueryError("unbalanced '(': no matching ')'", token.position)
            self.take()
            return node
        return self.parse_term(token)

    def parse_term(self, token: _Token) -> Term:
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise QueryError(f"a rule may hold at most {MAX_TERMS} terms", token.position)
        field, sep, value = token.text.partition(":")
        if not sep or token.text.startswith('"'):
            field, value = "all", token.text
        field = field.lower()
        if field not in FIELDS:
            raise QueryError(
                f"unknown field '{field}:' (use one of {', '.join(f + ':' for f in FIELDS)})",
                token.position,
            )
        value_at = token.position + (len(token.text) - len(value))
        if not value:
            raise QueryError(f"'{field}:' needs a value", value_at)
        if field in ("cat", "venue", "has"):
            return self.value_term(field, value, value_at)
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            words = tuple(tokens(value[1:-1]))
            if not words:
                raise QueryError("the quoted phrase holds no words", value_at)
            kind: Literal["word", "phrase", "prefix"] = "phrase" if len(words) > 1 else "word"
            return Term(field, kind, words, value)
        if '"' in value:
            raise QueryError("a quote must enclose the whole value", value_at)
        prefix = value.endswith("*")
        words = tuple(tokens(value.rstrip("*")))
        if not words:
            raise QueryError(f"'{value}' holds no letters or digits to search for", value_at)
        if prefix:
            if len(words) > 1:
                raise QueryError("a prefix (*) applies to a single word", value_at)
            return Term(field, "prefix", words, value)
        return Term(field, "phrase" if len(words) > 1 else "word", words, value)

    def value_term(self, field: str, value: str, at: int) -> Term:
        value = value.strip('"')
        if field == "has" and value.lower() not in HAS_VALUES:
            raise QueryError(f"'has:' takes one of {', '.join(HAS_VALUES)}", at)
        return Term(field, "value", (value.casefold(),), value)


def parse(rule: str) -> Node:
    """Parse a rule; raise QueryError naming the position and the reason."""
    if len(rule) > MAX_RULE_CHARS:
        raise QueryError(f"a rule may be at most {MAX_RULE_CHARS} characters", MAX_RULE_CHARS)
    return _Parser(rule).parse()


def render(node: Node, nested: bool = False) -> str:
    """The normalised text of a rule: explicit fields and operators."""
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
