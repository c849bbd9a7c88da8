"""Several workspaces from one deployment: Slack's OAuth install flow and a token per workspace.

Set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (mentorbot/config.py `OAuthApp`) and serve HTTP:
Bolt serves the install page at /slack/install and the redirect at /slack/oauth_redirect, stores
each installation with slack-sdk's SQLAlchemy stores in our database (tables from our migration
0006), and finds the right token for each request. Work done outside a request (the outbox and
the other jobs) finds its token here, by the program's workspace (`WorkspaceClients`).
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import urljoin

from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.config import OAuthApp, Settings
from mentorbot.slack_client import make_web_client
from program.clock import Clock
from program.workspaces import workspace_installed
from storage.db import read_scope, session_scope
from storage.programs import ProgramSettings
from storage.workspaces import bot_token, workspace_key

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_EXPIRATION_SECONDS = 600  # the person has ten minutes to approve the install on Slack's page


def authorization_url(slack_api_url: str) -> str:
    """Slack's approval page beside its Web API (https://slack.com/api/ -> https://slack.com/oauth/v2/authorize)."""
    return urljoin(slack_api_url, "../oauth/v2/authorize")


def program_settings_for_installs(settings: Settings) -> ProgramSettings:
    """What a newly installed workspace's program starts with: the configured time zone, summary
    time and check-in minimum. MENTORBOT_COORDINATOR_CHANNEL names a channel of one workspace,
    so it is not given to the others: each program's coordinators are told until one is set."""
    return ProgramSettings(
        time_zone=settings.time_zone,
        coordinator_channel_id=None,
        summary_at=settings.summary_at,
        check_in_minimum_answers=settings.check_in_minimum,
    )


class WorkspaceInstallationStore(SQLAlchemyInstallationStore):
    """slack-sdk's store, which also records the workspace and creates its program on install."""

    def __init__(
        self,
        *,
        oauth: OAuthApp,
        engine: Engine,
        session_factory: sessionmaker[Session],
        clock: Clock,
        program_settings: ProgramSettings,
    ) -> None:
        super().__init__(client_id=oauth.client_id, engine=engine, logger=log)
        self._session_factory, self._clock, self._program_settings = session_factory, clock, program_settings

    def save(self, installation: Installation) -> None:
        super().save(installation)
        key = workspace_key(
            team_id=installation.team_id,
            enterprise_id=installation.enterprise_id,
            is_enterprise_install=installation.is_enterprise_install,
        )
        if key is None:
            raise ValueError("an installation with neither a team nor an organization")
        name = (installation.enterprise_name if installation.is_enterprise_install else installation.team_name) or key
        with session_scope(self._session_factory) as session:
            program = workspace_installed(
                session,
                key=key,
                enterprise_id=installation.enterprise_id,
                name=name,
                is_enterprise_install=bool(installation.is_enterprise_install),
                settings=self._program_settings,
                now=self._clock(),
            )
            log.info(
                "installed in %s (%s): program %s",
                key,
                "organization" if installation.is_enterprise_install else "workspace",
                program.id,
            )


def oauth_settings(
    settings: Settings, *, engine: Engine, session_factory: sessionmaker[Session], clock: Clock
) -> tuple[OAuthSettings, InstallationStoreAuthorize]:
    """Bolt's OAuth flow on our database, and how each request finds its workspace's token."""
    oauth = settings.oauth
    assert oauth is not None, "several-workspaces mode only"
    store = WorkspaceInstallationStore(
        oauth=oauth,
        engine=engine,
        session_factory=session_factory,
        clock=clock,
        program_settings=program_settings_for_installs(settings),
    )
    flow_settings = OAuthSettings(
        client_id=oauth.client_id,
        client_secret=oauth.client_secret,
        scopes=list(oauth.scopes),
        user_scopes=[],
        redirect_uri=oauth.redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=authorization_url(settings.slack_api_url),
        installation_store=store,
        installation_store_bot_only=True,
        state_store=SQLAlchemyOAuthStateStore(expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine, logger=log),
    )
    # Bolt's default authorize calls auth.test on every request; the answer for a token never
    # changes, so it is remembered (an uninstalled workspace's token is no longer found at all).
    authorize = InstallationStoreAuthorize(
        installation_store=store,
        client_id=oauth.client_id,
        client_secret=oauth.client_secret,
        bot_only=True,
        cache_enabled=True,
        logger=log,
    )
    return flow_settings, authorize


class WorkspaceClients:
    """Web API clients for work outside a request: each workspace's with its own token.

    Looked up per call (one indexed read), so a token deleted by an uninstall in another process
    is never used again here; clients are kept per token, as a client holds nothing else.
    """

    def __init__(self, settings: Settings, session_factory: sessionmaker[Session], *, retries: bool = False) -> None:
        assert settings.oauth is not None, "several-workspaces mode only"
        self._settings, self._client_id = settings, settings.oauth.client_id
        self._session_factory, self._retries = session_factory, retries
        self._clients: dict[str, WebClient] = {}
        self._lock = threading.Lock()

    def __call__(self, team_id: str) -> WebClient | None:
        with read_scope(self._session_factory) as session:
            token = bot_token(session, key=team_id, client_id=self._client_id)
        if token is None:
            return None
        with self._lock:
            client = self._clients.get(token)
            if client is None:
                client = self._clients[token] = make_web_client(self._settings, retries=self._retries, token=token)
            return client
