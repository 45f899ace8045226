"""The compiled matcher: token semantics, fields, authors, categories, scores and candidates."""

from __future__ import annotations

from dataclasses import replace

import pytest

from digest.matching import Matcher
from digest.models import Match, Paper, Topic
from tests.factories import make_paper


def topic(rule: str, topic_id: int = 1, workspace_id: int = 1) -> Topic:
    """A topic with this rule."""
    return Topic(id=topic_id, workspace_id=workspace_id, name=f"t{topic_id}", rule=rule)


def matches(rule: str, paper: Paper) -> bool:
    """Whether one rule matches one paper."""
    return bool(Matcher([topic(rule)]).match([paper]))


def only(rule: str, paper: Paper) -> Match:
    """The one match of one rule on one paper."""
    [found] = Matcher([topic(rule)]).match([paper])
    return found


MOE = make_paper(title="Routing in Sparse MoE Layers", abstract="Experts are routed.")
MOELLE = make_paper(title="The Moelle Dataset", abstract="A corpus.")
HYPHEN = make_paper(title="Scaling Mixture-of-Experts Inference", abstract="Fast.")


@pytest.mark.parametrize(
    ("rule", "paper", "expected"),
    [
        ("MoE", MOE, True),
        ("MoE", MOELLE, False),
        ("moe", MOE, True),
        ("ti:MOE", MOE, True),
        ('"mixture of experts"', HYPHEN, True),
        ('"mixture-of-experts"', HYPHEN, True),
        ("mixture-of-experts", HYPHEN, True),
        ('"experts of mixture"', HYPHEN, False),
        ("serv*", make_paper(title="A Server", abstract=""), True),
        ("serv*", make_paper(title="Serving", abstract=""), True),
        ("serv*", make_paper(title="Observing", abstract="preserve"), False),
        # a prefix is used as typed: its final `s` is no plural to drop
        ("ti:fores*", make_paper(title="Random Forests", abstract=""), True),
        ("ti:fores*", make_paper(title="Foresight", abstract=""), True),
        ("ti:fores*", make_paper(title="Forecasting Demand", abstract=""), False),
        ("ti:paras*", make_paper(title="Parasitic Capacitance", abstract=""), True),
        ("ti:paras*", make_paper(title="Parallel Decoding", abstract=""), False),
        ("ti:model", make_paper(title="Language Models", abstract=""), True),
        ("ti:models", make_paper(title="One Language Model", abstract=""), True),
        ("ti:GPUs", make_paper(title="On the GPU", abstract=""), True),
        ("ti:muller", make_paper(title="Müller's Method", abstract=""), True),
        ("ti:kv", make_paper(title="KV-cache", abstract=""), True),
        ("ti:kv", make_paper(title="Kvass", abstract=""), False),
    ],
)
def test_token_semantics(rule: str, paper: Paper, expected: bool) -> None:
    assert matches(rule, paper) is expected


PAPER = make_paper(
    title="Fast LLM Serving",
    abstract="We schedule requests on GPUs.",
    authors=("Ion Stoica", "A. Del Maestro", "Wei Zhang"),
    categories=("cs.DC", "cs.SY"),
    comment="Accepted at OSDI 2025; code at https://github.com/x/y",
    venue="OSDI'25",
)
PAPER = replace(PAPER, code_url="https://github.com/x/y", journal_ref="Proc. OSDI 2025, pp. 1-14")


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("ti:serving", True),
        ("abs:serving", False),
        ("abs:requests", True),
        ("ti:requests", False),
        ("co:accepted", True),
        ("ti:accepted", False),
        ("jr:proc", True),
        ("all:proc", True),
        ("stoica", True),  # all: includes the authors
        ("au:stoica", True),
        ("au:ion", True),
        ("au:Stoica_I", True),
        ('au:"I. Stoica"', True),
        ('au:"Ion Stoica"', True),
        ('au:"Stoica, Ion"', True),
        ("au:stoica_j", False),
        ('au:"ion zhang"', False),  # two authors' names are not one name
        ("au:del_maestro", True),
        ('au:"Adrian Del Maestro"', True),  # the paper gives only the initial
        ("au:adrian", False),  # ... which a lone first name does not match
        ("au:sto*", True),
        ("au:serving", False),
        ("cat:cs.DC", True),
        ("cat:cs.dc", True),
        ("cat:cs", True),
        ("cat:cs.*", True),
        ("cat:eess.SY", True),  # listed as cs.SY, its alias
        ("cat:eess", True),
        ("cat:cs.LG", False),
        ("cat:math", False),
        ("venue:OSDI", True),
        ("venue:osdi'25", True),
        ("venue:OSDI'24", False),
        ("venue:SOSP", False),
        ("has:code", True),
        ("serving ANDNOT cat:cs.LG", True),
        ("serving ANDNOT cat:cs.DC", False),
        ("nothing OR cat:cs.DC", True),
        ("(nothing OR serving) AND (cat:cs.LG OR has:code)", True),
        ("serving AND NOT (gpus OR tpus)", False),
    ],
)
def test_fields_and_values(rule: str, expected: bool) -> None:
    assert matches(rule, PAPER) is expected


