"""The catalogs: counted phrases take the form CLDR says; a broken catalog is refused naming file, line and entry."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel import Locale

from bot import i18n
from bot.check import CATALOG_SCHEMA, check_catalogs
from bot.config import PROJECT_ROOT
from bot.telegram.texts import from_catalog, texts
from tests.bot_env import bot_env

ARABIC_FORMS = ("zero", "one", "two", "few", "many", "other")  # the order of ar.po's msgstr[0..5]


@pytest.mark.parametrize(
    ("count", "subscribers", "seconds"),
    [
        (0, "لا مشتركين", "0 ثانية"),
        (1, "مشترك واحد", "ثانية واحدة"),
        (2, "مشتركان", "ثانيتين"),
        (3, "3 مشتركين", "3 ثوانٍ"),
        (11, "11 مشتركاً", "11 ثانية"),
        (100, "100 مشترك", "100 ثانية"),
    ],
)
def test_arabic_plural_forms(count: int, subscribers: str, seconds: str) -> None:
    """0/1/2/3/11/100 each take their own Arabic form; '2 مشترك' and '11 مشترك' never appear."""
    assert i18n.subscribers("ar", count) == subscribers
    assert i18n.seconds("ar", count) == seconds


@pytest.mark.parametrize(("count", "expected"), [(0, "0 subscribers"), (1, "1 subscriber"), (2, "2 subscribers"), (11, "11 subscribers")])
def test_english_plural_forms(count: int, expected: str) -> None:
    assert i18n.subscribers("en", count) == expected


def test_the_catalog_plural_rule_agrees_with_cldr() -> None:
    """ar.po's Plural-Forms expression gives, for every n up to 1000, the category Babel's CLDR data gives."""
    rule = Locale.parse("ar").plural_form
    plural = i18n.catalog("ar").plural
    for n in range(1001):
        assert ARABIC_FORMS[plural(n)] == rule(n), n


def _broken(tmp_path: Path, lang: str, old: str, new: str) -> Path:
    """A copy of the shipped ``lang.po`` with one edit, as a translator's slip would make it."""
    text = (i18n.LOCALE_DIR / f"{lang}.po").read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / f"{lang}.po"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("lang", "old", "new", "says"),
    [
        ("ar", 'msgid "help_title"', 'msgid "help_titel"', "entry 'help_title' is missing (is 'help_titel' a misspelling?)"),
        ("en", "to {limit} characters", "to {limt} characters", "entry 'too_long': placeholders differ from the code's (lacks {limit}, has unknown {limt})"),
        ("en", "mention me ({username})", "mention me: {username}", None),  # still fine: the same placeholder, braces balanced
        ("en", "“{title}”", "“{title”", "entry 'help_knows': unbalanced brace"),
        ("ar", 'msgstr[5] "{count} مشترك"\n', "", "entry 'subscribers': msgstr[5] is empty"),
        ("ar", 'msgstr[4] "{count} ثانية"', 'msgstr[4] "{count} ثانية {n}"', "entry 'seconds': msgstr[4] has unknown placeholder(s) {n}"),
        ("en", 'msgstr "Start"', 'msgstr ""', "entry 'command_start' is not translated"),
        ("en", 'msgid "apology"', '#, fuzzy\nmsgid "apology"', "entry 'apology' is marked fuzzy"),
        ("ar", "n%100>=11 ? 4 : 5);", "n%100>=11 ? 4 : 6);", "Plural-Forms: n=100 picks form 6, but nplurals=6"),
        ("ar", "nplurals=6", "nplurals=5", "more translations than num_plurals"),
        ("ar", "n%100>=11 ? 4 : 5);", "n%100>=11 ? 4 : 5;", "Plural-Forms: bad plural expression"),
        ("en", 'msgid "subscribers"\nmsgid_plural "subscribers"', 'msgid "subscribers"', "entry 'subscribers' is not counted"),
    ],
)
def test_a_broken_catalog_is_refused_naming_the_file_line_and_entry(tmp_path: Path, lang: str, old: str, new: str, says: str | None) -> None:
    """Each slip a translator can make is caught when the catalog is read, with where it is and what is wrong."""
    path = _broken(tmp_path, lang, old, new)
    if says is None:
        i18n.read_catalog(path).require(CATALOG_SCHEMA)
        return
    with pytest.raises(i18n.CatalogError) as caught:
        i18n.read_catalog(path).require(CATALOG_SCHEMA)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and says in message, message
    if "entry" in says and "missing" not in says:
        assert re.search(r"line \d+: entry", message), message


def test_check_reports_every_broken_catalog(tmp_path: Path) -> None:
    """``check`` reads every .po of the directory and reports each broken one, not only the first."""
    _broken(tmp_path, "ar", 'msgid "apology"', 'msgid "apologies"')
    _broken(tmp_path, "en", "to {limit} characters", "to {limt} characters")
    problems = [p.message for p in check_catalogs(tmp_path)]
    assert len(problems) == 2 and "ar.po" in problems[0] and "'apology'" in problems[0] and "'too_long'" in problems[1]
    assert check_catalogs(i18n.LOCALE_DIR) == []


def test_a_missing_language_catalog_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "en.po").write_bytes((i18n.LOCALE_DIR / "en.po").read_bytes())
    assert [p.message for p in check_catalogs(tmp_path)] == [f"interface catalog {tmp_path / 'ar.po'}: missing"]


def test_a_new_language_is_a_po_file(tmp_path: Path) -> None:
    """A translator's fr.po (en.po translated) is read and checked like the shipped ones, with its own plural rule."""
    text = (i18n.LOCALE_DIR / "en.po").read_text(encoding="utf-8")
    text = text.replace("Language: en", "Language: fr").replace("plural=(n != 1)", "plural=(n > 1)")
    text = text.replace('msgstr[0] "{count} subscriber"', 'msgstr[0] "{count} abonné"').replace('msgstr[1] "{count} subscribers"', 'msgstr[1] "{count} abonnés"')
    (tmp_path / "fr.po").write_text(text, encoding="utf-8")
    french = i18n.read_catalog(tmp_path / "fr.po")
    french.require(CATALOG_SCHEMA)
    assert [french.counted("subscribers", n) for n in (0, 1, 2)] == ["0 abonné", "1 abonné", "2 abonnés"]
    assert from_catalog(french).help_title == texts("en").help_title


def test_the_bot_does_not_start_with_a_broken_catalog(tmp_path: Path) -> None:
    """Start-up (``run`` and ``check``) refuses a broken shipped catalog with exit 2, naming the file and the entry.

    The bot package is copied and its ar.po broken in the copy, which ``python -m bot`` then runs.
    """
    shutil.copytree(PROJECT_ROOT / "bot", tmp_path / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    _broken(tmp_path / "bot" / "locale", "ar", "أحرفه {limit}", "أحرفه {limt}")
    for command in ("check", "run"):
        result = subprocess.run(
            [sys.executable, "-m", "bot", command],
            cwd=tmp_path,
            env=bot_env(
                BOT_TOKEN="123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
                BOT_API_BASE_URL="http://127.0.0.1:9/bot",
                BOT_DATA_DIR=str(tmp_path / "data"),
                BOT_KNOWLEDGE_DIR=str(PROJECT_ROOT / "knowledge"),
            ),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 2, result.stderr
        assert f"{tmp_path / 'bot' / 'locale' / 'ar.po'}: line " in result.stderr and "'too_long'" in result.stderr
        assert "Traceback" not in result.stderr
