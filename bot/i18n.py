"""Counted phrases from gettext catalogs (``bot/locale/<lang>.po``), read with Babel.

Arabic has six plural forms (zero, one, two, few, many, other): "2 مشترك" and "11 مشترك" are
wrong, and so is "1 subscribers". Each catalog's ``Plural-Forms`` header picks the form, so a
translator fixes or adds a language in a ``.po`` file without touching code. Babel parses the
``.po`` and writes it as a ``.mo`` in memory for the standard library's ``GNUTranslations``,
which evaluates the plural expression; nothing is compiled at build time or downloaded.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.knowledge_base import Lang

LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def catalog(lang: Lang) -> gettext.GNUTranslations:
    """The compiled catalog of ``lang`` (read once: catalogs ship with the code and never change at run time)."""
    with (LOCALE_DIR / f"{lang}.po").open("rb") as po:
        parsed = read_po(po, locale=lang)
    mo = io.BytesIO()
    write_mo(mo, parsed)
    mo.seek(0)
    return gettext.GNUTranslations(mo)


def counted(lang: Lang, singular: str, plural: str, count: int) -> str:
    """``singular``/``plural`` (msgids with ``{count}``) in ``lang``'s right plural form for ``count``."""
    return catalog(lang).ngettext(singular, plural, count).format(count=count)


def subscribers(lang: Lang, count: int) -> str:
    return counted(lang, "{count} subscriber", "{count} subscribers", count)


def seconds(lang: Lang, count: int) -> str:
    return counted(lang, "{count} second", "{count} seconds", count)
