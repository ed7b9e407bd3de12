"""A small bilingual glossary of the statement's key terms.

Each group holds single words that mean the same thing here, in Arabic and English, including
words people use that the article does not ("America", "Moscow", "treaty", "hotline", "سايبر").
A query word in a group also matches every other word of its group, so a question in one
language, a mixed one, or one using a synonym still reaches the passage. Single words only:
a phrase would bring in its common words ("security") as translations of a rare one ("cyber").
"""

from __future__ import annotations

GLOSSARY: tuple[tuple[str, ...], ...] = (
    ("cyber", "سيبراني", "السيبراني", "سايبر", "السايبر", "الالكتروني", "الكتروني"),
    ("election", "elections", "electoral", "vote", "voting", "انتخابات", "الانتخابية", "انتخابي", "تصويت"),
    ("agreement", "treaty", "accord", "pact", "اتفاق", "اتفاقية", "معاهدة"),
    ("putin", "بوتين", "بوتن"),
    ("kremlin", "الكرملين", "كرملين"),
    ("tass", "تاس"),
    ("russia", "russian", "russians", "moscow", "روسيا", "الروسي", "الروس", "موسكو"),
    ("usa", "america", "american", "americans", "washington", "امريكا", "امريكي", "الامريكي", "الامريكان",
     "واشنطن"),
    ("interference", "interfere", "meddling", "meddle", "تدخل", "التدخل"),
    ("dialogue", "dialog", "talks", "حوار", "محادثات"),
    ("expert", "experts", "خبراء", "خبير"),
    ("incident", "incidents", "حوادث", "حادث"),
    ("sea", "seas", "naval", "بحار", "البحار", "بحر"),
    ("confrontation", "مواجهة"),
    ("proposal", "propose", "proposed", "اقتراح", "مقترح", "اقترح", "مقترحات"),
    ("guarantee", "guarantees", "ضمانات", "ضمان"),
    ("trust", "confidence", "ثقة"),
    ("channel", "channels", "hotline", "قنوات", "قناة"),
    ("nuclear", "نووية", "النووية"),
    ("strike", "attack", "attacks", "يضرب", "هجوم", "ضربة"),
    ("information", "معلومات", "المعلومات"),
    ("technology", "technologies", "tech", "تكنولوجيا", "تقنيات", "التكنولوجيا"),
    ("photo", "picture", "image", "صورة", "الصورة"),
    ("publisher", "published", "publish", "ناشر", "نشر", "الناشر"),
    ("source", "مصدر", "المصدر"),
    ("website", "site", "موقع"),
    ("security", "امن", "الامن"),
    ("cooperation", "cooperate", "تعاون", "التعاون"),
    ("president", "رئيس", "الرئيس"),
    ("1972", "١٩٧٢"),
)  # fmt: skip
