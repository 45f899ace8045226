"""Reading Markdown lists: each style's lines, sections, venues, notes, problems, duplicates."""

# ruff: noqa: E501 (list lines are as long as real lists write them)

from __future__ import annotations

from textwrap import dedent

from digest.list_markdown import detect_style, read_list
from digest.list_venues import parse_venue_tag

LLMSYS = dedent(
    """\
    # Awesome Systems

    Some introduction that is not an entry.

    ## LLM Systems
    ### Serving
    - [Orca](https://www.usenix.org/conference/osdi22/presentation/yu): A Distributed Serving System | OSDI 22
    - [vLLM](https://arxiv.org/pdf/2309.06180v1.pdf): Easy, Fast, and Cheap LLM Serving | SOSP' 23
    - [Oobleck:](https://arxiv.org/abs/2309.08125) Resilient Distributed Training | PKU
    - [TinyZero](https://github.com/Jiayi-Pan/TinyZero) - Clean, minimal reproduction
    """
)

BRACKET = dedent(
    """\
    # Paper List

    ## Table of Contents
    <!-- TOC -->
    - [Paper List](#paper-list)
      - [Training System](#training-system)
    <!-- /TOC -->

    ## Training System
    ### Resource scheduling
    **General**
    - [arxiv'25] [Tesserae: Scalable Placement Policies](https://arxiv.org/abs/2508.04953)
    - [OSDI'22] Looking Beyond GPUs for DNN Scheduling (`Synergy`)
    - [SoCC'23] [tf.data service: A Case for Disaggregating](https://anakli.inf.ethz.ch/tfdata.pdf)
      - [arxiv version](https://arxiv.org/abs/2210.14826)
    - [Survey :mag:] [ACM CSUR'23] [Deep Learning Workload Scheduling: A Survey](https://dl.acm.org/doi/10.1145/3638757)

    **Old**
    - [RecSys'23] [InTune: Reinforcement Learning-based Data Pipeline
    ](https://arxiv.org/abs/2308.08500v2)
    - [arXiv'19] [Faster Neural Network Training with Data Echoing](https://arxiv.org/pdf/1907.05550.pdf)
    """
)

CONFERENCE = dedent(
    """\
    # awesome-papers

    <!--
    [Examples] * (NIPS'17) Attention Is All You Need [link](https://arxiv.org/abs/1706.03762)
    -->

    ---
    ## [NSDI 2024](https://www.usenix.org/conference/nsdi24)
    * (NSDI'24) MegaScale: Scaling LLM Training [link](https://arxiv.org/abs/2402.15627) [Training|Bytedance]
    * Swing: Short-cutting Rings for Higher Bandwidth Allreduce
    #### LLM - serving
    * (MLSys'24) SLoRA: Scalable Serving [paper](https://arxiv.org/abs/2311.03285) [code](https://github.com/S-LoRA/S-LoRA) [**Serving** | Stanford]
    * VIDUR: A Simulation Framework [-]() [**Inference**]
    """
)

TABLE = dedent(
    """\
    # LLM Papers

    ## Basic Architectures

    | Title                    | Link                                        |
    | ------------------------ | ------------------------------------------- |
    | Transformer: Attention Is All You Need | [[paper]](http://arxiv.org/abs/1706.03762) |
    | GPT2: Language Models are Unsupervised | [[paper]](https://cdn.openai.com/gpt2.pdf) |
    """
)


def test_llmsys_lines_give_titles_subtitles_venues_and_notes() -> None:
    read = read_list(LLMSYS)
    assert read.style == "llmsys"
    assert read.document.title == "Awesome Systems"
    [section] = read.document.sections[1:]
    assert section.path == ("LLM Systems", "Serving")
    orca, vllm, oobleck, tiny = section.items
    assert (orca.title, orca.arxiv_id, orca.venue) == (
        "Orca: A Distributed Serving System",
        None,
        "OSDI'22",
    )
    assert orca.url == "https://www.usenix.org/conference/osdi22/presentation/yu"
    assert (vllm.arxiv_id, vllm.url, vllm.venue) == ("2309.06180", None, "SOSP'23")
    assert (oobleck.title, oobleck.note) == ("Oobleck: Resilient Distributed Training", "PKU")
    assert (tiny.title, tiny.note) == ("TinyZero", "Clean, minimal reproduction")
    assert read.problems == ()


def test_bracket_venue_subgroups_child_links_multiline_and_implied_arxiv() -> None:
    read = read_list(BRACKET)
    assert read.style == "bracket-venue"
    paths = [s.path for s in read.document.sections]
    assert paths == [
        ("Training System",),
        ("Training System", "Resource scheduling"),
        ("Training System", "Resource scheduling", "General"),
        ("Training System", "Resource scheduling", "Old"),
    ]
    general, old = read.document.sections[2].items, read.document.sections[3].items
    tesserae, synergy, tfdata, survey = general
    assert (tesserae.arxiv_id, tesserae.venue) == ("2508.04953", None)  # arxiv'25 is the id's year
    assert (synergy.title, synergy.venue, synergy.note) == (
        "Looking Beyond GPUs for DNN Scheduling",
        "OSDI'22",
        "(`Synergy`)",
    )
    assert tfdata.arxiv_id == "2210.14826"
    assert tfdata.url == "https://anakli.inf.ethz.ch/tfdata.pdf"
    assert (survey.venue, survey.note) == ("ACM CSUR'23", "Survey :mag:")
    intune, echo = old
    assert (intune.title, intune.arxiv_id, intune.line) == (
        "InTune: Reinforcement Learning-based Data Pipeline",
        "2308.08500",
        19,
    )
    assert (echo.arxiv_id, echo.venue) == ("1907.05550", None)


