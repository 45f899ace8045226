"""The whole loop on Slack, as on Discord: a digest in a thread, a ⭐ reaction, the nomination's
review message, a refused non-admin, an approving admin, the list entry, the voter's message.

Every request is one of Slack's recorded payloads, adapted to these ids and signed, through
bolt's dispatch with signature verification on; every Web API call goes to the local Slack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from digest.clock import FixedClock
from storage.store import SqlStore
from tests.bot.slack.slack_api import SlackApi
from tests.bot.slack.world import PAPERS, REVIEW, TEAM, SlackWorld, slack_world
from tests.factories import make_paper

ADA, BO, CY = "U0ADA", "U0BO", "U0CY"


@pytest.fixture
async def world(
    shared: Path, slack_api: SlackApi, store: SqlStore, clock: FixedClock
) -> SlackWorld:
    async with store.unit() as unit:
        await unit.papers.upsert_many(
            [
                make_paper("2606.00001", "Paged Attention for LLM Serving <!channel> *now*"),
                make_paper("2606.00002", "Mixture-of-Experts Routing at Scale"),
                make_paper("2606.00003", "Expert Parallelism without Tears"),
            ]
        )
    return await slack_world(slack_api, store, clock, shared)


def _elements(message: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for block in message.get("blocks", []):
        yield from block.get("elements", []) if block["type"] == "actions" else []


def _element(message: dict[str, Any], action: str) -> dict[str, Any]:
    return next(e for e in _elements(message) if e["action_id"].startswith(f"pb:{action}:"))


def _shown(message: dict[str, Any]) -> str:
    return str(message.get("blocks", "")) + str(message.get("text", ""))


async def test_digest_nomination_review_list_and_the_voters_message(
    world: SlackWorld, store: SqlStore
) -> None:
    api = world.api
    added = await world.command(ADA, PAPERS, "topic-add moe ti:experts")
    assert added["response_type"] == "in_channel"
    assert "moe" in _shown(added)
    await world.command(ADA, PAPERS, "settings review-channel <#C0REVIEW|paper-review>")
    subscribed = await world.command(BO, PAPERS, "subscribe moe")
    assert subscribed["response_type"] == "in_channel"
    async with store.unit() as unit:
        [workspace] = await unit.workspaces.all()
    assert workspace.external_id == TEAM
    await world.bot.runner.run_channel(workspace.id, PAPERS)

    # The digest: a header, then one reply per paper in its thread, each with its nonce.
    header, *papers = api.posts(PAPERS)
    assert "Weekly digest: moe" in _shown(header)
    assert "thread_ts" not in header
    assert [p["thread_ts"] for p in papers] == [header["ts"]] * len(papers) == [header["ts"]] * 2
    for post in (header, *papers):
        assert post["unfurl_links"] is False
        assert post["unfurl_media"] is False
        assert "link_names" not in post
        assert post["metadata"]["event_type"] == "paperbot_post"
        assert post["metadata"]["event_payload"]["nonce"].startswith("paperbot-")
    routing = next(p for p in papers if "Mixture-of-Experts" in _shown(p))
    assert "<https://arxiv.org/abs/2606.00002|Mixture-of-Experts Routing at Scale>" in _shown(
        routing
    )

    # Bo reacts ⭐ (`star`): a nomination, told to Bo only; the review message in #paper-review.
    await world.react(BO, PAPERS, routing["ts"], "thumbsup")
    assert api.calls_to("chat.postEphemeral") == []
    await world.react(BO, PAPERS, routing["ts"], "star")
    [told] = api.calls_to("chat.postEphemeral")
    assert (told.args["user"], told.args["channel"]) == (BO, PAPERS)
    assert "Nominated" in _shown(told.args)
    [review] = api.posts(REVIEW)
    assert "Nomination to review" in _shown(review)
    approve, reject = _element(review, "approve"), _element(review, "reject")
    assert reject["style"] == "danger"
    ids = [e["action_id"] for e in _elements(review)]
    assert len(ids) == len(set(ids))  # unique within the block

    # Cy is no admin: refused, only Cy sees it, nothing decided.
    refused = await world.press(CY, REVIEW, review["ts"], approve)
    assert refused["response_type"] == "ephemeral"
    assert "Only admins" in _shown(refused)
    async with store.unit() as unit:
        assert await unit.lists.entries(workspace.id) == []

    # Ada is a workspace admin (users.info says so): approved, in the channel's view.
    approved = await world.press(ADA, REVIEW, review["ts"], approve)
    assert approved["response_type"] == "in_channel"
    assert "added to the list" in _shown(approved)
    async with store.unit() as unit:
        [entry] = await unit.lists.entries(workspace.id)
    assert entry.paper_id == "2606.00002"

    # Bo, the voter, hears it in a direct message (conversations.open, then a post there).
    opened = [call.args["users"] for call in api.calls_to("conversations.open")]
    assert opened == [BO]
    [dm] = api.posts("D" + BO)
    assert "Mixture-of-Experts Routing at Scale" in _shown(dm)

    listed = await world.command(CY, PAPERS, "list")
    assert listed["response_type"] == "ephemeral"
    assert "Mixture-of-Experts Routing at Scale" in _shown(listed)


async def test_nominate_button_and_the_section_menu(world: SlackWorld, store: SqlStore) -> None:
    api = world.api
    await world.command(ADA, PAPERS, "topic-add moe ti:experts")
    await world.command(ADA, PAPERS, "settings review-channel C0REVIEW")
    await world.command(ADA, PAPERS, "subscribe moe")
    await world.command(ADA, REVIEW, "nominate 2606.00003")
    first = api.posts(REVIEW)[0]
    await world.press(ADA, REVIEW, first["ts"], _element(first, "approve"))
    async with store.unit() as unit:
        [workspace] = await unit.workspaces.all()
    await world.bot.runner.run_channel(workspace.id, PAPERS)
    paper = next(p for p in api.posts(PAPERS) if "Mixture" in _shown(p))

    pressed = await world.press(CY, PAPERS, paper["ts"], _element(paper, "nominate"))
    assert pressed["response_type"] == "ephemeral"
    assert "Nominated" in _shown(pressed)
    review = api.posts(REVIEW)[-1]
    menu = _element(review, "file")
    assert menu["type"] == "static_select"
    section = menu["options"][0]
    filed = await world.press(ADA, REVIEW, review["ts"], menu, choice=section["value"])
    assert section["text"]["text"] in _shown(filed)
    async with store.unit() as unit:
        entries = await unit.lists.entries(workspace.id)
    assert sorted(e.paper_id for e in entries) == ["2606.00002", "2606.00003"]
    assert len({e.section_id for e in entries}) == 1


async def test_members_of_the_admin_user_group_may_approve(
    world: SlackWorld, store: SqlStore
) -> None:
    world.api.add_usergroup(TEAM, "S0REVIEW", "reviewers", [CY])
    await world.command(BO, REVIEW, "nominate 2606.00002")
    review = world.api.posts(REVIEW)[-1]
    refused = await world.press(CY, REVIEW, review["ts"], _element(review, "reject"))
    assert "Only admins" in _shown(refused)
    await world.command(ADA, REVIEW, "settings admin-role <!subteam^S0REVIEW|@reviewers>")
    rejected = await world.press(CY, REVIEW, review["ts"], _element(review, "reject"))
    assert "not added to the list" in _shown(rejected)
    member = await world.command(BO, REVIEW, "topic-add x ti:x")
    assert "Only admins" in _shown(member)


async def test_an_admin_removes_an_emptied_section(
    world: SlackWorld, store: SqlStore, clock: FixedClock
) -> None:
    from digest.list_import import import_list
    from digest.list_markdown import read_list

    await world.command(CY, PAPERS, "topics")  # the team's workspace, made on first use
    async with store.unit() as unit:
        [workspace] = await unit.workspaces.all()
        text = (
            "# L\n## Old\n- [A](https://arxiv.org/abs/2606.00001)\n## New\n- [B](https://x.org/b)\n"
        )
        await import_list(unit, workspace.id, read_list(text), clock.now())
    held = await world.command(ADA, PAPERS, "section-remove Old")
    assert "“Old” still holds 1 entry, so it stays." in _shown(held)
    await world.command(ADA, PAPERS, "list-move 2606.00001 New")
    refused = await world.command(CY, PAPERS, "section-remove Old")
    assert refused["response_type"] == "ephemeral"
    assert "Only admins" in _shown(refused)
    removed = await world.command(ADA, PAPERS, "section-remove “Old”")
    assert removed["response_type"] == "in_channel"
    assert "Removed section “Old” from the list." in _shown(removed)
    async with store.unit() as unit:
        assert [s.title for s in await unit.lists.sections(workspace.id)] == ["New"]
