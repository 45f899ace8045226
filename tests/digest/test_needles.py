"""The pre-filter of a few topics: fewer papers tokenised, the same matches and scores."""

from __future__ import annotations

from dataclasses import replace

import pytest

from digest.ingest import read_corpus
from digest.matching import Matcher
from digest.models import Paper, Topic
from digest.needles import shortest, starts_token
from digest.query import parse
from tests.factories import make_paper
from tests.matching_reference import reference_match

# The five topics of benchmarks/ingest.py, and rules that can match without text.
RULES = [
    'ti:"LLM serving" OR abs:"KV cache" OR (abs:inference AND abs:throughput)',
    'abs:"mixture of experts" OR ti:MoE',
    "cat:cs.DC OR cat:cs.OS",
    'abs:"reinforcement learning" ANDNOT cat:cs.RO',
    "venue:OSDI OR venue:SOSP OR venue:NSDI OR venue:MLSys OR has:code",
    "cat:cs.DC OR (abs:inference AND abs:throughput)",
    "cat:cs.LG ANDNOT abs:inference",
    "au:stoica OR (abs:serv* AND cat:cs.DC)",
]


def _matcher(rules: list[str]) -> Matcher:
    return Matcher([Topic(id=i, workspace_id=1, name=f"t{i}", rule=r) for i, r in enumerate(rules)])


def _found(rules: list[str], papers: list[Paper]) -> set[tuple[str, int, float, tuple[str, ...]]]:
    return {(m.paper_id, m.topic_id, m.score, m.terms) for m in _matcher(rules).match(papers)}


def _reference(
    rules: list[str], papers: list[Paper]
) -> set[tuple[str, int, float, tuple[str, ...]]]:
    found = set()
    for paper in papers:
        for topic_id, rule in enumerate(rules):
            result = reference_match(parse(rule), paper)
            if result is not None:
                found.add((paper.arxiv_id, topic_id, *result))
    return found


def test_a_word_inside_another_does_not_tokenise_a_paper() -> None:
    matcher = _matcher(["abs:serving"])
    inside = make_paper(title="Privacy", abstract="Privacy-preserving and observing training.")
    starting = make_paper("2606.00002", title="Privacy", abstract="Fast model servings.")
    assert matcher._text(inside).abstract == ()  # the pre-filter itself
    assert matcher._text(starting).abstract != ()
    assert _found(["abs:serving"], [inside, starting]) == {("2606.00002", 0, 1.0, ("abs:serving",))}


def test_an_and_needs_only_its_rarest_part_unless_the_rule_matches_without_text() -> None:
    paper = make_paper(title="Inference", abstract="Inference of graphs.", categories=("cs.DC",))
    assert _found([RULES[5]], [paper]) == {(paper.arxiv_id, 0, 2.0, ("abs:inference", "cat:cs.DC"))}
    assert _found([RULES[6]], [replace(paper, categories=("cs.LG",))]) == set()
    # without a rule that matches without text, "inference" alone does not tokenise it
    assert _matcher([RULES[0]])._text(paper).abstract == ()


def test_needles_and_token_starts() -> None:
    assert shortest({"inference", "inferences", "serving", "preserving"}) == (
        "inference",
        "preserving",
        "serving",
    )
    assert starts_token("preserving serving", "serving")
    assert not starts_token("preserving", "serving")
    assert starts_token("x\nserving", "serving")
    assert not starts_token("a2kv", "kv")


@pytest.mark.shared
def test_few_topics_over_a_real_week_agree_with_the_reference() -> None:
    from tests.conftest import SHARED, shared_or_skip

    papers = list(read_corpus(shared_or_skip(SHARED / "corpus" / "one-week-2026-06-22.jsonl")))
    for rules in (RULES[:5], RULES, RULES[5:]):
        found = _found(rules, papers)
        assert found == _reference(rules, papers)
        assert len(found) > 50