def test_title_hits_weigh_more_than_abstract_hits() -> None:
    in_title = make_paper("2606.00001", title="KV Cache Eviction", abstract="We study memory.")
    in_abstract = make_paper("2606.00002", title="Memory Study", abstract="We evict KV cache.")
    in_both = make_paper("2606.00003", title="KV Cache", abstract="The KV cache again.")
    found = {
        m.paper_id: m.score
        for m in Matcher([topic('"kv cache"')]).match([in_title, in_abstract, in_both])
    }
    assert found == {"2606.00001": 3.0, "2606.00002": 1.0, "2606.00003": 4.0}


def test_matched_terms_are_the_positive_terms_found() -> None:
    found = only("(ti:serving OR ti:training) AND cat:cs.DC ANDNOT cat:cs.CV", PAPER)
    assert found.terms == ("cat:cs.DC", "ti:serving")
    assert found.score == 4.0
    # a term that occurs in an alternative counts even when another alternative decided it
    found = only("(serving AND missing) OR gpus", PAPER)
    assert found.terms == ("all:gpus", "all:serving")


def test_topics_sharing_a_rule_are_all_reported() -> None:
    matcher = Matcher(
        [topic("ti:serving", 1, 1), topic("TI:Serving", 2, 2), topic("cat:cs.LG", 3, 2)]
    )
    assert matcher.rule_count == 2
    assert sorted(m.topic_id for m in matcher.match([PAPER])) == [1, 2]


def test_a_topic_whose_rule_no_longer_parses_is_skipped_not_fatal() -> None:
    matcher = Matcher([topic("cat:cs.NOPE", 1), topic("ti:serving", 2)])
    assert [t.id for t, _ in matcher.rejected] == [1]
    assert [m.topic_id for m in matcher.match([PAPER])] == [2]


def test_no_topics_match_nothing() -> None:
    assert Matcher([]).match([PAPER]) == []


@pytest.mark.parametrize(
    "rule",
    [
        "cat:cs.DC",  # matches on a category alone
        "(nothing OR other) OR has:code",  # positive terms only under OR
        "nothing OR venue:OSDI",
        "cat:cs AND (zzz OR sched*)",  # a prefix inside an AND
        "sched* ANDNOT zzz",
        "sch* OR schedul*",  # prefixes of different lengths
        "au:stoica_i ANDNOT au:zhang_q",
        '"fast llm" ANDNOT "slow llm"',
        "(cat:math OR cat:eess.SY) AND gpus",
    ],
)
def test_rules_that_the_index_must_not_miss(rule: str) -> None:
    # many other rules in the same matcher make the index choose covers; none may hide a match
    others = [topic(f"ti:filler{i} OR abs:other{i}*", 100 + i) for i in range(50)]
    matcher = Matcher([*others, topic(rule, 1)])
    assert [m.topic_id for m in matcher.match([PAPER])] == [1]


def test_a_full_token_memo_is_cleared_and_rebuilt() -> None:
    rules = [topic("serv* OR sched*", 1), topic("ti:fast", 2)]
    small = Matcher(rules, memo_limit=3)
    roomy = Matcher(rules)
    papers = [PAPER, MOE, HYPHEN, make_paper("2606.00009", title="Scheduling servers fast")] * 3
    assert small.match(papers) == roomy.match(papers)
    assert len(small._postings) <= 3


def test_without_frequency_data_rules_still_match() -> None:
    # the frequency table only guides which key a rule is indexed under
    rules = [topic("(cat:cs.DC AND fast) OR au:stoica_i", 1), topic('"llm serving" gpus', 2)]
    found = Matcher(rules, shares={}).match([PAPER])
    assert [m.topic_id for m in found] == [1, 2]
    assert found == Matcher(rules).match([PAPER])


def test_the_frequency_table_counts_the_keys_papers_are_looked_up_by() -> None:
    from tools.make_key_frequencies import lookup_keys

    found = lookup_keys(PAPER)
    # text and author tokens as match keys (plural s dropped), category and archive keys,
    # venue and code: the names _Covers.share looks shares up by
    assert {"serving", "request", "gpu", "stoica", "maestro", "proc", "accepted"} <= found
    assert {"c:cs.DC", "c:eess.SY", "a:cs", "a:eess", "v:osdi", "h:code"} <= found
    assert "requests" not in found


def test_a_phrase_is_found_through_the_papers_holding_its_rarer_words() -> None:
    # With no word frequencies known, every word is rare: "paged cache" is looked up by "paged"
    # and narrowed by "cache" in either of its forms (cache, caches) before the word order is
    # read; the papers left out must be exactly those without the phrase.
    papers = [
        make_paper(arxiv_id="2606.00001", title="A paged cache", abstract="x"),
        make_paper(arxiv_id="2606.00002", title="Paged caches", abstract="x"),
        make_paper(arxiv_id="2606.00003", title="Paged memory", abstract="a KV store"),
        make_paper(arxiv_id="2606.00004", title="Cache of paged KV", abstract="x"),
        make_paper(arxiv_id="2606.00005", title="Paged", abstract="cache"),
    ]
    matcher = Matcher([topic('"paged cache"'), topic('ti:"paged cache"', 2)], shares={})
    narrowing = [term.narrow for term in matcher._terms if term.kind == "phrase"]
    assert narrowing == [(("cache", "caches"),)] * 2
    found = {(m.paper_id, m.topic_id) for m in matcher.match(papers)}
    assert found == {("2606.00001", 1), ("2606.00002", 1), ("2606.00001", 2), ("2606.00002", 2)}
