"""Stop words: words that carry no information about which passage answers a question.

Lists are in normalised form (see :mod:`bot.search.normalize`: no hamza on alef, ه for ة, ي for ى),
so "إيه" and "ايه" are the same entry. Besides function words they hold question words and
colloquial ones (Gulf, Levantine, Egyptian: شو، ايش، وش، ليش، ايه، شنو، ...) and polite filler
("tell me", "please", "بدي اعرف"), because a question's wording must not decide its answer.
"""

from __future__ import annotations

from bot.search.normalize import fold_arabic

_ARABIC = """
من في على علي الى إلى عن مع هذا هذه هذي ذلك ذاك تلك هاذا هاذي اللي التي الذي الذين اللذين اللتين
هو هي هم هما هن انا أنا نحن احنا انت انتم انتي انتو ما ماذا لماذا ليش ليه هل كيف متى متي اين أين وين فين
مين منو شو ايش إيش اش وش شنو شنهو شنو ايه إيه اي أي أية ايوه عشان علشان لأن لان
قد لقد كان كانت يكون تكون كانوا ان إن أن انه انها إنه أنه او أو ام أم ثم كل بعض غير عند عندما لما لكن بل
حول بشأن بخصوص بالنسبة بالنسبه قال قالت يقول يقولون تقول تكلم حكى حكا قلي قللي قولي قول قل اخبرني أخبرني خبرني
ممكن لو سمحت رجاء رجاءً فضلك بدي ابغى ابغي ابي أبي اريد أريد عايز عاوز ودي اعرف أعرف نعرف يعرف يعني بس كمان
هاد هادا هاي هيدا هيدي هيك هيك دا دي ده دة كده كذا و يا لا لم لن كم شي شيء شيئ اشي حاجة حاجه
فيه فيها عليه عليها به بها له لها منه منها عنه عنها هناك هنا ايضا أيضا ايضًا او
يريد تريد يريدون اراد أراد بدو بده بدها بدهم يبي تبي يبغى يبغي يبا يبى عاوزين عايزين
تحدث يتحدث تتحدث تحدثت يذكر ذكرت يمكن يمكنني يمكنك يمكنا نقدر اقدر أقدر
اقرا اقرأ يقرا قراءه قراءة الاقي ألاقي القي ألقى اجد أجد يلاقي اشوف أشوف شوف
تم يتم طلب طلبها يطلب يعمل تعمل نعمل زي زاي مثل وجه وجهها يوجه صاحب يجب لازم
حكايه حكاية قصه قصة القصه القصة سالفه سالفة السالفه موضوع الموضوع شان شأن
بتاع بتاعة بتاعه بتاعت تبع تبعت تبعه تبعها حق حقت الكلام كلام جهه جهة الجهه الجهة
"""

_ENGLISH = """
a an the of in on at to for with by from into onto over under about as than then so and or but nor not no
what whats which who whom whose when where why how whatever whoever
did does do done doing is are was were be been being am has have had having
tell told say said says saying mention mentioned mentions talk talked speak spoke
me my mine i we our ours us you your yours he his him she her hers it its they them their theirs
this that these those there here can could would should will shall may might must
please pls kindly hi hello hey thanks thank ok okay
also just any some such very really actually exactly
know want like think explain give show let lets any anything something thing things
regarding concerning according re
make makes made making take takes took taken get gets got getting come comes came go goes went going
kind kinds type sort way ways stuff bit
out off up wat wht waht whta wut become becomes became behind many much read find see look check wants wanted ask asked asks asking launch year years
"""


_OBJECT_PRONOUNS = ("ها", "هم", "ه")


def _normalized_set(words: str, fold: bool) -> frozenset[str]:
    return frozenset(fold_arabic(w) if fold else w for w in words.split())


ARABIC_STOP_WORDS = _normalized_set(_ARABIC, fold=True)
ENGLISH_STOP_WORDS = _normalized_set(_ENGLISH, fold=False)
_VERBS_TAKING_OBJECTS = _normalized_set("يريد تريد اراد قال يقول ذكر يذكر طلب يطلب قدم يقدم اعرف نعرف يعرف", fold=True)


def is_stop_word(word: str) -> bool:
    """True for a normalised token that says nothing about the passage asked for.

    Levantine and Egyptian put ب before a present-tense verb ("بيقول", "بتقول"): such a form
    is a stop word when the verb is; so is a stop verb with an object pronoun ("يريده").
    """
    if word in ARABIC_STOP_WORDS or word in ENGLISH_STOP_WORDS:
        return True
    if len(word) > 3 and word[0] == "ب" and word[1] in "يتن" and word[1:] in ARABIC_STOP_WORDS:
        return True
    # an object pronoun on a stop verb: "يريده" (wants it), "بدها"
    return any(word.endswith(p) and word[: -len(p)] in _VERBS_TAKING_OBJECTS for p in _OBJECT_PRONOUNS)
