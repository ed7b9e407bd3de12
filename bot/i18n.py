"""The bot's own words, from gettext catalogs (``bot/locale/<lang>.po``) read with Babel.

One ``.po`` per language holds every string the bot says in its own voice. Message ids are
stable keys (``help_title``, ``command_ask``, ``subscribers``), not English sentences, so a
rewording in one language never orphans the others; ``en.po`` is a translation like any other.
Counted phrases are plural entries: the catalog's ``Plural-Forms`` header picks the form (Arabic
has six: zero, one, two, few, many, other), so "2 مشترك" and "1 subscribers" cannot happen.

A catalog is read once, at first use, from the package (nothing is compiled at build time or
downloaded). The code that uses the strings declares what it needs as a :data:`Schema` (each key,
its ``{placeholders}``, whether it is counted); :meth:`Catalog.require` checks a catalog against it
and raises :class:`CatalogError` naming the file, the line and the entry of every problem, which
``python -m bot check`` and start-up report before the bot runs (see :mod:`bot.catalogs`).
"""

from __future__ import annotations

import difflib
import gettext
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.pofile import PoFileError, read_po

LOCALE_DIR = Path(__file__).parent / "locale"
_PLURAL_PROBE = range(1001)  # a plural rule must pick an existing form for each of these


class CatalogError(Exception):
    """A catalog the code cannot use; the message names the file and each entry that is wrong."""


@dataclass(frozen=True, slots=True)
class Spec:
    """What the code expects of one entry: the placeholders it fills, and whether the entry is counted."""

    placeholders: frozenset[str] = frozenset()
    counted: bool = False


Schema = Mapping[str, Spec]


def spec(*placeholders: str) -> Spec:
    return Spec(frozenset(placeholders))


COUNTED: Schema = {
    "subscribers": Spec(frozenset({"count"}), counted=True),
    "seconds": Spec(frozenset({"count"}), counted=True),
}


@dataclass(frozen=True, slots=True)
class Catalog:
    """One language's parsed catalog: plain entries, counted entries and the plural rule."""

    lang: str
    path: Path
    texts: Mapping[str, str]
    plural_texts: Mapping[str, tuple[str, ...]]
    plural: Callable[[int], int]
    lines: Mapping[str, int] = field(default_factory=dict)

    def text(self, key: str) -> str:
        try:
            return self.texts[key]
        except KeyError:
            raise CatalogError(f"{self.path}: no entry {key!r}") from None

    def counted(self, key: str, count: int) -> str:
        """The form of counted entry ``key`` that ``count`` takes, with ``{count}`` filled."""
        try:
            forms = self.plural_texts[key]
        except KeyError:
            raise CatalogError(f"{self.path}: no counted entry {key!r}") from None
        return forms[self.plural(count)].format(count=count)

    def require(self, schema: Schema) -> None:
        """Every entry ``schema`` names is here, translated, with exactly its placeholders; else one error listing all."""
        strays = [key for key in (*self.texts, *self.plural_texts) if key not in schema]
        problems = [p for key, expected in schema.items() if (p := self._problem(key, expected, strays))]
        if problems:
            raise CatalogError(f"{self.path}: " + "; ".join(problems))

    def _problem(self, key: str, expected: Spec, strays: list[str]) -> str | None:
        where = f"line {self.lines[key]}: entry {key!r}" if key in self.lines else f"entry {key!r}"
        if key not in self.texts and key not in self.plural_texts:
            near = difflib.get_close_matches(key, strays, n=1)
            return f"{where} is missing" + (f" (is {near[0]!r} a misspelling?)" if near else "")
        if expected.counted:
            if key not in self.plural_texts:
                return f"{where} is not counted (needs msgid_plural and msgstr[n])"
            forms = self.plural_texts[key]
            for n, form in enumerate(forms):
                found = placeholders(form)
                if found is None:
                    return f"{where}: msgstr[{n}] has an unbalanced brace: {form!r}"
                if extra := found - expected.placeholders:
                    return f"{where}: msgstr[{n}] has unknown placeholder(s) {_braced(extra)}"
            return None
        if key not in self.texts:
            return f"{where} is counted, but the code expects a plain entry"
        found = placeholders(self.texts[key])
        if found is None:
            return f"{where}: unbalanced brace in {self.texts[key]!r}"
        if found != expected.placeholders:
            missing, extra = expected.placeholders - found, found - expected.placeholders
            said = [f"lacks {_braced(missing)}" if missing else "", f"has unknown {_braced(extra)}" if extra else ""]
            return f"{where}: placeholders differ from the code's ({', '.join(s for s in said if s)})"
        return None


