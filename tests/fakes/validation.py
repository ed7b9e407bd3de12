"""Telegram's checks on what a bot sends, as pure functions raising ``ApiError``.

Each check mirrors a refusal the real Bot API gives (same status code, same description), so a
bot bug that Telegram would reject shows up as the same PTB exception in the test suite.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

from PIL import Image

from tests.fakes.telegram_html import HtmlParseError, parse_html, utf16_len

JsonDict = dict[str, Any]

MAX_MESSAGE_CHARS = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_CHARS = 200
MAX_INLINE_RESULTS = 50
MAX_INLINE_RESULT_ID_BYTES = 64
MAX_INLINE_KEYBOARD_BUTTONS = 100
MAX_COMMANDS = 100
MAX_CAPTION_CHARS = 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # Telegram's limit for photos sent by upload
MAX_PHOTO_SIDES = 10000  # width + height
MAX_PHOTO_RATIO = 20
BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_URL_RE = re.compile(r"(?:https?|tg)://[^\s]+", re.IGNORECASE)


class ApiError(Exception):
    """A Bot API refusal: HTTP status ``code`` and Telegram's ``description`` text."""

    def __init__(
        self, code: int, description: str, *, retry_after: float | None = None, migrate_to_chat_id: int | None = None
    ) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.parameters: JsonDict = {}
        if retry_after is not None:
            self.parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            self.parameters["migrate_to_chat_id"] = migrate_to_chat_id

    def payload(self) -> JsonDict:
        """The JSON body Telegram answers with (``parameters`` only when there are some)."""
        body: JsonDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = dict(self.parameters)
        return body


def bad_request(detail: str) -> ApiError:
    """Telegram's 400, whose description always starts with "Bad Request: "."""
    return ApiError(400, f"Bad Request: {detail}")


def as_json(value: Any, name: str) -> Any:
    """Parameters sent as form fields carry nested objects as JSON strings; accept both forms."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as err:
            raise bad_request(f"can't parse {name} JSON object") from err
    return value


def format_text(
    text: Any, parse_mode: Any, entities: Any, *, empty_error: str = "message text is empty"
) -> tuple[str, list[JsonDict]]:
    """Apply ``parse_mode`` (or explicit ``entities``) and enforce Telegram's length limits."""
    if text is None or (isinstance(text, str) and not text.strip()):
        raise bad_request(empty_error)
    text = str(text)
    parsed_entities: list[JsonDict] = []
    mode = (parse_mode or "").lower() if isinstance(parse_mode, str) else ""
    if mode == "html":
        try:
            text, parsed_entities = parse_html(text)
        except HtmlParseError as err:
            raise bad_request(f"can't parse entities: {err}") from err
    elif mode in ("markdown", "markdownv2"):
        raise bad_request(f"parse_mode {parse_mode} is not implemented by the fake Bot API; use HTML")
    elif mode:
        raise bad_request(f"unsupported parse_mode {parse_mode}")
    elif entities:
        parsed_entities = list(as_json(entities, "entities"))
        total = utf16_len(text)
        for e in parsed_entities:
            if e.get("offset", -1) < 0 or e.get("length", 0) <= 0 or e["offset"] + e["length"] > total:
                raise bad_request("can't parse entities: entity beyond the end of the text")
    if not text.strip():
        raise bad_request(empty_error)
    if len(text) > MAX_MESSAGE_CHARS:
        raise bad_request("message is too long")
    return text, parsed_entities


def format_caption(caption: Any, parse_mode: Any, entities: Any) -> tuple[str, list[JsonDict]]:
    """A media caption: optional, parsed like message text, at most 1024 characters once parsed."""
    if caption is None or caption == "":
        return "", []
    text, parsed = format_text(caption, parse_mode, entities, empty_error="caption is empty")
    if len(text) > MAX_CAPTION_CHARS:
        raise bad_request("message caption is too long")
    return text, parsed


