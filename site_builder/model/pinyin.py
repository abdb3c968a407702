"""How a student types a position's Chinese words on a phone without a Chinese keyboard: pinyin.

The catalogue's search records (site_builder.search) and /apply's finder match the same words, so
`kepu` finds 科普助理 in both.
"""

import re
from functools import lru_cache

from pypinyin import lazy_pinyin

_HAN = re.compile(r"[\u3400-\u9fff]+")


@lru_cache(maxsize=8192)
def _syllables(run: str) -> tuple[str, ...]:
    """A run's pinyin, kept: a unit's name, a district and a type recur in record after record, and
    pypinyin's phrase matching costs about 0.1 ms a name."""
    return tuple(lazy_pinyin(run, errors="ignore"))


def pinyin_words(text: str) -> list[str]:
    """Full pinyin and initials of every run of Chinese characters, from each syllable on.

    Pagefind matches the start of a word, so a run's suffixes let `kepu`, `zhuli` and `kpzl` all
    find 科普助理 (and `yz`, `yuzhong` find 渝中区) without a pinyin-aware search engine.
    """
    words: list[str] = []
    for run in _HAN.findall(text):
        full = _syllables(run)
        initials = [syllable[0] for syllable in full if syllable]
        for i in range(len(full)):
            words.append("".join(full[i:]))
            words.append("".join(initials[i:]))
    return list(dict.fromkeys(word for word in words if len(word) > 1))


_SUFFIX = re.compile(r"(土家族|苗族|自治县|区|县)+$")


def place_pinyin(name: str) -> list[str]:
    """How a district is typed in pinyin without its 区/县: in full and as initials (渝中区: yuzhong,
    yz), for the search page to read `yz` as 渝中区 where no other district shares it."""
    syllables = lazy_pinyin(_SUFFIX.sub("", name), errors="ignore")
    words = ["".join(syllables), "".join(s[0] for s in syllables if s)]
    return [word for word in dict.fromkeys(words) if len(word) > 1]
