"""Tokens and match keys."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.text import fold, keys, tokens, word_key


def test_tokens_fold_case_accents_and_split_on_punctuation() -> None:
    assert tokens("Mixture-of-Experts (MoE) für Müller’s GPUs") == [
        "mixture",
        "of",
        "experts",
        "moe",
        "fur",
        "muller",
        "s",
        "gpus",
    ]


def test_fold_normalises_compatibility_forms() -> None:
    assert fold("ﬁne-tuning Ｘ²") == "fine-tuning x2"
    assert tokens("STRASSE Straße") == ["strasse", "strasse"]


def test_underscore_separates_words() -> None:
    assert tokens("del_maestro") == ["del", "maestro"]


@pytest.mark.parametrize(
    ("token", "key"),
    [
        ("models", "model"),
        ("gpus", "gpu"),
        ("llms", "llm"),
        ("moe", "moe"),
        ("gas", "gas"),
        ("process", "process"),
        ("s", "s"),
        ("experts", "expert"),
    ],
)
def test_word_key_drops_one_plural_s(token: str, key: str) -> None:
    assert word_key(token) == key


def test_keys_are_word_keys_of_tokens() -> None:
    assert keys("Serving LLMs on GPUs") == ["serving", "llm", "on", "gpu"]


@given(st.text(alphabet="abcsS12 -_.'éß", max_size=60))
def test_keys_is_word_key_of_every_token(text: str) -> None:
    assert keys(text) == [word_key(token) for token in tokens(text)]


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_ascii_tokens_are_the_unicode_word_tokens(text: str) -> None:
    # the ASCII fast path (bytes.translate, split) against the general one (fold, \w regex)
    assert tokens(text) == re.findall(r"[^\W_]+", fold(text))


@given(st.text(alphabet=st.characters(max_codepoint=0x2FFF), max_size=60))
def test_fold_drops_exactly_the_combining_marks(text: str) -> None:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    assert fold(text) == unicodedata.normalize("NFKC", stripped).casefold()
