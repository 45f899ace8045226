"""Chat handlers for the list: review messages with suggested sections, approval buttons,
decision messages to nominators, and the admin commands that change the list."""

from __future__ import annotations

import re

from bot import messages
from bot.handlers import Handlers
from bot.ports import (
    ActionEvent,
    Button,
    ChannelRef,
    Invocation,
    MessageRef,
    OutboundMessage,
    Select,
    UserRef,
)
from bot.rich_text import bold, text
from digest.clock import FixedClock
from digest.list_import import import_list
from digest.list_markdown import read_list
from digest.models import Platform
from storage.store import SqlStore
from tests.factories import make_paper

CHANNEL = ChannelRef(Platform.CONSOLE, "lab", "papers", workspace_name="Lab")
ADA = UserRef("ada", "Ada")
BO = UserRef("bo", "Bo")
ADMIN = UserRef("root", "Root", platform_admin=True)
LIST = """# Lab list
## Inference
### Serving
- [Orca](https://example.org/orca): Iteration-level scheduling for serving LLM inference
- [vLLM](https://arxiv.org/abs/2309.06180): Paged KV cache memory for LLM serving
- [DistServe](https://arxiv.org/abs/2401.09670): Disaggregated prefill and decoding for serving
## Training
- [ZeRO](https://arxiv.org/abs/1910.02054): Memory optimizations for data parallel training
- [GPipe](https://arxiv.org/abs/1811.06965): Pipeline parallel training of giant models
- [Megatron-LM](https://arxiv.org/abs/1909.08053): Tensor parallel training of language models
## Scheduling
- [Gandiva](https://example.org/gandiva): GPU cluster scheduling for deep learning jobs
- [Tiresias](https://example.org/tiresias): A GPU cluster manager scheduling training jobs
"""
NEW = make_paper(
    "2606.00001",
    title="Serving LLMs Faster with a Paged KV Cache",
    abstract="We make LLM serving faster by paging the KV cache memory.",
)


async def _handlers(store: SqlStore, clock: FixedClock) -> Handlers:
    async with store.unit() as unit:
        workspace = await unit.workspaces.get_or_create(Platform.CONSOLE, "lab", "Lab")
        await import_list(unit, workspace.id, read_list(LIST), clock.now())
        await unit.papers.upsert_many([NEW])
    handlers = Handlers(store, clock)
    # As `paperbot run` does at start; a nomination never waits for the model, so the
    # tests wait here, to see the model's suggestions rather than the sections' sizes.
    await handlers.warm_up()
    await handlers.settle()
    return handlers


def _run(name: str, user: UserRef = ADA, **options: str) -> Invocation:
    return Invocation(CHANNEL, user, name, options)


async def _outbox(store: SqlStore, clock: FixedClock) -> list[tuple[str, str, OutboundMessage]]:
    async with store.unit() as unit:
        due = await unit.outbox.due(clock.now())
    return [(m.channel_id, m.kind, OutboundMessage.from_payload(m.payload)) for m in due]


