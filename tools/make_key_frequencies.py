"""Derive digest/data/key_frequencies.json: how often the commonest match keys occur in papers.

The matcher indexes each rule under its rarest required term; this table is how it knows that
`model` is common and `speculative` is not. Document frequencies come from the corpus in
../shared/data/corpus; only keys in at least MIN_SHARE of the papers are kept (the matcher treats
every other key as rare). Run from the repository root:

    .venv/bin/python tools/make_key_frequencies.py [path/to/corpus.jsonl.gz]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest.ingest import read_corpus  # noqa: E402
from digest.models import Paper  # noqa: E402
from digest.paper_text import PaperText  # noqa: E402
from digest.text import word_key  # noqa: E402

SOURCE = ROOT.parent / "shared" / "data" / "corpus" / "arxiv-cs-2025-03_2026-07.jsonl.gz"
TARGET = ROOT / "digest" / "data" / "key_frequencies.json"
MIN_SHARE = 0.005


def lookup_keys(paper: Paper) -> set[str]:
    """The keys the matcher can find a paper under, as its cover costs name them."""
    text = PaperText(paper)  # the matcher's own reading of a paper, so the two cannot drift
    found = {word_key(token) for token in text.parts}
    found.update(text.categories)
    if text.venue:
        found.add("v:" + text.venue)
    if text.has_code:
        found.add("h:code")
    return found


def main() -> int:
    """Count document frequencies and write the table."""
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    if not source.is_file():
        print(f"{source} is absent; pass the path of a corpus dump", file=sys.stderr)
        return 1
    counts: Counter[str] = Counter()
    papers = 0
    for paper in read_corpus(source):
        papers += 1
        counts.update(lookup_keys(paper))
    shares = {
        key: round(count / papers, 4)
        for key, count in counts.most_common()
        if count / papers >= MIN_SHARE
    }
    table = {"papers": papers, "min_share": MIN_SHARE, "share": shares}
    TARGET.write_text(json.dumps(table, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {TARGET}: {len(shares)} keys from {papers} papers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
