"""Telegram's ``parse_mode=HTML`` as a pure function: markup in, (plain text, entities) out.

The fake Bot API must refuse what Telegram refuses, or a bot that forgets to escape a user's ``<``
passes its tests and fails in production. The rules and error wording follow Telegram's server
(tdlib's ``parse_html``): only the documented tags, balanced nesting, named entities limited to
``&lt; &gt; &amp; &quot;`` plus numeric ones. One deliberate difference: a bare ``&`` that does not
start an entity is an error here (Telegram tolerates it, its docs forbid it), because it is always
the sign of text that was not escaped.

Entity offsets and lengths are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
SUPPORTED_TAGS = frozenset({*SIMPLE_TAGS, "a", "span", "blockquote", "tg-emoji"})
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_NAME_RE = re.compile(r"[A-Za-z0-9_-]*")
_ATTR_NAME_RE = re.compile(r"[A-Za-z0-9_-]*")


class HtmlParseError(ValueError):
    """Markup Telegram would refuse; ``str(err)`` is the text after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Bot API entity offsets."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _OpenTag:
    name: str
    begin: int  # UTF-16 offset in the output where the entity starts
    attrs: dict[str, str] = field(default_factory=dict)


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, i: int) -> tuple[str, int] | None:
    """Decode the HTML entity starting at ``text[i] == '&'``; None if it is not one Telegram knows."""
    end = text.find(";", i + 1, i + 12)
    if end == -1:
        return None
    body = text[i + 1 : end]
    if body in NAMED_ENTITIES:
        return NAMED_ENTITIES[body], end + 1
    code: int | None = None
    if re.fullmatch(r"#[0-9]{1,7}", body):
        code = int(body[1:])
    elif re.fullmatch(r"#[xX][0-9a-fA-F]{1,6}", body):
        code = int(body[2:], 16)
    if code is None or code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), end + 1


def _decode_attr_value(text: str, value: str, at: int) -> str:
    out: list[str] = []
    j = 0
    while j < len(value):
        if value[j] == "&":
            decoded = _decode_entity(value, j)
            if decoded is None:
                raise HtmlParseError(f"Unsupported HTML entity at byte offset {_byte_offset(text, at + j)}")
            out.append(decoded[0])
            j = decoded[1]
        else:
            out.append(value[j])
            j += 1
    return "".join(out)


def _parse_start_tag(text: str, i: int) -> tuple[str, dict[str, str], int]:
    """Parse ``<name attr="v" ...>`` at ``text[i] == '<'``; returns (name, attrs, index after '>')."""
    begin = i
    n = len(text)
    m = _NAME_RE.match(text, i + 1)
    assert m is not None
    name = m.group(0).lower()
    i = m.end()
    if i >= n:
        raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
    if name not in SUPPORTED_TAGS:
        raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, begin)}')
    attrs: dict[str, str] = {}
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[i] == ">":
            return name, attrs, i + 1
        am = _ATTR_NAME_RE.match(text, i)
        assert am is not None
        attr = am.group(0).lower()
        if not attr:
            raise HtmlParseError(f'Empty attribute name in the tag "{name}" at byte offset {_byte_offset(text, begin)}')
        i = am.end()
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[i] != "=":
            if attr == "expandable":
                attrs[attr] = ""
                continue
            raise HtmlParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                f"at byte offset {_byte_offset(text, begin)}"
            )
        i += 1
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[i] in "\"'":
            quote = text[i]
            close = text.find(quote, i + 1)
            if close == -1:
                raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
            raw, value_at, i = text[i + 1 : close], i + 1, close + 1
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] != ">":
                i += 1
            raw, value_at = text[start:i], start
        attrs[attr] = _decode_attr_value(text, raw, value_at)


def _entity_for(tag: _OpenTag, length: int) -> dict[str, Any] | None:
    entity: dict[str, Any] = {"offset": tag.begin, "length": length}
    if tag.name in SIMPLE_TAGS:
        entity["type"] = SIMPLE_TAGS[tag.name]
        if tag.name == "code" and tag.attrs.get("class", "").startswith("language-"):
            entity["_language"] = tag.attrs["class"][len("language-") :]
    elif tag.name == "span":
        entity["type"] = "spoiler"
    elif tag.name == "blockquote":
        entity["type"] = "expandable_blockquote" if "expandable" in tag.attrs else "blockquote"
    elif tag.name == "tg-emoji":
        entity["type"] = "custom_emoji"
        entity["custom_emoji_id"] = tag.attrs.get("emoji-id", "")
    elif tag.name == "a":
        url = tag.attrs.get("href", "")
        if not url:
            return None
        user = re.fullmatch(r"tg://user\?id=(\d+)", url)
        if user:
            entity.update(type="text_mention", user={"id": int(user.group(1)), "is_bot": False, "first_name": ""})
        else:
            entity.update(type="text_link", url=url)
    return entity


def _merge_pre_code(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``<pre><code class="language-x">`` is one ``pre`` entity with a language, as in Telegram."""
    merged: list[dict[str, Any]] = []
    pres = {(e["offset"], e["length"]): e for e in entities if e["type"] == "pre"}
    for e in entities:
        language = e.pop("_language", None)
        if e["type"] == "code" and (e["offset"], e["length"]) in pres:
            if language:
                pres[(e["offset"], e["length"])]["language"] = language
            continue
        merged.append(e)
    return merged


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into plain text and Bot API entity dicts; raise HtmlParseError like Telegram."""
    out: list[str] = []
    pos16 = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "&":
            decoded = _decode_entity(text, i)
            if decoded is None:
                raise HtmlParseError(f"Unsupported HTML entity at byte offset {_byte_offset(text, i)}")
            out.append(decoded[0])
            pos16 += utf16_len(decoded[0])
            i = decoded[1]
        elif ch != "<":
            out.append(ch)
            pos16 += 2 if ord(ch) > 0xFFFF else 1
            i += 1
        elif i + 1 < n and text[i + 1] == "/":
            begin = i
            close = text.find(">", i)
            if close == -1:
                raise HtmlParseError(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
            name = text[i + 2 : close].strip().lower()
            if not stack:
                raise HtmlParseError(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
            if name != stack[-1].name:
                raise HtmlParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                    f'expected "</{stack[-1].name}>", found "</{name}>"'
                )
            tag = stack.pop()
            length = pos16 - tag.begin
            entity = _entity_for(tag, length)
            if entity is not None and length > 0:
                entities.append(entity)
            i = close + 1
        else:
            name, attrs, i_after = _parse_start_tag(text, i)
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(text, i)}')
            stack.append(_OpenTag(name, pos16, attrs))
            i = i_after
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities = _merge_pre_code(entities)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities
