"""Text analysis for the lexical ranker: tokens, English stop words and a stemmer.

The stemmer is M. F. Porter's 1980 algorithm ("An algorithm for suffix stripping"), written
here so that the default install needs no extra package; British ``-ise``/``-isation``
spellings are folded to ``-ize``/``-ization`` first, so "organisation" and "organization"
meet. Nothing here knows about standards: no synonym list, no domain vocabulary.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

_WORD = re.compile(r"[a-z][a-z0-9]+")

STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "either",
        "etc",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "may",
        "me",
        "might",
        "more",
        "most",
        "must",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "per",
        "same",
        "shall",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "upon",
        "us",
        "very",
        "via",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "whether",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "you",
        "your",
        "e",
        "g",
        "ie",
        "eg",
    ]
)
# Connectives and adverbs that carry no subject matter (still generic English, no domain words).
STOP_WORDS |= frozenset(
    [
        "whenever",
        "wherever",
        "however",
        "although",
        "though",
        "across",
        "among",
        "amongst",
        "around",
        "always",
        "never",
        "often",
        "every",
        "another",
        "several",
        "many",
        "much",
        "less",
        "least",
        "rather",
        "instead",
        "still",
        "yet",
        "even",
        "since",
        "alongside",
        "towards",
        "toward",
        "whose",
        "thus",
        "hence",
        "therefore",
        "otherwise",
        "already",
        "almost",
        "neither",
        "onto",
        "beyond",
        "besides",
        "else",
        "ever",
        "unless",
        "whereas",
    ]
)


def _cons(w: str, i: int) -> bool:
    c = w[i]
    if c in "aeiou":
        return False
    if c == "y":
        return i == 0 or not _cons(w, i - 1)
    return True


def _m(stem: str) -> int:
    """Porter's measure: the number of vowel-consonant sequences in ``stem``."""
    n, i, ln = 0, 0, len(stem)
    while i < ln and _cons(stem, i):
        i += 1
    while i < ln:
        while i < ln and not _cons(stem, i):
            i += 1
        if i >= ln:
            break
        n += 1
        while i < ln and _cons(stem, i):
            i += 1
    return n


def _has_vowel(stem: str) -> bool:
    return any(not _cons(stem, i) for i in range(len(stem)))


def _double_cons(w: str) -> bool:
    return len(w) >= 2 and w[-1] == w[-2] and _cons(w, len(w) - 1)


def _cvc(w: str) -> bool:
    if len(w) < 3:
        return False
    return _cons(w, len(w) - 3) and not _cons(w, len(w) - 2) and _cons(w, len(w) - 1) and w[-1] not in "wxy"


def _replace(w: str, pairs: tuple[tuple[str, str], ...], min_m: int) -> str:
    for suffix, repl in pairs:
        if w.endswith(suffix):
            stem = w[: len(w) - len(suffix)]
            return stem + repl if _m(stem) > min_m else w
    return w


_STEP2 = (
    ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"),
    ("abli", "able"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"),
    ("ization", "ize"), ("ation", "ate"), ("ator", "ate"), ("alism", "al"), ("iveness", "ive"),
    ("fulness", "ful"), ("ousness", "ous"), ("aliti", "al"), ("iviti", "ive"), ("biliti", "ble"),
)  # fmt: skip
_STEP3 = (
    ("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""),
    ("ness", ""),
)  # fmt: skip
_STEP4 = (
    "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou",
    "ism", "ate", "iti", "ous", "ive", "ize",
)  # fmt: skip


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The Porter stem of a lower-case word (words of one or two letters are kept)."""
    w = word
    if len(w) <= 2:
        return w
    w = re.sub(r"is(e|es|ed|ing|ers?|ations?|ational)$", r"iz\1", w) if len(w) > 5 else w
    # Step 1a
    if w.endswith("sses") or w.endswith("ies"):
        w = w[:-2]
    elif w.endswith("ss"):
        pass
    elif w.endswith("s"):
        w = w[:-1]
    # Step 1b
    extra = False
    if w.endswith("eed"):
        if _m(w[:-3]) > 0:
            w = w[:-1]
    elif w.endswith("ed") and _has_vowel(w[:-2]):
        w, extra = w[:-2], True
    elif w.endswith("ing") and _has_vowel(w[:-3]):
        w, extra = w[:-3], True
    if extra:
        if w.endswith(("at", "bl", "iz")):
            w += "e"
        elif _double_cons(w) and w[-1] not in "lsz":
            w = w[:-1]
        elif _m(w) == 1 and _cvc(w):
            w += "e"
    # Step 1c
    if w.endswith("y") and _has_vowel(w[:-1]):
        w = w[:-1] + "i"
    w = _replace(w, _STEP2, 0)
    w = _replace(w, _STEP3, 0)
    # Step 4
    for suffix in _STEP4:
        if w.endswith(suffix):
            s = w[: len(w) - len(suffix)]
            if _m(s) > 1 and (suffix != "ion" or s.endswith(("s", "t"))):
                w = s
            break
    # Step 5
    if w.endswith("e"):
        s = w[:-1]
        if _m(s) > 1 or (_m(s) == 1 and not _cvc(s)):
            w = s
    if _m(w) > 1 and _double_cons(w) and w.endswith("l"):
        w = w[:-1]
    return w


def words(text: str) -> list[str]:
    """Lower-case words of ``text`` that are not stop words (numbers and one-letter words dropped)."""
    return [w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS]


def terms(text: str, bigrams: bool = False) -> list[tuple[str, str]]:
    """(stem, surface word) pairs of ``text``; with ``bigrams``, adjacent stems too ("a b")."""
    ws = words(text)
    out = [(stem(w), w) for w in ws]
    if bigrams:
        out += [(f"{a[0]} {b[0]}", f"{a[1]} {b[1]}") for a, b in itertools.pairwise(out)]
    return out


def sentences(text: str) -> list[str]:
    """Sentences of a guidance text (split on . ; ! ? and line breaks)."""
    parts = re.split(r"(?<=[.;!?])\s+|\n+", text)
    return [" ".join(p.split()) for p in parts if len(p.split()) >= 3]