async def test_review_message_suggests_sections_and_approve_files_into_the_first(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    handlers = await _handlers(sqlite_store, clock)
    reply = await handlers.command(_run("nominate", paper="2606.00001"))
    assert "Nominated" in reply.text
    [(channel, kind, review)] = await _outbox(sqlite_store, clock)
    assert (channel, kind) == ("papers", "review")
    # The three likeliest sections, each with the model's confidence.
    assert re.search(
        r"Suggested sections: Inference / Serving \(\d+%\); [^;]+ \(\d+%\); [^;]+ \(\d+%\)\.",
        review.text,
    )
    approve, menu, reject = review.components
    assert isinstance(approve, Button) and isinstance(menu, Select)
    assert approve.action == messages.APPROVE
    assert approve.label == "Approve → Inference / Serving"
    assert (reject.action, reject.label) == (messages.REJECT, "Reject")
    # The menu offers the three suggestions first, then the list's other sections in order.
    assert menu.action == messages.FILE
    labels = [o.label for o in menu.options]
    assert labels[0] == "Inference / Serving"
    described = [o.description or "" for o in menu.options]
    assert [re.fullmatch(r"suggested, \d+%", d) is not None for d in described] == [True] * 3 + [
        False
    ]
    assert described[3] == ""
    assert sorted(labels) == ["Inference", "Inference / Serving", "Scheduling", "Training"]
    ids = {approve.id, menu.id, reject.id}
    assert len(ids) == 3  # Slack wants action ids unique within a block
    press = ActionEvent(MessageRef(CHANNEL, "m1"), ADMIN, approve.action, approve.value)
    outcome = await handlers.action(press)
    assert outcome.text.endswith("added to the list under Inference / Serving.")
    dms = [(c, m.text) for c, k, m in await _outbox(sqlite_store, clock) if k == "dm"]
    assert dms == [("@ada", outcome.text)]


async def test_the_section_menu_files_into_the_choice_and_reject_with_reason(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    handlers = await _handlers(sqlite_store, clock)
    await handlers.command(_run("nominate", paper="2606.00001"))
    await handlers.command(_run("nominate", BO, paper="https://arxiv.org/abs/2606.00001v2"))
    [(_, _, review)] = await _outbox(sqlite_store, clock)
    (menu,) = review.selects
    second = menu.options[1]
    message = MessageRef(CHANNEL, "m")
    refused = await handlers.action(ActionEvent(message, BO, menu.action, menu.value, second.value))
    assert refused.text == "Only admins can approve or reject nominations."
    outcome = await handlers.action(
        ActionEvent(message, ADMIN, menu.action, menu.value, second.value)
    )
    assert outcome.text.endswith(f"under {second.label}.")
    again = await handlers.command(_run("reject", ADMIN, paper="2606.00001", reason="dup"))
    assert "already approved" in again.text
    voters = sorted(c for c, k, _ in await _outbox(sqlite_store, clock) if k == "dm")
    assert voters == ["@ada", "@bo"]


async def test_approve_command_without_section_uses_the_top_suggestion(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    handlers = await _handlers(sqlite_store, clock)
    await handlers.command(_run("nominate", paper="2606.00001"))
    reply = await handlers.command(_run("approve", ADMIN, paper="2606.00001"))
    assert reply.text.endswith("under Inference / Serving.")
    again = await handlers.command(_run("nominate", BO, paper="2606.00001"))
    assert "already on the list, under Inference / Serving" in again.text


async def test_auto_approval_files_into_the_top_suggestion_and_tells_the_voters(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    handlers = await _handlers(sqlite_store, clock)
    await handlers.command(_run("settings", ADMIN, key="auto-approve", value="2"))
    await handlers.command(_run("nominate", paper="2606.00001"))
    reply = await handlers.command(_run("nominate", BO, paper="2606.00001"))
    assert reply.text.endswith("joined the list under Inference / Serving.")
    assert reply.ephemeral  # a nomination's answer is the voter's; the channel is told apart
    queued = await _outbox(sqlite_store, clock)
    dms = sorted(c for c, k, _ in queued if k == "dm")
    assert dms == ["@ada", "@bo"]
    (told,) = [(c, m) for c, k, m in queued if k == "announcement"]
    assert told[0] == "papers" and not told[1].ephemeral
    assert told[1].text == reply.text


async def test_admin_commands_change_the_list(sqlite_store: SqlStore, clock: FixedClock) -> None:
    handlers = await _handlers(sqlite_store, clock)
    refused = await handlers.command(_run("list-remove", entry="ZeRO"))
    assert "Only admins" in refused.text
    moved = await handlers.command(
        _run("list-move", ADMIN, entry="2309.06180", section="Inference / Memory")
    )
    assert moved.text.startswith("Moved #") and moved.text.endswith("to Inference / Memory.")
    removed = await handlers.command(_run("list-remove", ADMIN, entry="zero"))
    assert "stays in the list's history" in removed.text
    renamed = await handlers.command(
        _run("section-rename", ADMIN, section="Inference / Serving", title="Serving systems")
    )
    assert renamed.text == "Renamed section “Inference / Serving” to “Inference / Serving systems”."
    reordered = await handlers.command(
        _run("section-move", ADMIN, where="first", section="Scheduling")
    )
    assert reordered.text == "“Scheduling” is now section 1 of 3 at its level."
    missing = await handlers.command(_run("list-move", ADMIN, entry="#999", section="X"))
    assert missing.text == "There is no entry #999 on the list."
    bad_style = await handlers.command(_run("settings", ADMIN, key="list-style", value="fancy"))
    assert "unknown list style 'fancy'" in bad_style.text
    shown = await handlers.command(_run("list"))
    assert "ZeRO" not in shown.text and shown.text.splitlines()[0] == "Scheduling (2)"
    assert shown.body[0] == bold("Scheduling")
    assert "Inference / Memory (1)" in shown.text.splitlines()
    assert text(bold("Inference / Memory"), " (1)")[0] in shown.body
    entries = await handlers.autocomplete(CHANNEL, "entry", "gpipe")
    assert len(entries) == 1 and entries[0].endswith(
        "GPipe: Pipeline parallel training of giant models"
    )
    sections = await handlers.autocomplete(CHANNEL, "section", "serv")
    assert sections == ["Inference / Serving systems"]


async def test_section_remove_takes_off_an_emptied_section_and_refuses_one_with_entries(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    handlers = await _handlers(sqlite_store, clock)
    refused = await handlers.command(_run("section-remove", section="Scheduling"))
    assert "Only admins" in refused.text
    held = await handlers.command(_run("section-remove", ADMIN, section="Inference"))
    assert held.text == (
        "“Inference” still holds 3 entries (3 of them in sections below it), so it stays. "
        "Move them with `/paper list-move` (or take them off with `/paper list-remove`), "
        "then remove it."
    )
    await handlers.command(_run("list-move", ADMIN, entry="Gandiva", section="Old / Clusters"))
    await handlers.command(_run("list-move", ADMIN, entry="Gandiva", section="Scheduling"))
    assert await handlers.autocomplete(CHANNEL, "section", "old") == ["Old", "Old / Clusters"]
    removed = await handlers.command(_run("section-remove", ADMIN, section='"Old"'))
    assert removed.text == "Removed section “Old” and the 1 empty section below it from the list."
    assert not removed.ephemeral
    assert await handlers.autocomplete(CHANNEL, "section", "old") == []
    gone = await handlers.command(_run("section-remove", ADMIN, section="Old"))
    assert gone.text == "There is no section “Old”. `/paper list` shows them."
