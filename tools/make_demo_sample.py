"""Derive the demo's sample (bot/demo/sample-2026-06-22.jsonl) from ../shared's one-week corpus.

arXiv metadata is CC0; the sample keeps ids, titles, authors, categories, dates and comments, and
drops abstracts. Run from the repository root: `python tools/make_demo_sample.py`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

SOURCE = Path("../shared/data/corpus/one-week-2026-06-22.jsonl")
TARGET = Path("bot/demo/sample-2026-06-22.jsonl")
SIZE = 300
KEEP = ("id", "daily_file_date", "categories", "authors", "title", "comment")
# Papers the demo's topics are about go in first, so its digest has something to show.
RELEVANT = re.compile(r"inference|kv.?cache|mixture.of.experts|\bmoe\b|serving|speculative", re.I)
FIELDS = ("cs.CL", "cs.LG", "cs.AI", "cs.DC")


def main() -> None:
    """Write the sample."""
    rows = [json.loads(line) for line in SOURCE.read_text(encoding="utf-8").splitlines() if line]
    relevant = [r for r in rows if RELEVANT.search(r["title"])]
    others = sorted(
        (r for r in rows if r not in relevant and set(r["categories"]) & set(FIELDS)),
        key=lambda r: r["id"],
    )
    chosen = sorted(relevant + others[: SIZE - len(relevant)], key=lambda r: r["id"])
    with TARGET.open("w", encoding="utf-8") as out:
        for row in chosen:
            out.write(json.dumps({k: row[k] for k in KEEP}, ensure_ascii=False) + "\n")
    print(f"wrote {len(chosen)} papers ({len(relevant)} on the demo topics) to {TARGET}")


if __name__ == "__main__":
    main()
