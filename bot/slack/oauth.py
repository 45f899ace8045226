"""Many workspaces over HTTP: installations and install states in our database, through
slack-sdk's SQLAlchemy stores on our async engine, and an authorizer that remembers auth.test.

The stores run their own Core statements on the engine they are given; they work on the
async engines of SQLite (aiosqlite) and PostgreSQL (psycopg) alike, so paperbot hands them
its own engine instead of a second, synchronous one. Their tables are in our metadata
(storage/tables.py) and made by our migrations, never by the stores' `create_tables`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import SLACK_BOTS, SLACK_INSTALLATIONS, SLACK_OAUTH_STATES

log = logging.getLogger(__name__)

# How long an install link stays valid (slack-sdk's default).
STATE_SECONDS = 600


def installation_store(engine: AsyncEngine, client_id: str) -> AsyncSQLAlchemyInstallationStore:
    """The workspaces' installations (bot tokens), in our database."""
    return AsyncSQLAlchemyInstallationStore(
        client_id,
        engine,
        bots_table_name=SLACK_BOTS.name,
        installations_table_name=SLACK_INSTALLATIONS.name,
        logger=log,
    )


def state_store(engine: AsyncEngine) -> AsyncSQLAlchemyOAuthStateStore:
    """The one-time `state` values of install links, in our database (any process can check)."""
    return AsyncSQLAlchemyOAuthStateStore(
        STATE_SECONDS, engine, logger=log, table_name=SLACK_OAUTH_STATES.name
    )


def caching_authorize(
    store: AsyncInstallationStore,
    client_id: str,
    client_secret: str,
    client: AsyncWebClient,
) -> AsyncInstallationStoreAuthorize:
    """Bolt's installation-store authorizer with its auth.test cache on.

    Each request still reads the installation (so an uninstalled workspace stops at once),
    but auth.test runs once per bot token instead of once per request.
    """
    return AsyncInstallationStoreAuthorize(
        logger=log,
        installation_store=store,
        client_id=client_id,
        client_secret=client_secret,
        cache_enabled=True,
        client=client,
    )


def oauth_settings(
    engine: AsyncEngine,
    client_id: str,
    client_secret: str,
    scopes: Sequence[str],
    redirect_uri: str | None = None,
) -> AsyncOAuthSettings:
    """Install at /slack/install, come back at /slack/oauth_redirect; stores on our engine."""
    return AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(scopes),
        user_scopes=[],
        redirect_uri=redirect_uri,
        installation_store=installation_store(engine, client_id),
        state_store=state_store(engine),
        state_expiration_seconds=STATE_SECONDS,
        logger=log,
    )
