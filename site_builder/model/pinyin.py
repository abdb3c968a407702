"""How a student types a position's Chinese words on a phone without a Chinese keyboard: pinyin.

The catalogue's search records (site_builder.search) and /apply's finder match the same words, so
`kepu` finds 科普助理 in both.
"""

import re

from pypinyin import lazy_pinyin

_HAN = re.compile(r"[\u3400-\u9fff]+")


def pinyin_words(text: str) -> list[str]:
    """Full pinyin and initials of every run of Chinese characters, from each syllable on.

    Pagefind matches the start of a word, so a run's suffixes let `kepu`, `zhuli` and `kpzl` all
    find 科普助理 (and `yz`, `yuzhong` find 渝中区) without a pinyin-aware search engine.
    """
    words: list[str] = []
    for run in _HAN.findall(text):
        full = lazy_pinyin(run, errors="ignore")
        initials = [syllable[0] for syllable in full if syllable]
        for i in range(len(full)):
            words.append("".join(full[i:]))
            words.append("".join(initials[i:]))
    return list(dict.fromkeys(word for word in words if len(word) > 1))
