"""The rule language: parsing, normalised printing, API queries and positioned errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.query import (
    MAX_RULE_CHARS,
    MAX_TERMS,
    And,
    Or,
    QueryError,
    Term,
    api_query,
    parse,
    positive_terms,
    render,
    terms_of,
)


@pytest.mark.parametrize(
    ("rule", "normalised"),
    [
        ("llm serving", "all:llm AND all:serving"),
        ("ti:MoE", "ti:moe"),
        ("TI:MoE", "ti:moe"),
        ('abs:"Mixture-of-Experts"', 'abs:"mixture of experts"'),
        ("mixture-of-experts", 'all:"mixture of experts"'),
        ("serv*", "all:serv*"),
        ("au:stoica_i", 'au:"stoica i"'),
        ('au:"Ion Stoica"', 'au:"ion stoica"'),
        ("au:del_maestro", 'au:"del maestro"'),
        ("cat:cs.dc", "cat:cs.DC"),
        ("cat:cs.*", "cat:cs"),
        ("cat:cs.SY", "cat:cs.SY"),
        ("venue:osdi", "venue:OSDI"),
        ("venue:OSDI'25", "venue:OSDI'25"),
        ("venue:OSDI’2025", "venue:OSDI'25"),
        ('venue:"usenix security"', 'venue:"USENIX Security"'),
        ("venue:nips", "venue:NeurIPS"),
        ("has:CODE", "has:code"),
        ("“smart quotes” work", 'all:"smart quotes" AND all:work'),
    ],
)
def test_rules_are_printed_back_normalised(rule: str, normalised: str) -> None:
    assert render(parse(rule)) == normalised


@pytest.mark.parametrize(
    ("rule", "grouped"),
    [
        # OR binds loosest; AND, ANDNOT and the implicit AND bind tighter
        ("a OR b AND c", "all:a OR (all:b AND all:c)"),
        ("a AND b OR c", "(all:a AND all:b) OR all:c"),
        ("a b OR c d", "(all:a AND all:b) OR (all:c AND all:d)"),
        ("a ANDNOT b OR c", "(all:a ANDNOT all:b) OR all:c"),
        ("a ANDNOT b c", "all:a AND all:c ANDNOT all:b"),
        ("(a OR b) c", "(all:a OR all:b) AND all:c"),
        ("a ANDNOT (b OR c)", "all:a ANDNOT (all:b OR all:c)"),
        ("a ANDNOT b ANDNOT c", "all:a ANDNOT all:b ANDNOT all:c"),
        ("((a AND b) AND c)", "all:a AND all:b AND all:c"),
        ("(a OR (b OR c))", "all:a OR all:b OR all:c"),
        ("a and b or c", "(all:a AND all:b) OR all:c"),
        ("a AND NOT b", "all:a ANDNOT all:b"),
        ("a NOT b", "all:a ANDNOT all:b"),
        ('ti:(llm OR "language model") cat:cs.CL', '(ti:llm OR ti:"language model") AND cat:cs.CL'),
        ('"and" "or"', "all:and AND all:or"),
    ],
)
def test_precedence_is_explicit_in_the_normalised_rule(rule: str, grouped: str) -> None:
    assert render(parse(rule)) == grouped


def test_the_tree_keeps_exclusions_apart() -> None:
    node = parse("ti:llm OR abs:serving ANDNOT cat:cs.CV")
    assert isinstance(node, Or)
    second = node.options[1]
    assert isinstance(second, And)
    assert [t.render() for t in terms_of(node)] == ["ti:llm", "abs:serving", "cat:cs.CV"]
    assert [t.render() for t in positive_terms(node)] == ["ti:llm", "abs:serving"]


def test_term_kinds() -> None:
    assert parse("ti:kv") == Term("ti", "word", ("kv",))
    assert parse('ti:"kv cache"') == Term("ti", "phrase", ("kv", "cache"))
    assert parse("ti:kv*") == Term("ti", "prefix", ("kv",))
    assert parse("au:stoica") == Term("au", "name", ("stoica",))
    assert parse("cat:cs.SY") == Term("cat", "category", ("cs.SY",), "c:eess.SY")
    assert parse("cat:cs") == Term("cat", "category", ("cs",), "a:cs")
    assert parse("cat:cmp-lg") == Term("cat", "category", ("cmp-lg",), "c:cs.CL")
    assert parse("venue:OSDI'25") == Term("venue", "venue", ("OSDI",), "25")


@pytest.mark.parametrize(
    ("rule", "position", "reason"),
    [
        ("", 0, "the rule is empty"),
        ("   ", 0, "the rule is empty"),
        ("(llm serving", 0, "this '(' is never closed"),
        ("llm (serving OR (vllm)", 4, "this '(' is never closed"),
        ("llm serving)", 11, "this ')' has no matching '('"),
        (") llm", 0, "this ')' has no matching '('"),
        ("()", 0, "these parentheses hold nothing"),
        ('ti:"kv cache', 3, "this quote is never closed"),
        ('llm "kv', 4, "this quote is never closed"),
        ("title:llm", 0, "unknown field 'title:'; did you mean `ti:`?"),
        ("foo:bar", 0, "unknown field 'foo:'"),
        ("ti:", 3, "'ti:' needs a value"),
        ("llm AND", 4, "'AND' needs a term after it"),
        ("llm OR", 4, "'OR' needs a term after it"),
        ("llm ANDNOT", 4, "'ANDNOT' needs a term after it"),
        ("AND llm", 0, "'AND' needs a term before it"),
        ("OR llm", 0, "'OR' needs a term before it"),
        ("llm AND OR vllm", 8, "'AND' is followed by 'OR'"),
        ("(llm OR) vllm", 5, "'OR' needs a term after it"),
        ("ANDNOT cat:cs.CV", 0, "'ANDNOT' needs something to match before it"),
        ("NOT vision", 0, "'NOT' needs something to match before it"),
        ("llm AND (ANDNOT vision)", 9, "'ANDNOT' needs something to match before it"),
        ("llm OR NOT vision", 7, "'OR NOT' is not supported"),
        ("cat:cs.XY", 4, "unknown arXiv category 'cs.XY'"),
        ("cat:cs.LGG", 4, "did you mean `cs.LG`?"),
        ('cat:"machine learning"', 4, "did you mean `cs.LG`?"),
        ("venue:OSDX", 6, "did you mean `venue:OSDI`?"),
        ("venue:OSDI'2025x", 6, "unknown venue"),
        ("has:data", 4, "'has:' takes one of: code"),
        ("cat:(cs.DC OR cs.LG)", 0, "'cat:(...)' is not supported"),
        ("ser*ving", 0, "'*' marks a prefix at the end of one word"),
        ('"kv* cache"', 0, "not inside quotes"),
        ("s*", 0, "a prefix needs at least 2 letters"),
        ("gpt-4*", 0, "a prefix (*) applies to one word"),
        ("au:i", 3, "an author term needs a name"),
        ('ti:kv"cache"', 3, "a quote must enclose the whole value"),
        ("llm +++", 4, "'+++' holds no letters or digits"),
    ],
)
def test_errors_name_the_position_and_the_reason(rule: str, position: int, reason: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(rule)
    assert caught.value.position == position
    assert reason in caught.value.reason
    assert f"at character {position + 1}" in str(caught.value)


def test_rule_length_is_limited() -> None:
    # The limit holds for the rule written out in full: `x` is shown and stored as `all:x`.
    ok = "x" * (MAX_RULE_CHARS - len("all:"))
    assert render(parse(ok)) == "all:" + ok
    assert len(render(parse(ok))) == MAX_RULE_CHARS
    with pytest.raises(QueryError) as caught:
        parse("x" * MAX_RULE_CHARS)
    assert "this rule has 2,004 characters; a rule may have at most 2,000" in caught.value.reason
    with pytest.raises(QueryError) as caught:
        parse("x" * (MAX_RULE_CHARS + 1))
    assert caught.value.position == MAX_RULE_CHARS
    assert "at most 2,000 characters (this one has 2,001)" in caught.value.reason


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        # accepted before, though their written-out form was over a limit and did not parse
        (" ".join(["ab"] * MAX_TERMS), "has 2,195 characters; a rule may have at most 2,000"),
        ("x" * 1_997, "has 2,001 characters"),
        ("(" + " OR ".join(["cs"] * 160) + ") ANDNOT (" + "ab " * 39 + ")", "has 2,"),
        ("a (b OR c " * 17 + ")" * 17, "this rule nests 33 deep; parentheses may nest at most 32"),
    ],
)
def test_limits_hold_for_the_rule_written_out_in_full(rule: str, reason: str) -> None:
    assert len(rule) <= MAX_RULE_CHARS
    with pytest.raises(QueryError) as caught:
        parse(rule)
    assert "written out in full" in caught.value.reason
    assert reason in caught.value.reason


def test_term_count_is_limited() -> None:
    # Terms with their field, so the rule written out in full stays under the length limit.
    parse(" OR ".join(["ti:llm"] * MAX_TERMS))
    too_many = " ".join(["ti:llm"] * (MAX_TERMS + 1))
    with pytest.raises(QueryError) as caught:
        parse(too_many)
    assert caught.value.position == 7 * MAX_TERMS
    assert "at most 200 terms" in caught.value.reason


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(QueryError, match="nest at most"):
        parse("(" * 900 + "llm" + ")" * 900)


@pytest.mark.parametrize(
    ("rule", "normalised"),
    [
        (r"ti:(.*)+", None),
        ("abs:[a-z]+", 'abs:"a z"'),
        (r"ti:\d", "ti:d"),
        ("ti:^x$", "ti:x"),
        ("(a|b)", 'all:"a b"'),
    ],
)
def test_regex_syntax_is_just_text(rule: str, normalised: str | None) -> None:
    # nothing a user types is compiled into a regular expression: metacharacters are punctuation
    if normalised is None:
        with pytest.raises(QueryError, match="letters or digits"):
            parse(rule)
    else:
        assert render(parse(rule)) == normalised


@pytest.mark.parametrize(
    ("rule", "query", "complete"),
    [
        ("llm serving OR vllm", "(all:llm AND all:serving) OR all:vllm", True),
        ("ti:MoE AND cat:cs.LG", "ti:moe AND cat:cs.LG", True),
        ("au:stoica_i", "au:stoica_i", True),
        ('au:"Ion Stoica"', "au:ion_stoica", True),
        ("cat:cs OR cat:quant-ph", "cat:cs.* OR cat:quant-ph", True),
        ("kv* ANDNOT (a OR b)", "all:kv* ANDNOT (all:a OR all:b)", True),
        ('abs:"kv cache" venue:OSDI', 'abs:"kv cache"', False),
        ("llm ANDNOT (vision has:code)", "all:llm", False),
    ],
)
def test_api_query_fetches_the_candidates(rule: str, query: str, complete: bool) -> None:
    found = api_query(parse(rule))
    assert found.query == query
    assert found.complete is complete
    assert bool(found.note) is not complete


@pytest.mark.parametrize("rule", ["has:code", "venue:OSDI OR llm", "has:code ANDNOT llm"])
def test_api_query_says_when_the_api_cannot_help(rule: str) -> None:
    found = api_query(parse(rule))
    assert found.query is None
    assert "cannot search" in found.note


def _field_word(field: str, word: str) -> str:
    # a bare `and` is the operator; quoted, it is the word
    return f'{field}"{word}"' if word == "and" else field + word


WORDS = st.sampled_from(["llm", "kv", "cache", "serving", "and", "moe", "gpus", "del", "i"])
TERMS = st.one_of(
    st.builds(_field_word, st.sampled_from(["", "ti:", "abs:", "co:", "jr:"]), WORDS),
    st.builds(lambda ws: '"' + " ".join(ws) + '"', st.lists(WORDS, min_size=2, max_size=3)),
    st.sampled_from(["serv*", "ti:kv*", "au:stoica", "au:stoica_i", 'au:"ion stoica"']),
    st.sampled_from(["cat:cs.DC", "cat:cs", "cat:cs.SY", "venue:OSDI'25", "has:code"]),
)


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pair = st.tuples(children, children, st.sampled_from([" AND ", " OR ", " ANDNOT ", " "]))
    return pair.map(lambda p: f"({p[0]}{p[2]}{p[1]})")


RULES = st.recursive(TERMS, _combine, max_leaves=12)


@given(RULES)
@settings(max_examples=300, deadline=None)
def test_the_normalised_rule_means_the_same_rule(rule: str) -> None:
    node = parse(rule)
    again = parse(render(node))
    assert again == node
    assert render(again) == render(node)


# Long rules: up to the term limit, nested past the depth limit, near the length limit.
_OPERATORS = st.sampled_from([" AND ", " OR ", " ANDNOT ", " ", " NOT "])


@st.composite
def _long_rules(draw: st.DrawFn) -> str:
    count = draw(st.one_of(st.integers(1, 20), st.integers(120, MAX_TERMS + 5)))
    terms = draw(st.lists(TERMS, min_size=count, max_size=count))
    rule = terms[0]
    for term in terms[1:]:
        rule += draw(_OPERATORS) + term
        if draw(st.integers(0, 9)) == 0:
            rule = f"({rule})"
        elif draw(st.integers(0, 9)) == 0:
            rule = f"{term} OR ({rule})"
    return rule


@given(_long_rules())
@settings(max_examples=300, deadline=None)
def test_every_accepted_rule_parses_again_from_its_normalised_form(rule: str) -> None:
    try:
        node = parse(rule)
    except QueryError:
        return  # refused as typed: nothing is stored
    written = render(node)
    assert len(written) <= MAX_RULE_CHARS
    again = parse(written)
    assert again == node
    assert render(again) == written
