"""Counted phrases: each catalog's plural rule picks the form CLDR (through Babel) says the number takes."""

from __future__ import annotations

import pytest
from babel import Locale

from bot import i18n

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
    plural = i18n.catalog("ar").plural  # type: ignore[attr-defined]
    for n in range(1001):
        assert ARABIC_FORMS[plural(n)] == rule(n), n
