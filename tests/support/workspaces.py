"""Several workspaces: the real bot served over HTTP in OAuth mode, and a person installing it.

`ServedBot` is what `mentorbot run --http` builds (open_runtime, the Bolt app with its OAuth flow,
the WSGI app with /slack/install and /slack/oauth_redirect), served on loopback by a threaded
WSGI server. `install` walks Slack's install flow as a browser would: the install page, Slack's
authorize page (the fake, told which workspace the person picked), the redirect back with the
state cookie Bolt set.
"""

from __future__ import annotations

import html
import re
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from mentorbot.config import OAuthApp, Settings
from mentorbot.http_server import EVENTS_PATH, database_health, make_wsgi_app
from mentorbot.serve import Runtime, open_runtime, prepare
from mentorbot.workspaces import INSTALL_PATH, REDIRECT_PATH
from program.clock import Clock
from sandbox import slack_requests as slack
from sandbox.fake_slack import FakeSlack
from scheduler.context import JobContext

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "client-secret"
SIGNING_SECRET = "oauth-signing-secret"


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def oauth_settings(*, fake: FakeSlack, database_url: str) -> Settings:
    return Settings(
        bot_token=None,
        signing_secret=SIGNING_SECRET,
        app_token=None,
        slack_api_url=fake.url,
        database_url=database_url,
        time_zone="America/New_York",
        coordinator_channel_id=None,
        oauth=OAuthApp(client_id=CLIENT_ID, client_secret=CLIENT_SECRET),
    )


class ServedBot:
    def __init__(self, settings: Settings, *, clock: Clock) -> None:
        assert prepare(settings, clock=clock) is None  # several workspaces: migrate only
        self.runtime: Runtime = open_runtime(settings, clock=clock)
        # Deterministic for the test: the HTTP answer leaves once the listener is done.
        wsgi = make_wsgi_app(
            self.runtime.build_app(process_before_response=True),
            lambda: database_health(self.runtime.engine),
            signing_secret=SIGNING_SECRET,
        )
        self._server = make_server("127.0.0.1", 0, wsgi, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="served-bot")
        self._thread.start()
        self.jobs: JobContext = self.runtime.job_context()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def redirect_url(self) -> str:
        return self.base + REDIRECT_PATH

    def post(self, built: slack.Built) -> tuple[int, str]:
        status, body, _ = slack.signed(SIGNING_SECRET, built).post(self.base + EVENTS_PATH)
        return status, body

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.runtime.stop()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is answered as it is; the test follows it itself


_opener = urllib.request.build_opener(_NoRedirects)


@dataclass(frozen=True)
class Page:
    status: int
    body: str
    headers: dict[str, str]

    def header(self, name: str) -> str:
        found = [value for key, value in self.headers.items() if key.lower() == name.lower()]
        assert found, f"no {name} header in {self.headers}"
        return found[0]


def get(url: str, *, cookie: str | None = None) -> Page:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with _opener.open(request, timeout=10) as response:
            return Page(response.status, response.read().decode(), dict(response.headers.items()))
    except urllib.error.HTTPError as error:
        return Page(error.code, error.read().decode(), dict(error.headers.items()))


def install(bot: ServedBot, fake: FakeSlack, *, team: str) -> Page:
    """Someone opens /slack/install, picks `team` on Slack's page and approves: the last page they see."""
    page = get(bot.base + INSTALL_PATH)
    assert page.status == 200, page
    found = re.search(r'href="([^"]*oauth/v2/authorize[^"]*)"', page.body)
    assert found, f"no link to Slack's authorize page in the install page:\n{page.body}"
    # Bolt's state cookie is Secure; a browser sends it back over https, as we do here by hand.
    cookie = page.header("Set-Cookie").split(";")[0]
    approved = get(fake.authorize_url(html.unescape(found.group(1)), team=team))
    assert approved.status == 302, approved
    location = approved.header("Location")
    assert location.startswith(bot.redirect_url), location
    return get(location, cookie=cookie)