def placeholders(text: str) -> frozenset[str] | None:
    """The ``{names}`` in ``text``; None when its braces do not parse (``{title``, ``title}``)."""
    try:
        return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)
    except ValueError:
        return None


def _braced(names: Iterable[str]) -> str:
    return ", ".join(f"{{{n}}}" for n in sorted(names))


def read_catalog(path: Path) -> Catalog:
    """Parse one ``.po`` with Babel; a catalog that cannot be used as written raises :class:`CatalogError`.

    Checked here, whatever the code needs: the file parses, its name is a language, its plural rule
    parses and picks an existing form, each counted entry has exactly ``nplurals`` forms, nothing is
    empty or marked fuzzy (an unreviewed translation). What the code needs is :meth:`Catalog.require`.
    """
    lang = path.stem
    try:
        locale = Locale.parse(lang)
    except (ValueError, UnknownLocaleError) as exc:
        raise CatalogError(f"{path}: the file name must be a language code (ar.po, fr.po): {exc}") from exc
    try:
        with path.open("rb") as po:
            parsed = read_po(po, locale=locale, abort_invalid=True)
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read: {exc}") from exc
    except (PoFileError, ValueError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: not a valid .po file: {exc}") from exc
    try:
        plural = gettext.c2py(parsed.plural_expr)
        bad = next((n for n in _PLURAL_PROBE if not 0 <= plural(n) < parsed.num_plurals), None)
    except (ValueError, SyntaxError, ZeroDivisionError) as exc:
        raise CatalogError(f"{path}: Plural-Forms: bad plural expression {parsed.plural_expr!r}: {exc}") from exc
    if bad is not None:
        raise CatalogError(f"{path}: Plural-Forms: n={bad} picks form {plural(bad)}, but nplurals={parsed.num_plurals}")

    texts: dict[str, str] = {}
    plural_texts: dict[str, tuple[str, ...]] = {}
    lines: dict[str, int] = {}
    problems: list[str] = []
    for message in parsed:
        if not message.id:
            continue  # the header
        key = message.id if isinstance(message.id, str) else message.id[0]
        where = f"line {message.lineno}: entry {key!r}"
        lines[key] = message.lineno or 0
        if message.context:
            problems.append(f"{where}: msgctxt is not used; the msgid is the key")
        elif message.fuzzy:
            problems.append(f"{where} is marked fuzzy: review the translation and remove the flag")
        elif not isinstance(message.string, str):
            forms = tuple(message.string or ())
            if len(forms) != parsed.num_plurals:
                problems.append(f"{where} has {len(forms)} plural forms, Plural-Forms says nplurals={parsed.num_plurals}")
            elif not all(forms):
                problems.append(f"{where}: msgstr[{forms.index('')}] is empty")
            else:
                plural_texts[key] = forms
        elif not message.string:
            problems.append(f"{where} is not translated (empty msgstr)")
        else:
            texts[key] = message.string
    if problems:
        raise CatalogError(f"{path}: " + "; ".join(problems))
    return Catalog(lang, path, texts, plural_texts, plural, lines)


def catalog_paths(directory: Path = LOCALE_DIR) -> list[Path]:
    return sorted(directory.glob("*.po"))


@cache
def catalog(lang: str) -> Catalog:
    """The packaged catalog of ``lang``, read once: catalogs ship with the code and never change at run time."""
    return read_catalog(LOCALE_DIR / f"{lang}.po")


def counted(lang: str, key: str, count: int) -> str:
    """Counted entry ``key`` of ``lang``'s catalog in the form ``count`` takes."""
    cat = catalog(lang)
    cat.require({key: COUNTED[key]})
    return cat.counted(key, count)


def subscribers(lang: str, count: int) -> str:
    return counted(lang, "subscribers", count)


def seconds(lang: str, count: int) -> str:
    return counted(lang, "seconds", count)
