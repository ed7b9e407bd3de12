"""The HTTP transport for ``getUpdates``: notices a refused token and steps over updates PTB cannot parse.

Two failures of long polling that PTB leaves to us:

* A token revoked while the bot runs makes every ``getUpdates`` answer 401. PTB's polling loop
  logs it and stops, but the process stays up, doing nothing, so ``Restart=on-failure`` never
  fires. :class:`UpdatesRequest` reports the 401 to ``on_unauthorized`` and the runner exits.
* One update PTB cannot parse (a field of a type it does not expect) fails the whole batch:
  PTB logs it at CRITICAL with the users' texts and asks again from the same offset, hundreds of
  times a second, forever. :func:`skip_unparseable` replaces such an update with a bare
  ``{"update_id": N}`` before PTB sees it, so the offset moves past it (an update with nothing
  in it reaches no handler), and logs it once, by id and kind, without its text.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import HTTPXRequest, RequestData

from bot.logs import log_event

log = logging.getLogger("bayan.telegram")

UNAUTHORIZED = 401


def skip_unparseable(payload: bytes) -> bytes:
    """A ``getUpdates`` answer in which every update PTB would fail on is reduced to its ``update_id``."""
    try:
        body = json.loads(payload)
    except ValueError:
        return payload  # not JSON: PTB reports that itself, as a network error
    result = body.get("result") if isinstance(body, dict) else None
    if not isinstance(result, list):
        return payload
    kept: list[Any] = []
    changed = False
    for raw in result:
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            log_event(log, "update_skipped", level=logging.WARNING, reason="no update_id")
            changed = True
            continue
        try:
            Update.de_json(raw, None)
        except Exception as exc:  # noqa: BLE001 -- whatever PTB raises, this update must not stall the others
            kinds = sorted(k for k in raw if k != "update_id")
            log_event(
                log, "update_skipped", level=logging.WARNING, update_id=update_id, kinds=",".join(kinds),
                reason=f"cannot be parsed ({type(exc).__name__})",
            )
            kept.append({"update_id": update_id})
            changed = True
        else:
            kept.append(raw)
    return json.dumps({**body, "result": kept}).encode() if changed else payload


class UpdatesRequest(HTTPXRequest):
    """PTB's httpx transport plus the two guards above; used only for ``getUpdates``."""

    def __init__(self, *, on_unauthorized: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_unauthorized = on_unauthorized

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        code, payload = await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        if code == UNAUTHORIZED:
            self._on_unauthorized()
        elif code == 200 and url.rsplit("/", 1)[-1].lower() == "getupdates":
            payload = skip_unparseable(payload)
        return code, payload
