"""Accuracy of section suggestion on real lists: train on older entries, test on the newest.

Run: .venv/bin/python benchmarks/section_suggestion.py
Reads ../shared/data/lists (and the arXiv corpus there for abstracts); exits when it is absent.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the evaluation lives in tests/, beside the test that uses it

from digest.ingest import read_corpus  # noqa: E402
from digest.list_markdown import read_list  # noqa: E402
from tests.digest.section_eval import evaluate  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
LISTS = {
    "bracket-venue": SHARED / "lists" / "styles" / "bracket-venue-style.md",
    "awesome-llm": SHARED / "lists" / "Hannibal046_Awesome-LLM" / "README.md",
    "llmsys": SHARED / "lists" / "styles" / "llmsys-style.md",
    "table": SHARED / "lists" / "styles" / "table-style.md",
}
CORPUS = SHARED / "corpus" / "arxiv-cs-2025-03_2026-07.jsonl.gz"


def load_abstracts(wanted: set[str]) -> dict[str, str]:
    """Abstracts of the wanted ids found in the shared corpus."""
    return {p.arxiv_id: p.abstract for p in read_corpus(CORPUS) if p.arxiv_id in wanted}


def main() -> int:
    """Print accuracy at 1 and 3 with and without abstracts, beside the majority baseline."""
    if not SHARED.is_dir():
        print(f"{SHARED} is absent: this benchmark needs ../shared/data beside the checkout.")
        return 1
    documents = {
        name: read_list(path.read_text(encoding="utf-8")).document for name, path in LISTS.items()
    }
    ids = {i.arxiv_id for d in documents.values() for i in d.items if i.arxiv_id}
    abstracts = load_abstracts(ids) if CORPUS.exists() else {}
    header = f"{'list':14} {'text':16} {'train':>5} {'test':>4} {'sect':>4}"
    print(
        header + f" {'acc@1':>6} {'acc@3':>6} {'base@1':>6} {'base@3':>6}"
        f" {'unseen':>6} {'seen@1':>6} {'seen@3':>6} {'abstr':>5} {'s':>5}"
    )
    for name, document in documents.items():
        for label, extra in (("titles", None), ("titles+abstracts", abstracts)):
            start = time.perf_counter()
            result = evaluate(document, extra)
            if extra is not None and not result.with_abstract:
                continue  # the corpus holds none of this list's papers
            took = time.perf_counter() - start
            print(
                f"{name:14} {label:16} {result.train:5} {result.test:4} {result.sections:4}"
                f" {result.accuracy_at_1:6.2f} {result.accuracy_at_3:6.2f}"
                f" {result.baseline_at_1:6.2f} {result.baseline_at_3:6.2f} {result.unseen:6}"
                f" {result.seen_accuracy_at_1:6.2f} {result.seen_accuracy_at_3:6.2f}"
                f" {result.with_abstract:5} {took:5.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