def test_conference_notes_take_the_venue_from_the_conference_heading() -> None:
    read = read_list(CONFERENCE)
    assert read.style == "conference-notes"
    top, serving = read.document.sections
    assert top.path == ("NSDI 2024",)
    assert serving.path == ("NSDI 2024", "LLM - serving")
    megascale, swing = top.items
    assert (megascale.arxiv_id, megascale.venue, megascale.note) == (
        "2402.15627",
        "NSDI'24",
        "Training|Bytedance",
    )
    assert (swing.title, swing.venue, swing.arxiv_id, swing.url) == (
        "Swing: Short-cutting Rings for Higher Bandwidth Allreduce",
        "NSDI'24",
        None,
        None,
    )
    slora, vidur = serving.items
    assert slora.venue == "MLSys'24"
    assert slora.links == (("code", "https://github.com/S-LoRA/S-LoRA"),)
    assert slora.note == "Serving | Stanford"
    assert (vidur.url, vidur.note) == (None, "Inference")
    assert all("Attention Is All" not in i.title for i in read.document.items)  # a comment


def test_table_rows_with_arxiv_and_external_links() -> None:
    read = read_list(TABLE)
    assert read.style == "table"
    transformer, gpt2 = read.document.sections[0].items
    assert (transformer.title, transformer.arxiv_id) == (
        "Transformer: Attention Is All You Need",
        "1706.03762",
    )
    assert (gpt2.arxiv_id, gpt2.url) == (None, "https://cdn.openai.com/gpt2.pdf")


def test_unreadable_entries_are_reported_with_their_line_numbers() -> None:
    text = dedent(
        """\
        # List
        ## Section
        - [Good paper](https://arxiv.org/abs/2401.00001)
        - [](https://arxiv.org/abs/2401.00002)
        - [Broken id](https://arxiv.org/abs/not-an-id)
        - [Nested]([https://arxiv.org/abs/2401.00003](https://arxiv.org/abs/2401.00004))
        - [ ]()
        | Title | Link |
        | --- | --- |
        |  | [[paper]](https://arxiv.org/abs/2401.00005) |
        """
    )
    read = read_list(text, "llmsys")
    assert [(p.line, p.reason.split(":")[0]) for p in read.problems] == [
        (4, "no title"),
        (5, "arXiv link without a readable id"),
        (6, "malformed link target"),
        (7, "no title"),
        (10, "table row"),
    ]
    titles = [i.title for i in read.document.items]
    # Readable-but-suspect entries are kept (and reported); only empty ones are left out.
    assert titles == ["Good paper", "Broken id", "Nested"]
    assert read.document.items[2].arxiv_id == "2401.00004"


def test_duplicates_by_id_in_two_forms_and_by_near_identical_titles() -> None:
    text = dedent(
        """\
        # List
        ## A
        - [vLLM: PagedAttention](https://arxiv.org/abs/2309.06180)
        - [Llama 2: Open Foundation Models](https://example.org/llama2)
        ## B
        - [vLLM](https://arxiv.org/pdf/2309.06180v2.pdf)
        - [Llama 3: Open Foundation Models](https://example.org/llama3)
        - [Efficient Memory Management for LLM Serving.](https://example.org/a)
        - [Efficient memory management for LLM serving](https://example.org/b)
        """
    )
    duplicates = read_list(text).duplicates
    assert [(d.reason.split(" ")[0], d.lines) for d in duplicates] == [
        ("arXiv", (3, 6)),
        ("same", (8, 9)),
    ]


def test_venue_tags_in_each_notation() -> None:
    cases = {
        "OSDI'24": "OSDI'24",
        "SOSP' 23": "SOSP'23",
        "ICML 24": "ICML'24",
        "SIGCOMM 2024": "SIGCOMM'24",
        "arxiv, 2022": "arXiv'22",
        "mlsys'24": "MLSys'24",
        "ACM CSUR'23": "ACM CSUR'23",
        "ICML": "ICML",
        "MIT": None,
        "Google, UCB": None,
        "2023-02": None,
        "to be updated": None,
    }
    assert {text: parse_venue_tag(text) for text in cases} == cases


def test_style_detection() -> None:
    assert [detect_style(t) for t in (LLMSYS, BRACKET, CONFERENCE, TABLE)] == [
        "llmsys",
        "bracket-venue",
        "conference-notes",
        "table",
    ]
