"""Realistic topic rules drawn from real papers, for the property tests and the benchmark.

Words and two-word phrases come from the papers' titles and abstracts (so rules hit), categories
from their category lists, authors from their author lists; structures mix the shapes research
groups write: a phrase in a category, alternatives with an exclusion, an author, a prefix, a
category alone, a venue or has:code with a term.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from digest import taxonomy
from digest.matching import key_shares
from digest.models import Paper
from digest.text import tokens, word_key

STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "that",
        "the",
        "their",
        "these",
        "this",
        "to",
        "we",
        "which",
        "with",
        "while",
        "via",
        "not",
        "can",
        "than",
        "using",
        "based",
        "new",
        "andnot",
    ]
)
# Rules name what a topic is about; words in more than 1% of papers ("model", "present") make
# topics nobody would subscribe to, so words and prefix starts above that share are skipped.
MAX_SHARE = 0.01
VENUES = ("OSDI", "NeurIPS", "ICML", "ICLR", "CVPR", "ACL", "EMNLP", "SOSP", "MLSys", "AAAI")


class RuleGenerator:
    """Makes rule texts from a sample of papers, reproducibly from a seed."""

    def __init__(self, papers: Sequence[Paper], seed: int = 0) -> None:
        self.random = random.Random(seed)
        self.papers = list(papers)
        self.categories = sorted(
            {c for p in self.papers for c in p.categories if _valid_category(c)}
        )

    def _paper(self) -> Paper:
        return self.random.choice(self.papers)

    def word(self) -> str:
        """A content word of some paper's title or abstract."""
        for _ in range(50):
            paper = self._paper()
            words = [w for w in tokens(paper.title + " " + paper.abstract) if _content(w)]
            if words:
                return self.random.choice(words)
        return "speculative"

    def phrase(self) -> str:
        """Two or three words in a row from some paper's title or abstract, quoted."""
        for _ in range(100):
            paper = self._paper()
            words = tokens(self.random.choice((paper.title, paper.abstract)))
            n = self.random.choice((2, 2, 3))
            if len(words) <= n:
                continue
            start = self.random.randrange(len(words) - n)
            chunk = words[start : start + n]
            if _content(chunk[0]) and _content(chunk[-1]) and _rare(chunk):
                return '"' + " ".join(chunk) + '"'
        return self.word()

    def prefix(self) -> str:
        """The start of a content word, with a star; now and then one ending in `s` (`paras*`)."""
        for _ in range(50):
            word = self.word()
            if len(word) < 6:
                continue
            ends = [i for i in range(5, len(word)) if word[i - 1] == "s"]
            if ends and self.random.random() < 0.3:
                start = word[: self.random.choice(ends)]  # a prefix whose `s` is no plural
            else:
                start = word[: self.random.randint(5, len(word) - 1)]
            if _prefix_share(start) <= MAX_SHARE:
                return start + "*"
        return "speculat*"

    def author(self) -> str:
        """A surname, a full name, or arXiv's Surname_Initial form (full names for common ones)."""
        for _ in range(100):
            names = self._paper().author_names
            if not names:
                continue
            parts = tokens(self.random.choice(names))
            if len(parts) < 2 or len(parts[-1]) < 2:
                continue
            # au:wang alone is no topic anyone follows; people with common names go by full name
            common = key_shares().get(word_key(parts[-1]), 0.0) > MAX_SHARE / 4
            form = self.random.random()
            if form < 0.5 and not common:
                return f"au:{parts[-1]}"
            if form < 0.8 or common:
                return 'au:"' + " ".join(parts) + '"'
            return f"au:{parts[-1]}_{parts[0][0]}"
        return 'au:"ion stoica"'

    def category(self) -> str:
        """A category some paper lists, now and then a whole archive."""
        if self.random.random() < 0.03:
            return "cat:" + self.random.choice(("cs", "math", "stat", "eess"))
        return "cat:" + self.random.choice(self.categories)

    def text_term(self) -> str:
        """A word, phrase or prefix, in title, abstract or anywhere."""
        field = self.random.choice(("", "", "ti:", "abs:", "abs:"))
        kind = self.random.random()
        if kind < 0.45:
            return field + self.word()
        if kind < 0.9:
            return field + self.phrase()
        return field + self.prefix()

    def alternatives(self) -> str:
        """Two to four text terms joined by OR, in parentheses."""
        count = self.random.randint(2, 4)
        return "(" + " OR ".join(self.text_term() for _ in range(count)) + ")"

    def rule(self) -> str:
        """One rule in one of the usual shapes."""
        shape = self.random.random()
        if shape < 0.25:
            rule = f"{self.text_term()} AND {self.category()}"
        elif shape < 0.5:
            rule = self.alternatives()
        elif shape < 0.62:
            rule = f"{self.alternatives()} AND {self.category()}"
        elif shape < 0.72:
            rule = self.author()
        elif shape < 0.80:
            rule = f"{self.text_term()} {self.text_term()}"
        elif shape < 0.86:
            rule = f"({self.category()} OR {self.category()}) AND {self.text_term()}"
        elif shape < 0.90:
            rule = f"{self.author()} OR {self.author()}"
        elif shape < 0.93:
            venue = self.random.choice(VENUES)
            rule = f"venue:{venue} AND {self.text_term()}"
        elif shape < 0.96:
            rule = f"has:code AND {self.text_term()}"
        elif shape < 0.97:
            rule = self.category()
        else:
            rule = self.text_term()
        if self.random.random() < 0.3:
            rule += f" ANDNOT {self.random.choice((self.text_term(), self.category()))}"
        return rule

    def rules(self, count: int) -> list[str]:
        """`count` rules."""
        return [self.rule() for _ in range(count)]


def _content(word: str) -> bool:
    return (
        len(word) >= 3
        and word not in STOP
        and not word.isdigit()
        and key_shares().get(word_key(word), 0.0) <= MAX_SHARE
    )


def _rare(words: list[str]) -> bool:
    """A phrase some of whose words are not common (a run of common words is no topic)."""
    return min(key_shares().get(word_key(w), 0.0) for w in words) <= MAX_SHARE / 4


def _prefix_share(start: str) -> float:
    return sum(share for k, share in key_shares().items() if k.startswith(start))


def _valid_category(category: str) -> bool:
    try:
        taxonomy.resolve(category)
    except taxonomy.UnknownCategory:
        return False
    return True
