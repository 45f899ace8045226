"""Venue and code-link detection, and its precision and recall on 200 hand-labelled comments."""

from __future__ import annotations

import pytest

from digest.venues import detect_code_url, detect_venue
from tests.digest.venue_labels import LABELS
from tests.digest.venue_scores import score


@pytest.mark.parametrize(
    ("comment", "venue"),
    [
        ("Accepted at OSDI 2025", "OSDI'25"),
        ("To appear in MLSys'26", "MLSys'26"),
        ("NeurIPS 2025 Spotlight", "NeurIPS'25"),
        ("Proceedings of EuroSys '26", "EuroSys'26"),
        ("12 pages. Accepted by USENIX ATC 2024", "ATC'24"),
        ("Accepted to ACL 2025 (Findings). Camera-ready version", "ACL'25 Findings"),
        ("Accepted in CVPR 2025 Embodied AI Workshop", "CVPR'25 Workshop"),
        ("TrustNLP Workshop @ NAACL 2025", "NAACL'25 Workshop"),
        ("Accepted by CVPR26", "CVPR'26"),
        ("Accepted at IEEE-TCSVT", "TCSVT"),
        (
            "Accepted to the 2025 Conference on Empirical Methods in Natural Language Processing",
            "EMNLP'25",
        ),
        ("accepted at IRICT 2025", "IRICT'25"),
        ("Accepted at the 38th Conference (CAiSE 2026)", "CAiSE'26"),
        ("Accepted to NIPS 2017", "NeurIPS'17"),
    ],
)
def test_venues_in_the_lists_notation(comment: str, venue: str) -> None:
    assert detect_venue(comment) == venue


@pytest.mark.parametrize(
    "comment",
    [
        "Submitted to ICLR 2026",
        "Under review at NeurIPS 2025",
        "16 pages, 5 figures, 4 tables. Under review as a conference paper at ICLR 2026",
        "This paper uses the AAAI 2025 LaTeX style. It is not a submission to AAAI",
        "12 pages, 3 figures",
        "Code at https://github.com/a/b",
        "Results on 2025 data from the EC",
        None,
        "",
    ],
)
def test_no_venue(comment: str | None) -> None:
    assert detect_venue(comment) is None


def test_journal_ref_comes_before_the_comment() -> None:
    assert detect_venue("Submitted to SOSP", "Proceedings of OSDI '24, pp. 1-17") == "OSDI'24"
    assert detect_venue("Accepted at SOSP 2023", "") == "SOSP'23"


def test_code_links() -> None:
    assert detect_code_url("Code: https://github.com/vllm-project/vllm.") == (
        "https://github.com/vllm-project/vllm"
    )
    assert detect_code_url(None, "see https://gitlab.com/grp/tool for it") == (
        "https://gitlab.com/grp/tool"
    )
    assert detect_code_url("Project page: https://x.github.io/y/", "https://github.com/") is None


def test_precision_and_recall_on_hand_labelled_comments() -> None:
    every = score((comment, label) for _, comment, label in LABELS)
    held_out = score((comment, label) for _, comment, label in LABELS[100:])
    print(f"\nvenue detection on {len(LABELS)} labelled comments: {every}")
    print(f"held-out half: {held_out}")
    assert len(LABELS) == 200
    assert sum(label is not None for _, _, label in LABELS) >= 100
    assert every.precision >= 0.9 and every.recall >= 0.85
    assert held_out.precision >= 0.85 and held_out.recall >= 0.8
