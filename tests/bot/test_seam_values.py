"""The seam's values: component ids at the platforms' limits, the outbox payload and its old form,
the posting errors, and the renderer helpers every platform uses."""

from __future__ import annotations

import json

import pytest

from bot.messages import review_message
from bot.ports import (
    MAX_COMPONENT_ID,
    ActionEvent,
    Button,
    ChannelRef,
    MessageRef,
    OutboundMessage,
    PaperCard,
    PostError,
    Select,
    SelectOption,
    UserRef,
    component_id,
    parse_component_id,
)
from bot.rich_text import (
    BREAK,
    Bold,
    Break,
    Code,
    Link,
    Piece,
    Plain,
    Pre,
    arxiv_link,
    checked_link,
    code,
    lines,
    safe_url,
    text,
)
from bot.safe_text import cut, defang_urls, fit, strip_controls
from digest.models import Platform
from tests.factories import make_paper

MESSAGE = MessageRef(ChannelRef(Platform.CONSOLE, "w", "c"), "m")
USER = UserRef("u")


def test_component_ids_fit_discord_and_survive_a_round_trip() -> None:
    assert component_id("approve", "12:34") == "pb:approve:12:34"
    assert parse_component_id("pb:approve:12:34") == ("approve", "12:34")
    # The longest values the bot makes: 64-bit ids, an old-style arXiv id.
    widest = component_id("approve", f"{2**63 - 1}:{2**63 - 1}")
    assert len(widest) <= MAX_COMPONENT_ID == 100
    assert parse_component_id(component_id("nominate", "math-ph/0123456")) == (
        "nominate",
        "math-ph/0123456",
    )
    at_limit = "x" * (MAX_COMPONENT_ID - len("pb:more:"))
    assert len(component_id("more", at_limit)) == 100
    with pytest.raises(ValueError, match="longer than 100"):
        component_id("more", at_limit + "x")
    with pytest.raises(ValueError, match="longer than 100"):
        Button("more", at_limit + "x", "Show more")
    for foreign in ("", "pb", "pb:", "other:approve:1", "pb:Approve:1", "pb:approve"):
        assert parse_component_id(foreign) is None
    event = ActionEvent.from_component(MESSAGE, USER, "pb:file:7", choice="3")
    assert event == ActionEvent(MESSAGE, USER, "file", "7", "3")
    assert ActionEvent.from_component(MESSAGE, USER, "someone-else") is None


def test_menus_keep_to_the_platforms_limits() -> None:
    options = tuple(SelectOption(f"Section {i}", str(i)) for i in range(25))
    assert len(Select("file", "1", "Approve into section…", options).options) == 25
    with pytest.raises(ValueError, match="1 to 25 options"):
        Select("file", "1", "p", (*options, SelectOption("one more", "x")))
    with pytest.raises(ValueError, match="distinct"):
        Select("file", "1", "p", (SelectOption("a", "1"), SelectOption("b", "1")))
    with pytest.raises(ValueError, match="at most 100"):
        Select("file", "1", "p", (SelectOption("a", "x" * 101),))


def test_the_review_message_caps_its_menu_and_suggests_first() -> None:
    sections = [(i, f"Section {i}") for i in range(1, 40)]
    review = review_message(make_paper("2606.00001"), 9, 2, [(30, "Section 30", 0.62)], sections)
    assert "Suggested sections: Section 30 (62%)." in review.text
    approve, menu, reject = review.components
    assert approve.id == "pb:approve:9:30"
    assert isinstance(menu, Select) and menu.id == "pb:file:9"
    assert reject.id == "pb:reject:9"
    assert len(menu.options) == 25
    assert (menu.options[0].value, menu.options[0].description) == ("30", "suggested, 62%")
    assert [o.value for o in menu.options[1:3]] == ["1", "2"]
    bare = review_message(make_paper("2606.00001"), 9, 1)
    assert [c.id for c in bare.components] == ["pb:approve:9", "pb:reject:9"]


def test_links_go_only_to_checked_urls() -> None:
    assert safe_url("https://arxiv.org/abs/2406.12345")
    assert safe_url("http://github.com/org/repo")
    for bad in (
        "javascript:alert(1)",
        "https://evil|x",
        "https://evil>x",
        "https://ev il",
        "//evil.example",
        "ftp://files.example",
        "https://",
        "https://evil\x00",
        "",
    ):
        assert not safe_url(bad), bad
    with pytest.raises(ValueError, match="not a URL the bot may link to"):
        Link("x", "javascript:alert(1)")
    assert checked_link("code", "https://evil|x") == Plain("code")
    assert arxiv_link("T", "2406.12345").url == "https://arxiv.org/abs/2406.12345"
    with pytest.raises(ValueError, match="only to checked URLs"):
        PaperCard("2406.12345", "T", (), "https://arxiv.org/abs/2406.12345", code_url="x:y")


