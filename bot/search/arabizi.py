"""Arabizi: Arabic typed in Latin letters and digits ("shu 2al putin 3an el intikhabat").

Detection looks for what English does not have: digits standing for letters inside words
(3=ع, 7=ح, 2=ء, 5=خ, ...) and common dialect words spelled in Latin (shu, eh, ya3ni, bta3).
English is the default: a number ("1972 agreement", "proposal 3", "3rd"), a name or a typo
never makes a question Arabizi; English question words count against it.

Transliteration is lossy: short vowels are written or not, one Latin letter stands for
several Arabic ones (s→س/ص, t→ت/ط, h→ه/ح). So each word yields a few spellings, cheapest
first, and the caller's ``known`` (is this a word of the index?) picks the first one it
knows; the fuzzy stage downstream absorbs what is left. Dialect function words map to their
Arabic forms, which the Arabic stop list already drops. Pure functions, no state.

No PyPI library fits: the Arabizi packages there are new single-author releases, one for
Moroccan only, one GPLv3 over an HFST model, one needing onnxruntime and 12 MB of weights.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Iterator

from bot.search.stopwords import ENGLISH_STOP_WORDS

MAX_CANDIDATES = 32  # spellings tried per word, cheapest first
FUZZY_CANDIDATES = 6  # of which the first few may also be accepted by a fuzzy match

_WORD = re.compile(r"[a-z0-9']+")
_ORDINAL_OR_PLURAL = re.compile(r"\d+(st|nd|rd|th|s)")
_ARABIZI_DIGITS = frozenset("235678")

# Common dialect and MSA words in their usual Latin spellings, as latin=arabic (normalised form).
# Function words here become Arabic stop words; a word with nothing after "=" carries no meaning
# and is dropped; "_" stands for a space ("fel" = "in the").
_LEXICON_TABLE = """
# question words
shu=شو sho=شو shou=شو chou=شو shno=شنو chno=شنو shnu=شنو shnou=شنو chnou=شنو esh=ايش eish=ايش
aish=ايش wesh=وش wish=وش eh=ايه eih=ايه ih=ايه eeh=ايه meen=مين mein=مين mn=مين manu=منو mino=منو
leh=ليه leih=ليه leish=ليش lesh=ليش lish=ليش laish=ليش lih=ليه ezay=ازاي izzay=ازاي ezzay=ازاي
ezai=ازاي kif=كيف keef=كيف kief=كيف kaif=كيف kifash=كيف kifach=كيف shlon=كيف shloon=كيف chlon=كيف
wein=وين wain=وين wen=وين fein=فين fen=فين feen=فين emta=امتى imta=امتى imtaa=امتى mata=متى kam=كم
kem=كم adesh=كم addesh=كم 2adesh=كم 2addesh=كم hal=هل ma=ما maza=ماذا madha=ماذا limaza=لماذا
limadha=لماذا
# pronouns, demonstratives, particles
ana=انا enta=انت inta=انت enti=انتي howa=هو huwa=هو hiya=هي heya=هي homa=هم hum=هم e7na=احنا
i7na=احنا na7no=نحن hada=هذا hadi=هذي hatha=هذا haza=هذا hadha=هذا hayda=هيدا haida=هيدا hayde=هيدي
haidi=هيدي da=ده di=دي dah=ده deh=ده dol=دول elli=اللي illi=اللي li=اللي yalli=اللي 3an=عن 3n=عن
an=عن fi=في fe=في fee=في men=من min=من ila=الى ela=الى 3ala=على 3la=على 3al=على ma3=مع m3=مع wiya=مع
wayya=مع bein=بين bin=بين ben=بين bayn=بين w=و wa=و we=و aw=او walla=او willa=او bta3=بتاع
beta3=بتاع bta3et=بتاعت bta3t=بتاعت tab3=تبع taba3=تبع 7a2=حق ta3=تبع dyal=تبع dial=تبع ya3ni=يعني
y3ni=يعني ya3neh=يعني ya3nii=يعني bas=بس bass=بس kaman=كمان kamaan=كمان ya=يا la=لا laa=لا mesh=
mish= msh= mush= 2al=قال 2aal=قال qal=قال 2alet=قالت 2alt=قالت 2oli=قولي 2olli=قللي 2ool=قول 2ol=قول
2olly=قللي 3am= 3ma= ra7= 7a= bad=بعد ba3d=بعد 2abl=قبل abl=قبل kan=كان kaan=كان kanet=كانت
kant=كانت kanat=كانت bedi=بدي baddi=بدي biddi=بدي badi=بدي bado=بدو baddo=بدو biddo=بدو bdo=بدو
3ayez=عايز 3ayz=عايز 3awez=عاوز 3awz=عاوز 3aiz=عايز 3ayzeen=عايزين 3ayzin=عايزين 3awzeen=عاوزين
3awzin=عاوزين yebgha=يبغى yabgha=يبغى bgha=يبغى baghi=يبغى yrid=يريد yurid=يريد yreed=يريد ybi=يبي
yebi=يبي a3ref=اعرف a3rf=اعرف e3ref=اعرف na3ref=نعرف fih=فيه fi7=فيه feeh=فيه feh=فيه yi7ki= bi7ki=
7aka=حكى 7ki=حكى bezabt= bizabt= bezzabt= belzabt= bil7a2i2a= 3ashan=عشان 3shan=عشان 3alashan=علشان
lian=لان la2en=لان la2inno=لان zay=زي zei=زي mtl=مثل mithl=مثل kol=كل kull=كل kel=كل shi=شي
7aga=حاجه 7aja=حاجه 3anno=عنه 3ano=عنه 3annu=عنه 3anha=عنها 3anhom=عنهم ma3na=معنى el=ال bel=بال
bil=بال wel=وال wil=وال fel=في_ال fil=في_ال lel=لل lil=لل lal=لل le=ل la2=ل mnein=من mnen=من
mneen=من menein=من minein=من al=ال il=ال l=ال hel=ال el-=ال
# ordinals (bot.search.ordinals reads their Arabic forms)
awwal=اول awal=اول awel=اول 2awal=اول 2awwal=اول oula=اولى tani=تاني tany=تاني thani=ثاني
tanya=تانيه tanye=تانيه talet=تالت talit=تالت thaleth=ثالث thalith=ثالث rabe3=رابع rab3=رابع
rabi3=رابع khames=خامس 5ames=خامس khamis=خامس sades=سادس sadis=سادس akher=اخير a5er=اخير akhir=اخير
2akher=اخير a5ir=اخير
# proper names users type in Latin
putin=بوتين poutine=بوتين bootin=بوتين butin=بوتين amrika=امريكا amreeka=امريكا amerika=امريكا
amreka=امريكا amirka=امريكا roosya=روسيا rousia=روسيا rusia=روسيا rusya=روسيا roussia=روسيا
"""


def _parse_lexicon(table: str) -> dict[str, str]:
    pairs = (entry.split("=", 1) for line in table.splitlines() if not line.startswith("#") for entry in line.split())
    return {latin: arabic.replace("_", " ") for latin, arabic in pairs}


_LEXICON = _parse_lexicon(_LEXICON_TABLE)

# Words that are Arabizi but also English, names or other languages' words: they add to a
# question that already looks Arabizi, but never make it so on their own.
_WEAK = frozenset(
    [
        "a",
        "an",
        "da",
        "di",
        "fee",
        "fen",
        "hal",
        "hum",
        "ma",
        "men",
        "min",
        "la",
        "ya",
        "li",
        "w",
        "we",
        "wa",
        "aw",
        "ben",
        "bin",
        "bas",
        "bass",
        "el",
        "al",
        "il",
        "l",
        "fi",
        "fe",
        "kan",
        "kam",
        "ana",
        "kif",
        "wen",
        "zay",
        "ih",
        "eh",
        "mata",
        "putin",
        "poutine",
        "amerika",
        "rusia",
        "ila",
        "dial",
        "shi",
    ]
)

# Latin letters and digits to Arabic, digraphs first; each maps to its spellings, likeliest first.
_CONSONANTS: dict[str, tuple[str, ...]] = {
    "sh": ("ش",),
    "ch": ("ش",),
    "kh": ("خ",),
    "gh": ("غ",),
    "th": ("ث", "ت", "ذ"),
    "dh": ("ذ", "ظ", "ض"),
    "'3": ("غ",),
    "'7": ("خ",),
    "'9": ("ض",),
    "'6": ("ظ",),
    "3": ("ع",),
    "5": ("خ",),
    "6": ("ط",),
    "7": ("ح",),
    "8": ("غ", "ق"),
    "9": ("ص", "ق"),
    "b": ("ب",),
    "p": ("ب",),
    "t": ("ت", "ط"),
    "j": ("ج",),
    "g": ("ج", "ق", "غ"),
    "h": ("ه", "ح"),
    "d": ("د", "ض", "ظ"),
    "r": ("ر",),
    "z": ("ز", "ظ"),
    "s": ("س", "ص"),
    "f": ("ف",),
    "v": ("ف",),
    "q": ("ق", "ك"),
    "k": ("ك", "ق"),
    "c": ("ك",),
    "l": ("ل",),
    "m": ("م",),
    "n": ("ن",),
    "w": ("و",),
    "y": ("ي",),
    "x": ("كس",),
}
_LONG_VOWELS: dict[str, tuple[str, ...]] = {
    "aa": ("ا",),
    "ee": ("ي",),
    "ii": ("ي",),
    "ei": ("ي",),
    "ai": ("ي", "اي"),
    "ay": ("ي", "اي"),
    "oo": ("و",),
    "ou": ("و",),
    "uu": ("و",),
    "aw": ("و", "او"),
}
_SHORT_VOWELS: dict[str, tuple[str, ...]] = {
    "a": ("", "ا"),
    "e": ("", "ي"),
    "i": ("", "ي"),
    "o": ("", "و"),
    "u": ("", "و"),
}
_FINAL_VOWELS: dict[str, tuple[str, ...]] = {
    "a": ("ه", "ا", "ي", ""),
    "e": ("ه", "ي", ""),
    "i": ("ي", ""),
    "o": ("و", "وا", ""),
    "u": ("و", "وا", ""),
}
_PREFIXES = (
    ("wel", "وال"),
    ("wil", "وال"),
    ("bel", "بال"),
    ("bil", "بال"),
    ("fel", "في ال"),
    ("fil", "في ال"),
    ("lel", "لل"),
    ("lil", "لل"),
    ("el", "ال"),
    ("al", "ال"),
    ("il", "ال"),
)


_ATTACHING = frozenset(("ال", "بال", "وال", "لل", "في ال"))


def _has_arabizi_digit(word: str) -> bool:
    """A word spelling a letter with a digit: "3an", "y7afed", "khubara2"; not "1972", "3rd", "g7", "mp3"."""
    if not any(ch in _ARABIZI_DIGITS for ch in word) or _ORDINAL_OR_PLURAL.fullmatch(word):
        return False
    return sum(ch.isalpha() for ch in word) >= 2 and not word.isdigit()


def is_arabizi(text: str) -> bool:
    """True for Latin-script text that reads as Arabic: digit-letters and dialect words outweigh English.

    Text with Arabic letters is left to the Arabic chain; English stays English unless at
    least one strong sign and one weak sign of Arabizi appear and outnumber its English function words.
    """
    if any("\u0600" <= ch <= "\u06ff" for ch in text):
        return False
    words = _WORD.findall(text.lower())
    signs = 0.0
    english = 0
    for word in words:
        if _has_arabizi_digit(word):
            signs += 2
        elif word in _LEXICON:
            signs += 0.5 if word in _WEAK else 1
        elif word in ENGLISH_STOP_WORDS:
            english += 1
    return signs >= 1.5 and signs > english


def _last_consonant(word: str, i: int) -> bool:
    """Whether ``word[i:]`` is one consonant (a digraph counts as one), ending the word."""
    rest = word[i:]
    return (len(rest) == 1 and rest in _CONSONANTS) or (len(rest) == 2 and rest in _CONSONANTS)


def _hamza(word: str, i: int) -> tuple[str, ...]:
    """The spellings of a "2": alef at the start, ق (Egyptian, Levantine), and its seat by the vowels.

    Normalisation writes ؤ as و and ئ as ي, so a hamza beside o/u may be و and beside i/e ي.
    """
    if i == 0:
        return ("ا", "ق")
    near = word[i - 1 : i + 2]
    seats = ("و",) if any(v in near for v in "ou") else ("ي",) if any(v in near for v in "ie") else ()
    return ("ء", "ق", "ا", *seats)


def _segments(word: str) -> list[tuple[str, ...]]:
    """The options of each sound of ``word``, longest Latin spelling first."""
    options: list[tuple[str, ...]] = []
    i = 0
    while i < len(word):
        two = word[i : i + 2]
        if two in _CONSONANTS and len(two) == 2:
            options.append(_CONSONANTS[two])
            i += 2
        elif two in _LONG_VOWELS and len(two) == 2:
            options.append(("ا",) + _LONG_VOWELS[two][1:] if i == 0 else _LONG_VOWELS[two])
            i += 2
        elif (ch := word[i]) in _SHORT_VOWELS:
            if i == 0 or (i == 1 and word[0] == "2"):  # an initial vowel, or the one an initial hamza carries
                if i == 0:
                    options.append(("ا", "او", "اي") if ch in "ou" else ("ا",))
            elif i == len(word) - 1:
                options.append(_FINAL_VOWELS[ch])
            elif ch == "a" and _last_consonant(word, i + 1):  # -aC endings: "-at", "iftiCaaC", "CiCaaC"
                options.append(("ا", ""))
            else:
                options.append(_SHORT_VOWELS[ch])
            i += 1
        elif ch == "2":
            options.append(_hamza(word, i))
            i += 1
        elif ch == "t" and i == len(word) - 1 and i >= 3 and word[i - 1] in "ae":  # -at/-et: ت or ة
            options.append(("ت", "ه", "ط"))
            i += 1
        elif ch in _CONSONANTS:
            if i > 0 and word[i - 1] == ch:  # a doubled letter is one letter with shadda
                i += 1
                continue
            options.append(_CONSONANTS[ch])
            i += 1
        else:  # an apostrophe on its own, or an unknown character
            i += 1
    return options


def spellings(word: str, limit: int = MAX_CANDIDATES) -> Iterator[str]:
    """Arabic spellings of one Arabizi word, cheapest (first options everywhere) first."""
    options = [o for o in _segments(word) if o]
    if not options:
        return
    start = (0,) * len(options)
    heap: list[tuple[int, tuple[int, ...]]] = [(0, start)]
    seen = {start}
    produced: set[str] = set()
    while heap and len(produced) < limit:
        cost, choice = heapq.heappop(heap)
        spelling = "".join(o[c] for o, c in zip(options, choice))
        if spelling and spelling not in produced:
            produced.add(spelling)
            yield spelling
        for k, c in enumerate(choice):
            if c + 1 < len(options[k]):
                nxt = choice[:k] + (c + 1,) + choice[k + 1 :]
                if nxt not in seen:
                    seen.add(nxt)
                    heapq.heappush(heap, (cost + 1, nxt))


def _split_prefix(word: str) -> tuple[str, str]:
    """An attached article or preposition ("elintikhabat", "bel", "l2itisal") and the rest."""
    if word.startswith(("l2", "l'")):
        return "ال", word[1:]
    for latin, arabic in _PREFIXES:
        if word.startswith(latin) and len(word) - len(latin) >= 3 and word[len(latin)] not in "aeiou":
            return arabic, word[len(latin) :]
    return "", word


EXACT, VARIANT, FUZZY = 0, 1, 2  # how loosely ``known`` may match, tried in this order
Known = Callable[[str, int], bool]


def _word(word: str, known: Known) -> str:
    if word in _LEXICON:
        return _LEXICON[word]
    if word.isdigit():
        return word
    prefix, body = _split_prefix(word)
    candidates = list(spellings(body))
    if not candidates:
        return prefix
    for level in (EXACT, VARIANT, FUZZY):
        for candidate in candidates[: FUZZY_CANDIDATES if level == FUZZY else None]:
            if known(candidate, level):
                return _join(prefix, candidate)
    return _join(prefix, candidates[0])


def _join(prefix: str, body: str) -> str:
    """A prefix and a word, without doubling the article ("بال" + "الانتخابات")."""
    if (prefix.endswith("ال") or prefix == "لل") and body.startswith("ال"):
        body = body[2:]
    return prefix + body


def to_arabic(text: str, known: Known) -> str:
    """Arabizi ``text`` in Arabic script, word by word.

    ``known(word, level)`` says whether the index knows an Arabic word: exactly (EXACT), in a
    lighter form (VARIANT) or within typo distance (FUZZY); of a word's spellings the first
    known at the strictest level wins. A free-standing article or preposition
    ("el intikhabat", "bel intikhabat") joins the next word, as Arabic writes it.
    """
    out: list[str] = []
    pending = ""
    for word in _WORD.findall(text.lower()):
        word = word.strip("'")
        if not word:
            continue
        arabic = _word(word, known)
        if arabic in _ATTACHING:
            pending = arabic
            continue
        if pending and arabic and " " not in arabic and not arabic.isdigit():
            arabic = _join(pending, arabic)
        pending = ""
        if arabic:
            out.append(arabic)
    return " ".join(out)
