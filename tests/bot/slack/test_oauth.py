"""Many workspaces over HTTP: the whole OAuth install offline, tokens in our database, each
workspace's requests authorized with its own token and seeing only its own data."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from bot.handlers import Handlers
from bot.slack.app import SlackConfig, attach, slack_platform
from bot.slack.manifest import EVENTS_PATH, INSTALL_PATH, REDIRECT_PATH, bot_scopes
from bot.slack.transport import HttpTransport
from digest.clock import FixedClock
from storage.store import SqlStore
from storage.tables import SLACK_BOTS, SLACK_INSTALLATIONS, SLACK_OAUTH_STATES
from tests.bot.slack.conftest import SECRET, form, signed_headers, slash_command
from tests.bot.slack.slack_api import SlackApi

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "oauth-client-secret"


@pytest.fixture
async def server(
    slack_api: SlackApi, store: SqlStore, clock: FixedClock
) -> AsyncIterator[HttpTransport]:
    config = SlackConfig(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        signing_secret=SECRET,
        api_url=slack_api.base_url,
        host="127.0.0.1",
        port=0,
    )
    app, platform = slack_platform(config, clock, store.engine, process_before_response=True)
    attach(app, Handlers(store, clock), platform, clock)
    await platform.start()
    assert isinstance(platform.transport, HttpTransport)
    yield platform.transport
    await platform.close()


async def _install(session: aiohttp.ClientSession, base: str, code: str) -> str:
    """What a browser does: open the install page, follow Slack's consent, come back."""
    async with session.get(base + INSTALL_PATH) as page:
        assert page.status == 200
        html = await page.text()
        cookie = page.headers["Set-Cookie"].split(";")[0]
    link = re.search(r'href="(https://slack.com/oauth/v2/authorize\?[^"]+)"', html)
    assert link is not None
    authorize = link.group(1).replace("&amp;", "&")
    assert f"client_id={CLIENT_ID}" in authorize
    assert "&scope=" + ",".join(bot_scopes()) + "&" in authorize
    state = re.search(r"state=([^&]+)", authorize)
    assert state is not None
    # Slack sends the browser back with a code; the state cookie is Secure, so set it by hand.
    url = f"{base}{REDIRECT_PATH}?code={code}&state={state.group(1)}"
    async with session.get(url, headers={"Cookie": cookie}) as back:
        return f"{back.status} {await back.text()}"


async def test_two_workspaces_install_and_keep_to_themselves(
    shared: Path, slack_api: SlackApi, server: HttpTransport, store: SqlStore, clock: FixedClock
) -> None:
    slack_api.add_team("T0NORTH", "north", "xoxb-north", oauth_code="code-north")
    slack_api.add_team("T0SOUTH", "south", "xoxb-south", oauth_code="code-south")
    slack_api.add_user("U0NADMIN", "nadia", "T0NORTH", admin=True)
    slack_api.add_user("U0SOWNER", "sam", "T0SOUTH", owner=True)
    base = f"http://127.0.0.1:{server.port}"
    async with aiohttp.ClientSession() as session:
        north = await _install(session, base, "code-north")
        south = await _install(session, base, "code-south")
        replay = await _install(session, base, "code-unknown")
        assert north.startswith("200") and south.startswith("200")
        assert replay.startswith("401")  # Slack refused the code: nothing stored
        # A redirect whose state was never issued (or is used twice) is refused.
        async with session.get(f"{base}{REDIRECT_PATH}?code=code-north&state=forged") as forged:
            assert forged.status == 400

        async def command(team: str, user: str, text: str, name: str) -> None:
            body = form(
                slash_command(
                    shared,
                    team_id=team,
                    channel_id="C0GENERAL",
                    user_id=user,
                    text=text,
                    response_url=slack_api.response_url(name),
                )
            )
            headers = signed_headers(body, int(clock.now().timestamp()))
            async with session.post(base + EVENTS_PATH, data=body, headers=headers) as answer:
                assert answer.status == 200
            await slack_api.wait_for(lambda: any(n == name for n, _ in slack_api.responses))

        await command("T0NORTH", "U0NADMIN", "topic-add moe ti:MoE", "north-add")
        await command("T0SOUTH", "U0SOWNER", "topic-add serving ti:serving", "south-add")
        await command("T0NORTH", "U0NADMIN", "topics", "north-topics")
        await command("T0SOUTH", "U0SOWNER", "topics", "south-topics")

    replies = {name: str(reply["blocks"]) for name, reply in slack_api.responses}
    assert "moe" in replies["north-topics"] and "serving" not in replies["north-topics"]
    assert "serving" in replies["south-topics"] and "moe" not in replies["south-topics"]
    # Each workspace's requests ran on its own token: users.info of its admin with its token.
    tokens = {call.args["user"]: call.token for call in slack_api.calls_to("users.info")}
    assert tokens == {"U0NADMIN": "xoxb-north", "U0SOWNER": "xoxb-south"}
    # auth.test once per token (at install, then cached by the authorizer), not per request.
    tested = [call.token for call in slack_api.calls_to("auth.test")]
    assert sorted(tested) == ["xoxb-north", "xoxb-north", "xoxb-south", "xoxb-south"]
    async with store.engine.connect() as connection:
        installed = (
            await connection.execute(
                select(SLACK_INSTALLATIONS.c.team_id, SLACK_INSTALLATIONS.c.bot_token)
            )
        ).all()
        bots = (await connection.execute(select(SLACK_BOTS.c.team_id))).all()
        states = (await connection.execute(select(SLACK_OAUTH_STATES.c.state))).all()
    assert sorted(installed) == [("T0NORTH", "xoxb-north"), ("T0SOUTH", "xoxb-south")]
    assert sorted(bots) == [("T0NORTH",), ("T0SOUTH",)]
    assert states == []  # every issued state was consumed (the refused code's too)
    async with store.unit() as unit:
        workspaces = {w.external_id: w.id for w in await unit.workspaces.all()}
        north_topics = await unit.topics.list(workspaces["T0NORTH"])
        south_topics = await unit.topics.list(workspaces["T0SOUTH"])
    assert [t.name for t in north_topics] == ["moe"]
    assert [t.name for t in south_topics] == ["serving"]