def check_photo(content: bytes) -> tuple[int, int]:
    """The (width, height) of an uploaded photo, refused as Telegram refuses it: empty, too big, not an image, odd shape."""
    if not content:
        raise bad_request("file must be non-empty")
    if len(content) > MAX_PHOTO_BYTES:
        raise ApiError(413, "Request Entity Too Large")
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            width, height = image.size
    except (OSError, SyntaxError, ValueError) as err:
        raise bad_request("IMAGE_PROCESS_FAILED") from err
    if width + height > MAX_PHOTO_SIDES or max(width, height) > MAX_PHOTO_RATIO * min(width, height):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    return width, height


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str) or not button["text"]:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    actions = [key for key in button if key in BUTTON_ACTIONS]
    if not actions:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request(f"can't parse inline keyboard button: exactly one of {sorted(actions)} must be used")
    action = actions[0]
    value = button[action]
    if action == "callback_data":
        if not isinstance(value, str) or not 1 <= len(value.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    elif action == "url":
        if not isinstance(value, str) or not _URL_RE.fullmatch(value):
            raise bad_request(f"inline keyboard button URL '{value}' is invalid: Wrong HTTP URL")
    elif action in ("switch_inline_query", "switch_inline_query_current_chat"):
        if not isinstance(value, str):
            raise bad_request(f"can't parse inline keyboard button: {action} must be a String")


def check_reply_markup(markup: Any) -> JsonDict | None:
    """Validate a reply markup; return what Telegram echoes in the Message (inline keyboards only)."""
    if markup is None:
        return None
    markup = as_json(markup, "reply keyboard")
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        if not ({"keyboard", "remove_keyboard", "force_reply"} & markup.keys()):
            raise bad_request("can't parse reply keyboard markup JSON object")
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('can\'t parse inline keyboard: Field "inline_keyboard" must be an Array of Arrays')
    count = 0
    for row in rows:
        for button in row:
            _check_button(button)
            count += 1
    if count > MAX_INLINE_KEYBOARD_BUTTONS:
        raise bad_request("reply markup is too long")
    rows = [row for row in rows if row]
    return {"inline_keyboard": rows} if rows else None


def check_inline_results(results: Any) -> list[JsonDict]:
    """Validate ``answerInlineQuery`` results; each text message content is checked like sendMessage."""
    results = as_json(results, "inline query results")
    if not isinstance(results, list):
        raise bad_request("can't parse inline query results JSON object")
    if len(results) > MAX_INLINE_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        if not isinstance(result, dict) or "type" not in result:
            raise bad_request("can't parse InlineQueryResult: result type is not specified")
        result_id = result.get("id")
        if not isinstance(result_id, str) or not 1 <= len(result_id.encode("utf-8")) <= MAX_INLINE_RESULT_ID_BYTES:
            raise bad_request("RESULT_ID_INVALID")
        if result_id in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        if result["type"] == "article":
            if not result.get("title"):
                raise bad_request("RESULT_TITLE_EMPTY")
            if "input_message_content" not in result:
                raise bad_request("can't parse InlineQueryResultArticle: input_message_content is required")
        content = result.get("input_message_content")
        if isinstance(content, dict) and "message_text" in content:
            format_text(
                content["message_text"], content.get("parse_mode"), content.get("entities"), empty_error="MESSAGE_EMPTY"
            )
        if "reply_markup" in result:
            check_reply_markup(result["reply_markup"])
    return results


def check_inline_button(button: Any) -> None:
    """The button above inline results: a text plus a deep-link start parameter or a web app."""
    button = as_json(button, "inline query results button")
    if not isinstance(button, dict) or not button.get("text"):
        raise bad_request("BUTTON_TEXT_INVALID")
    start = button.get("start_parameter")
    if start is None and "web_app" not in button:
        raise bad_request("can't parse InlineQueryResultsButton: start_parameter or web_app is required")
    if start is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", str(start)):
        raise bad_request("START_PARAM_INVALID")


def check_commands(commands: Any) -> list[JsonDict]:
    """Validate a ``setMyCommands`` list: names 1–32 of [a-z0-9_], descriptions 1–256 characters."""
    commands = as_json(commands, "commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("too many commands")
    cleaned: list[JsonDict] = []
    for command in commands:
        name = command.get("command") if isinstance(command, dict) else None
        description = command.get("description") if isinstance(command, dict) else None
        if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name.lstrip("/").lower()):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": name.lstrip("/").lower(), "description": description})
    return cleaned
