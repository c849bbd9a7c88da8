"""After ack(), a failure still owes the person a private, human answer, never a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from bot.commands import PrivateAnswer
from views.help import something_went_wrong_message

log = logging.getLogger(__name__)


@contextmanager
def apologise_on_error(respond: PrivateAnswer | None, what: str) -> Iterator[None]:
    try:
        yield
    except Exception:
        log.exception("failed while handling %s", what)
        if respond is None:
            return
        try:
            respond(**something_went_wrong_message())
        except Exception:
            log.exception("could not tell the user that %s failed", what)
