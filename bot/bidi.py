"""Latin runs inside Arabic lines, wrapped in Unicode bidi isolates so they are drawn the right way.

In a right-to-left line, a command or a mention is laid out by the bidi algorithm together with
the neutral characters around it: ``/ask`` is drawn ``ask/`` and ``@bayan_bot`` is drawn
``bayan_bot@``. Wrapping each Latin run in LEFT-TO-RIGHT ISOLATE (U+2066) … POP DIRECTIONAL
ISOLATE (U+2069) makes it one left-to-right unit that its neighbours cannot reorder.

Only lines whose first strong character is Arabic are touched: an isolate is skipped when the
paragraph direction is chosen, so wrapping the opening Latin words of an English line would turn
the whole line right-to-left. Runs keep the spaces between Latin words ("Vladimir Putin" stays
one run, not two words swapped), and trailing punctuation stays outside the run. Already isolated
text is left as it is, so :func:`isolate_latin` can run twice.
"""

from __future__ import annotations

import re

LRI = "\u2066"
PDI = "\u2069"
_ISOLATE_OPENERS = frozenset("\u2066\u2067\u2068")

# A Latin word: optional / or @ (commands, mentions), then letters, digits and URL characters.
_WORD = r"[/@]?[A-Za-z][A-Za-z0-9_.:/@?=&%#+~-]*"
LATIN_RUN = re.compile(rf"{_WORD}(?:[ \u00a0]+(?:{_WORD}|\d+))*")
_TRAILING = ".,:;!?)-"
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_STRONG_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


def is_arabic_line(line: str) -> bool:
    """Whether the line's first strong character (Latin or Arabic letter) is Arabic."""
    for ch in line:
        if _ARABIC.match(ch):
            return True
        if _STRONG_LATIN.match(ch):
            return False
    return False


def _isolate_line(line: str) -> str:
    out: list[str] = []
    depth = 0
    pos = 0
    for m in LATIN_RUN.finditer(line):
        start, end = m.start(), m.end()
        before = line[pos:start]
        for ch in before:
            if ch in _ISOLATE_OPENERS:
                depth += 1
            elif ch == PDI and depth:
                depth -= 1
        out.append(before)
        run = m.group(0)
        stripped = run.rstrip(_TRAILING)
        if depth or not stripped:
            out.append(run)
        else:
            out.append(f"{LRI}{stripped}{PDI}{run[len(stripped):]}")
        pos = end
    out.append(line[pos:])
    return "".join(out)


def isolate_latin(text: str) -> str:
    """``text`` with every Latin run of its Arabic lines wrapped in LRI … PDI (other lines untouched)."""
    if not _ARABIC.search(text):
        return text
    return "\n".join(_isolate_line(line) if is_arabic_line(line) else line for line in text.split("\n"))


def unisolated_latin(text: str) -> list[str]:
    """The Latin runs of Arabic lines that are not inside an isolate: what a test of sent texts looks for."""
    found = []
    for line in text.split("\n"):
        if not _ARABIC.search(line):
            continue
        depth = 0
        for i, ch in enumerate(line):
            if ch in _ISOLATE_OPENERS:
                depth += 1
            elif ch == PDI and depth:
                depth -= 1
            elif depth == 0 and _STRONG_LATIN.match(ch):
                m = LATIN_RUN.match(line, max(0, i - 1) if i and line[i - 1] in "/@" else i)
                found.append(m.group(0) if m else ch)
                break
    return found
