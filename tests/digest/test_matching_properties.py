"""The compiled matcher agrees with the plain reference evaluator, on random and real data."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.ingest import read_corpus
from digest.matching import Matcher
from digest.models import Author, Paper, Topic
from digest.query import parse
from tests.matching_reference import reference_match
from tests.rule_generator import RuleGenerator

# A small vocabulary so random rules and random papers meet often: plurals, hyphens, a word that
# starts another ("moe", "moelle"), initials, aliases and archives.
VOCAB = [
    "llm", "llms", "serving", "server", "serve", "moe", "moelle", "mixture", "of", "experts",
    "expert", "kv", "cache", "caches", "model", "models", "gpu", "gpus", "the", "process", "gas",
    "schedule", "scheduling", "stoica",
]  # fmt: skip
NAMES = [
    "Ion Stoica", "I. Stoica", "Stoica Ion", "Wei Zhang", "W. Zhang", "Adrian Del Maestro",
    "A. Del Maestro", "Ion Jones", "Stoica Ionescu", "Zoë Müller",
]  # fmt: skip
CATEGORIES = ["cs.DC", "cs.LG", "cs.SY", "eess.SY", "math.MP", "math-ph", "quant-ph", "68T05"]
VENUES = [None, "OSDI'25", "OSDI'24", "NeurIPS", "USENIX Security'24"]

AUTHOR_TERMS = [
    "au:stoica", "au:stoica_i", 'au:"ion stoica"', 'au:"i stoica"', "au:zhang_w", "au:del_maestro",
    'au:"adrian del maestro"', "au:adrian", "au:ion", "au:sto*", 'au:"stoica ion"', "au:muller",
    "au:jones",
]  # fmt: skip
CATEGORY_TERMS = [
    "cat:cs.DC", "cat:cs", "cat:cs.SY", "cat:eess.SY", "cat:eess", "cat:math", "cat:math-ph",
    "cat:math.MP", "cat:quant-ph", "cat:cs.LG",
]  # fmt: skip

word = st.sampled_from(VOCAB)
text_value = st.one_of(
    word,
    st.lists(word, min_size=2, max_size=3).map(lambda ws: '"' + " ".join(ws) + '"'),
    st.sampled_from(["serv*", "mo*", "moel*", "cach*", "gpus*", "sched*", "ll*"]),
)
term = st.one_of(
    st.tuples(st.sampled_from(["", "ti:", "abs:", "co:", "jr:", "all:"]), text_value).map("".join),
    st.sampled_from(AUTHOR_TERMS),
    st.sampled_from(CATEGORY_TERMS),
    st.sampled_from(["venue:OSDI", "venue:OSDI'25", "venue:NeurIPS", "has:code"]),
)


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    operator = st.sampled_from([" AND ", " OR ", " ANDNOT ", " "])
    return st.tuples(children, operator, children).map(lambda p: f"({p[0]}{p[1]}{p[2]})")


rule = st.recursive(term, _combine, max_leaves=8)


def _text(words: list[str], separators: list[str], upper: list[bool]) -> str:
    parts = []
    for i, w in enumerate(words):
        parts.append((w.upper() if upper[i % len(upper)] else w) + separators[i % len(separators)])
    return "".join(parts)


text = st.builds(
    _text,
    st.lists(word, max_size=12),
    st.lists(st.sampled_from([" ", "-", ", ", " "]), min_size=1, max_size=4),
    st.lists(st.booleans(), min_size=1, max_size=4),
)


@st.composite
def paper(draw: st.DrawFn) -> Paper:
    """A random paper from the small vocabulary."""
    return Paper(
        arxiv_id=f"2606.{draw(st.integers(0, 99999)):05d}",
        title=draw(text),
        abstract=draw(text),
        authors=tuple(Author(n) for n in draw(st.lists(st.sampled_from(NAMES), max_size=3))),
        categories=tuple(draw(st.lists(st.sampled_from(CATEGORIES), max_size=3, unique=True))),
        comment=draw(st.none() | text),
        journal_ref=draw(st.none() | text),
        venue=draw(st.sampled_from(VENUES)),
        code_url=draw(st.sampled_from([None, "https://github.com/a/b"])),
    )


def _reference(
    rules: list[str], papers: list[Paper]
) -> set[tuple[str, int, float, tuple[str, ...]]]:
    found = set()
    for paper_ in papers:
        for topic_id, text_ in enumerate(rules):
            result = reference_match(parse(text_), paper_)
            if result is not None:
                found.add((paper_.arxiv_id, topic_id, *result))
    return found


def _compiled(
    rules: list[str], papers: list[Paper]
) -> set[tuple[str, int, float, tuple[str, ...]]]:
    topics = [Topic(id=i, workspace_id=1, name=f"t{i}", rule=r) for i, r in enumerate(rules)]
    matcher = Matcher(topics)
    assert not matcher.rejected
    return {(m.paper_id, m.topic_id, m.score, m.terms) for m in matcher.match(papers)}


@given(st.lists(rule, min_size=1, max_size=10), st.lists(paper(), min_size=1, max_size=5))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_compiled_matcher_agrees_with_the_reference(rules: list[str], papers: list[Paper]) -> None:
    papers = [p for i, p in enumerate(papers) if p.arxiv_id not in {q.arxiv_id for q in papers[:i]}]
    assert _compiled(rules, papers) == _reference(rules, papers)


@pytest.fixture(scope="module")
def real_papers() -> list[Paper]:
    """The 1,090 papers of one real week (skips when ../shared is absent)."""
    from tests.conftest import SHARED, shared_or_skip

    return list(read_corpus(shared_or_skip(SHARED / "corpus" / "one-week-2026-06-22.jsonl")))


@pytest.mark.shared
@pytest.mark.parametrize("seed", [1, 2])
def test_realistic_rules_over_real_papers(real_papers: list[Paper], seed: int) -> None:
    rules = RuleGenerator(real_papers, seed).rules(150)
    sample = real_papers[seed * 100 : seed * 100 + 250]
    compiled = _compiled(rules, sample)
    assert compiled == _reference(rules, sample)
    assert len(compiled) > 100  # the rules are realistic enough to match something
