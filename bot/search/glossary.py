"""A small bilingual glossary of the statement's key terms.

Each group holds single words that mean the same thing here, in Arabic and English, including
words people use that the article does not ("America", "Moscow", "treaty", "hotline", "سايبر").
A query word in a group also matches every other word of its group, so a question in one
language, a mixed one, or one using a synonym still reaches the passage. Single words only:
a phrase would bring in its common words ("security") as translations of a rare one ("cyber").
"""

from __future__ import annotations

GLOSSARY: tuple[tuple[str, ...], ...] = (
    ("cyber", "سيبراني", "السيبراني", "سايبر", "السايبر", "الالكتروني", "الكتروني", "الالكترونيه", "الكترونيه"),
    ("election", "elections", "electoral", "vote", "votes", "voting", "polls", "ballot", "انتخابات", "الانتخابية",
     "انتخابي", "تصويت"),
    ("agreement", "treaty", "treaties", "accord", "pact", "deal", "convention", "اتفاق", "اتفاقية", "معاهدة",
     "معاهدات", "صفقة"),
    ("putin", "بوتين", "بوتن"),
    ("kremlin", "الكرملين", "كرملين"),
    ("tass", "تاس"),
    ("russia", "russian", "russians", "moscow", "روسيا", "الروسي", "الروس", "موسكو"),
    ("usa", "united", "america", "american", "americans", "washington", "امريكا", "امريكي", "الامريكي", "الامريكان",
     "امريكان", "الامريكانيه", "امريكاني", "واشنطن"),
    ("soviet", "soviets", "ussr", "سوفيتي", "السوفيتيه", "سوفييتي", "السوفييت", "السوفيت"),
    # hacking is how people name both interference and a cyber strike: in both groups
    ("interference", "interfere", "interfering", "intervention", "intervene", "meddling", "meddle", "تدخل",
     "التدخل", "تدخلات", "hack", "hacking", "اختراق", "اختراقات", "قرصنه", "قرصنة"),
    ("strike", "attack", "attacks", "hit", "يضرب", "هجوم", "هجمات", "هجمة", "ضربة", "ضربات", "aggression", "hack", "hacking",
     "اختراق", "اختراقات", "قرصنة"),
    ("confrontation", "war", "warfare", "conflict", "مواجهة", "حرب", "صراع", "نزاع"),
    ("dialogue", "dialog", "talks", "negotiations", "discussions", "conversation", "حوار", "محادثات", "مفاوضات",
     "مباحثات", "نقاش", "مناقشات", "الحكي"),
    ("restore", "resume", "revive", "restart", "استعادة", "استئناف", "احياء", "يرجع", "ارجاع"),
    ("relations", "relationship", "ties", "علاقات", "العلاقات"),
    ("expert", "experts", "specialists", "خبراء", "خبير", "متخصصين"),
    ("incident", "incidents", "accident", "accidents", "حوادث", "حادث"),
    ("prevent", "prevention", "preventing", "avoid", "منع", "تجنب", "تفادي"),
    ("internal", "domestic", "داخلي", "الداخليه", "داخليه"),
    ("main", "key", "major", "biggest", "principal", "رئيسي", "الرئيسيه", "اكبر", "اهم"),
    ("disagreements", "disputes", "differences", "خلافات", "الخلافات", "اختلافات"),
    ("appeal", "call", "urge", "مناشده", "مناشدة", "دعوه", "دعوة", "يدعو", "ندعو", "دعا"),
    ("sea", "seas", "naval", "navy", "maritime", "بحار", "البحار", "بحر", "بحري", "البحريه"),
    ("first", "اول", "البدء", "بدء", "يبدا"),
    ("analogy", "model", "modelled", "قياس", "القياس", "يقيس", "غرار"),
    ("programme", "program", "plan", "برنامج", "خطة", "خطه"),
    ("signed", "signing", "توقيع", "وقع", "وقعت"),
    ("proposal", "propose", "proposed", "suggest", "suggested", "suggestion", "suggestions", "offer", "initiative",
     "اقتراح", "مقترح", "اقترح", "مقترحات", "اقتراحات", "يقترح", "مبادرة", "قدم", "يقدم", "تقديم"),
    ("measures", "steps", "actions", "اجراءات", "تدابير", "خطوات"),
    ("guarantee", "guarantees", "assurances", "ضمانات", "ضمان"),
    ("commitment", "commit", "pledge", "promise", "undertaking", "التزام", "الالتزام", "تعهد", "يتعهد", "تتعهد",
     "وعد"),
    ("countries", "country", "nations", "nation", "states", "دول", "الدول", "دولة", "بلدان", "البلدان"),
    ("trust", "confidence", "ثقة"),
    ("existing", "earlier", "previous", "الحاليه", "القديمه", "قديمه", "قديم", "السابقه"),
    ("goal", "aim", "aims", "purpose", "point", "achieve", "objective", "objectives", "هدف", "الهدف", "اهداف", "غرض", "غايه"),
    ("channel", "channels", "hotline", "line", "lines", "contacts", "touch", "قنوات", "قناة", "خط", "خطوط"),
    ("nuclear", "نووية", "النووية"),
    ("information", "معلومات", "المعلومات"),
    ("technology", "technologies", "tech", "تكنولوجيا", "تقنيات", "التكنولوجيا", "تقنية"),
    ("credit", "copyright", "حقوق"),
    ("computer", "computers", "كمبيوتر", "الكمبيوتر", "حاسوب", "الحاسوب", "حاسوبيه", "الحاسوبيه", "حاسب"),
    ("emergency", "طوارئ", "الطوارئ", "طارئ"),
    ("photo", "picture", "image", "photograph", "photographer", "صورة", "الصورة", "التقط", "مصور"),
    ("publisher", "published", "publish", "republished", "posted", "ناشر", "نشر", "الناشر", "انتشر", "ينشر"),
    ("source", "reported", "مصدر", "المصدر", "نقلت", "نقل"),
    ("website", "site", "موقع"),
    ("security", "امن", "الامن"),
    ("cooperation", "cooperate", "تعاون", "التعاون"),
    ("president", "رئيس", "الرئيس"),
    ("1972", "١٩٧٢"),
)  # fmt: skip