def test_the_payload_round_trips_every_piece_and_component() -> None:
    message = OutboundMessage(
        body=text(
            "Plain **not bold** [not](https://a.link) ",
            Bold("bold"),
            BREAK,
            Code("ti:`x`"),
            Pre("rule\n  ^"),
            arxiv_link("A title", "2406.12345"),
        ),
        title="Title",
        cards=(PaperCard("2406.12345", "T", ("A", "B"), "https://arxiv.org/abs/2406.12345"),),
        components=(
            Button("approve", "1:2", "Approve → A", "primary"),
            Select("file", "1", "Approve into…", (SelectOption("A", "2", "suggested"),)),
            Button("reject", "1", "Reject", "danger"),
        ),
        ephemeral=True,
        footer=text("Run ", code("/paper more 2"), "."),
    )
    stored = json.loads(json.dumps(message.to_payload()))
    assert OutboundMessage.from_payload(stored) == message


def test_rows_queued_before_pieces_are_read_as_plain_text_and_keep_their_buttons() -> None:
    # Exactly what the previous version wrote into the outbox (dataclasses.asdict of it).
    old = {
        "text": "**3 new papers** this week.\nSee [x](https://evil.example) `code`",
        "title": "Weekly digest: llm",
        "cards": [
            {
                "arxiv_id": "2606.00001",
                "title": "T",
                "authors": ["A"],
                "url": "https://arxiv.org/abs/2606.00001",
                "categories": ["cs.DC"],
                "venue": None,
                "code_url": "javascript:alert(1)",
                "topic": "llm",
                "terms": ["ti:t"],
                "note": None,
            }
        ],
        "buttons": [
            {"action": "nominate", "value": "2606.00001", "label": "Nominate", "style": "primary"}
        ],
        "ephemeral": False,
        "footer": "Left out: 1 already on the list.",
    }
    message = OutboundMessage.from_payload(old)
    assert message.body == lines(
        "**3 new papers** this week.", "See [x](https://evil.example) `code`"
    )
    assert message.footer == (Plain("Left out: 1 already on the list."),)
    assert message.buttons == (Button("nominate", "2606.00001", "Nominate", "primary"),)
    assert message.cards[0].code_url is None  # never a link to an unchecked URL
    assert message.title == "Weekly digest: llm"
    with pytest.raises(ValueError, match="unknown text piece"):
        OutboundMessage.from_payload({"v": 2, "text": [{"mystery": "x"}]})


def test_posting_errors_say_what_to_do() -> None:
    assert PostError.rate_limited(3.0).kind == "retry"
    assert PostError.unavailable().kind == "retry"
    assert not PostError.unavailable().permanent
    refused = PostError.refused("msg_too_long")
    assert (refused.kind, refused.permanent) == ("refused", True)
    gone = PostError.gone("channel_not_found")
    assert (gone.kind, gone.permanent) == ("gone", True)


def test_controls_are_stripped_and_urls_defanged() -> None:
    hostile = "a\x00b\x1b[31mc\u202ed\u2066e\x85f\u200fg\tz\ufeff"
    assert strip_controls(hostile) == "ab[31mcde fg z"
    assert strip_controls("line\nnext", keep_newlines=True) == "line\nnext"
    assert (
        strip_controls("👨\u200d👩\u200d👧 ⭐\ufe0f") == "👨\u200d👩\u200d👧 ⭐\ufe0f"
    )  # emoji kept
    assert defang_urls("see https://evil.example/x and ftp://y") == (
        "see https[:]//evil.example/x and ftp[:]//y"
    )


@pytest.mark.parametrize(
    ("value", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("exactly ten", 11, "exactly ten"),
        ("Paged attention for serving", 20, "Paged attention…"),
        ("Supercalifragilistic", 10, "Supercali…"),  # one long word: cut inside it
        ("a b", 1, "…"),
        ("", 5, ""),
    ],
)
def test_cut_ends_at_a_word_with_an_ellipsis(value: str, limit: int, expected: str) -> None:
    assert cut(value, limit) == expected
    assert len(cut(value, limit)) <= limit


def test_fit_cuts_the_pieces_to_a_limit_without_breaking_a_link() -> None:
    pieces = text("Read ", arxiv_link("A long title of a paper", "2406.12345"), " now please")
    assert fit(pieces, 100) == pieces
    cut_link = fit(pieces, 14)
    assert cut_link[0] == Plain("Read ")
    assert cut_link[1] == Link("A long…", "https://arxiv.org/abs/2406.12345")
    assert sum(_width(p) for p in cut_link) <= 14
    # Measured as rendered: a renderer that wraps links in 40 characters of syntax.
    wide = fit(pieces, 30, lambda p: _width(p) + (40 if isinstance(p, Link) else 0))
    assert wide == (Plain("Read "), Plain("…"))


def _width(piece: Piece) -> int:
    if isinstance(piece, Link):
        return len(piece.label)
    return 1 if isinstance(piece, Break) else len(piece.text)
