"""Accuracy of section suggestion on real lists: train on older entries, test on newer ones.

Run: .venv/bin/python benchmarks/section_suggestion.py [--list FILE.md ...] [--depth N]
Reads ../shared/data/lists (and the arXiv corpus there for abstracts, authors and categories);
exits when it is absent. `--list` adds lists kept outside the repository (a held-out list).
Two splits (tests/digest/section_eval.py): `age`, the newest 20% held out, and `year`, trained
on entries up to 2024 and tested on 2025 and later.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the evaluation lives in tests/, beside the test that uses it

from digest.ingest import read_corpus  # noqa: E402
from digest.list_document import ListDocument  # noqa: E402
from digest.list_markdown import read_list  # noqa: E402
from digest.sections import Example, paper_example  # noqa: E402
from tests.digest.section_eval import evaluate  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
LISTS = {
    "awesome-llm": SHARED / "lists" / "Hannibal046_Awesome-LLM" / "README.md",
    "bracket-venue": SHARED / "lists" / "styles" / "bracket-venue-style.md",
    "conference-notes": SHARED / "lists" / "styles" / "conference-notes-style.md",
    "llmsys": SHARED / "lists" / "styles" / "llmsys-style.md",
    "table": SHARED / "lists" / "styles" / "table-style.md",
}
CORPUS = SHARED / "corpus" / "arxiv-cs-2025-03_2026-07.jsonl.gz"


def load_known(wanted: set[str]) -> dict[str, Example]:
    """What the database would know of the wanted papers: those the shared corpus holds."""
    return {p.arxiv_id: paper_example(p) for p in read_corpus(CORPUS) if p.arxiv_id in wanted}


def main() -> int:
    """Print accuracy at 1 and 3 per list and split, beside the largest-sections baseline."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--list", type=Path, action="append", default=[], dest="lists")
    parser.add_argument("--depth", type=int, help="cut sections to their first N levels")
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"{SHARED} is absent: this benchmark needs ../shared/data beside the checkout.")
        return 1
    paths = {**LISTS, **{path.stem: path for path in args.lists}}
    documents: dict[str, ListDocument] = {
        name: read_list(path.read_text(encoding="utf-8")).document for name, path in paths.items()
    }
    ids = {i.arxiv_id for d in documents.values() for i in d.items if i.arxiv_id}
    known = load_known(ids) if CORPUS.exists() else {}
    print(
        f"{'list':18} {'split':5} {'train':>5} {'test':>4} {'sect':>4} {'acc@1':>6} {'acc@3':>6}"
        f" {'base@1':>6} {'base@3':>6} {'unseen':>6} {'known':>5} {'s':>6}"
    )
    for name, document in documents.items():
        for split in ("age", "year"):
            start = time.perf_counter()
            result = evaluate(document, known, split, args.depth)
            if not result.test:
                print(f"{name:18} {split:5} no entry after 2024")
                continue
            print(
                f"{name:18} {split:5} {result.train:5} {result.test:4} {result.sections:4}"
                f" {result.accuracy_at_1:6.2f} {result.accuracy_at_3:6.2f}"
                f" {result.baseline_at_1:6.2f} {result.baseline_at_3:6.2f} {result.unseen:6}"
                f" {result.with_abstract:5} {time.perf_counter() - start:6.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
