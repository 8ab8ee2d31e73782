"""Korean sentence ends where the writer left out the full stops.

A Korean sentence closes with a final ending: -다, -요, -까, -죠 in today's
prose, -니라, -도다, -리라, -느냐, -소서 in the older style of the Bible
translations. A paragraph without sentence-final punctuation (a transcript,
subtitles, chat, verse, OCR, an old text) is cut after each word that ends in
one, unless

- the word stands inside a quotation or brackets (a quoted sentence stays
  with the sentence that quotes it, as kss keeps it in punctuated text);
- a mark other than a full stop follows it (``밝혔다;``, ``있다,``, ``있다:``);
- the next word takes it as a quotation or a complement (``있으라 하시매``,
  ``능력이라 할지라도``, ``도모하다 보면``, ``식당들이라 볼 수``);
- it is a noun that ends like an ending (나라, 바다, 주요, 유다) or a
  connective that looks like one (들여다, 가져다, 누구나).

The rules read the words' spelling; mecab's morphemes (``python-mecab-ko``,
loaded by the first paragraph that needs them) then rule out the nouns and
connectives no list holds (유다, 고모라, 가져다). Without mecab the spelling
alone decides, and a warning says so once.

Ends come in three strengths: ``SURE`` (the final endings), ``WEAK`` (endings
that close a sentence about as often as they join two clauses: -이요, -리니,
-더니, -거늘 ...) and ``CLAUSE`` (connectives: -고, -며, -니, -매, -되 ...).
:func:`sentence_ends` returns them all; a splitter cuts at the sure ones, an
aligner may take the others as places where it can cut.
"""

from __future__ import annotations

import importlib.util
import re
import warnings
from functools import lru_cache

__all__ = ["SURE", "WEAK", "CLAUSE", "sentence_ends", "spans_at", "unpunctuated", "morphology_backend", "backend_name"]

SURE, WEAK, CLAUSE = 3, 2, 1

# final endings, as a word's Hangul ends
_SURE_ENDINGS = (
    # the older style (개역한글 and the like)
    "니라",
    "리라",
    "도다",
    "로다",
    "더라",
    "노라",
    "러라",
    "지라",
    "찌라",
    "지어다",
    "찌어다",
    "소서",
    "느냐",
    "뇨",
    "이까",
    "나이다",
    "찐저",
    "진저",
    "으랴",
    "리요",
    "라",
    # today's
    "다",
    "요",
    "죠",
    "까",
    "는가",
    "인가",
    "은가",
    "던가",
    "한가",
    "는군",
    "었군",
    "았군",
    "였군",
    "겠군",
    "이군",
    "로군",
    "구나",
    "구려",
    "구먼",
    "는데요",
    "했네",
    "하네",
    "있네",
    "없네",
    "같네",
    "좋네",
    "되네",
    "겠네",
    "었네",
    "았네",
    "였네",
    "이네",
)
# endings that close a sentence about as often as they join two clauses
_WEAK_ENDINGS = (
    "아니라",
    "이요",
    "리니",
    "더니",
    "거늘",
    "나니",
    "노니",
    "시니",
    "으니",
    "이니",
    "하니",
    "되니",
    "이며",
    "니와",
)
# connectives: where a clause ends inside a sentence
_CLAUSE_ENDINGS = ("며", "고", "니", "매", "되", "나", "여", "사", "늘", "즉", "대", "서", "면", "데", "므로", "지만")
# words that end like a final ending but are none (spelling; mecab finds the rest)
_NOT_FINAL = (
    "따라",
    "더러",
    "마다",
    "보다",
    "부터",
    "까지",
    "조차",
    "누구나",
    "언제나",
    "어디나",
    "다가",
    "나라",
    "바다",
    "캐나다",
    "카메라",
    "인프라",
    "오페라",
    "주요",
    "필요",
    "중요",
    "수요",
    "동네",
)
# -어다 / -아다 join two verbs (들여다 놓다, 가져다 주다); -지어다 closes a sentence
_JOINING_DA, _FINAL_EODA = ("어다", "아다", "여다"), ("지어다", "찌어다")
# -니까 closes a sentence only as -ㅂ니까 (하십니까, 됩니까, 습니까)
_FINAL_NIKKA_STEM = frozenset("습십입합됩갑값칩답렵럽쉽깁깝텁겁")

# the next word takes the one before as a quotation or a complement
_COMPLEMENT_NEXT = re.compile(
    r"(?:고$|며$|라고|라는|라며|라면|싶|못(?:해|하|한|할|했)|말고|불리|부르|일컫|칭하|여기[는고며]|생각[하되한했])"
)
# ... or as the verb 하- or 보- (있으라 하시매, 하리라 하셨느니라, 도모하다 보면), not the nouns and
# adverbs these begin (하나님, 하늘, 한국, 함께, 보고서)
_HA_BO_NEXT = re.compile(
    r"(?:하(?:고|며|면|니|매|되|여|였|시|신|심|셨|사|리|더|던|는|기|라|다|겠|거|자|노|나이|지(?!만))|"
    r"한$|한다|할$|할[지찌진줄것]|함[이을]|합니|합시|해$|해도|해야|했|"
    r"보(?:면|니|다가|면서|고(?!서)|아|았|기|는|였)|봐|볼$|본$|봤)"
)
_BEHOLD = ("보라", "보소서", "볼지어다", "보십시오", "보세요")  # 보- that opens a sentence

_OPEN_CLOSE = {
    "(": ")",
    "[": "]",
    "{": "}",
    "（": "）",
    "［": "］",
    "《": "》",
    "〈": "〉",
    "「": "」",
    "『": "』",
    "【": "】",
    "<": ">",
    "“": "”",
}
_CLOSE_OPEN = {v: k for k, v in _OPEN_CLOSE.items()}
# quotes that open and close alike; curly singles are often used the wrong way round (’대화‘)
_TOGGLES = ('"″', "'‘’′`")
_LONGEST_EMBRACE = 400  # a quotation or bracket longer than this is a stray mark
_FINAL_MARKS = re.compile(r"[.!?…。！？]+[\"'”’″)\]」』》〉]*$")
_MARKS_AND_CLOSERS = frozenset(".!?…。！？\"'”’″)]」』》〉")
_TRAILING_GLOSS = re.compile(r"(?:\([^()\uac00-\ud7a3]*\)|\*)+$")  # 다름없다(无异于), 해자*


_EMBRACING = re.compile("[%s]" % re.escape("".join(_TOGGLES) + "".join(_OPEN_CLOSE) + "".join(_CLOSE_OPEN)))


def _embraced(par: str) -> bytearray:
    """Per character of ``par``, 1 where it lies inside a quotation or
    brackets (not the marks themselves). A mark is paired with the next one
    that closes it; a mark that finds none within ``_LONGEST_EMBRACE``
    characters embraces nothing."""
    pairs: list[tuple[int, int]] = []
    opened: list[int | None] = [None] * len(_TOGGLES)  # per toggling mark, where it opened
    stack: list[tuple[str, int]] = []
    for m in _EMBRACING.finditer(par):
        i, c = m.start(), m.group()
        if c in _OPEN_CLOSE:
            stack.append((c, i))
            continue
        if c in _CLOSE_OPEN:
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][0] == _CLOSE_OPEN[c]:
                    pairs.append((stack[k][1], i))
                    del stack[k:]
                    break
            continue
        if (
            c in "'’"
            and 0 < i < len(par) - 1
            and par[i - 1].isascii()
            and par[i - 1].isalpha()
            and par[i + 1].isascii()
            and par[i + 1].isalpha()
        ):
            continue  # an apostrophe: don't, it’s
        t = 0 if c in _TOGGLES[0] else 1
        start = opened[t]
        if start is None:
            opened[t] = i
        else:
            pairs.append((start, i))
            opened[t] = None
    inside = bytearray(len(par))
    for a, b in pairs:
        if b - a <= _LONGEST_EMBRACE:
            inside[a + 1 : b] = b"\x01" * (b - a - 1)
    return inside


# --- mecab ----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _analyser():
    """A function ``text -> [(start, end, pos, expression, unknown, surface)]``
    from mecab, or ``None`` (with a warning, once) where python-mecab-ko is missing."""
    try:
        import mecab

        tagger = mecab.MeCab()
    except Exception as e:  # not installed, or its dictionary will not load
        warnings.warn(
            f"python-mecab-ko is not usable ({type(e).__name__}: {e}); Korean without full stops is split "
            "by the spelling of its final endings alone (pip install python-mecab-ko)",
            RuntimeWarning,
            stacklevel=4,
        )
        return None
    try:  # the lattice tells dictionary words from unknown ones, and is 3x faster than parse()
        from mecab.utils import create_lattice

        raw = tagger._tagger

        def analyse(text):
            lattice = create_lattice(text)
            raw.parse(lattice)
            out = []
            for (s, e), node in lattice:
                f = node.feature.split(",")
                out.append((s, e, f[0], f[7] if len(f) > 7 else "*", node.stat == 1, text[s:e]))
            return out

        analyse("시험")
        return analyse
    except Exception:  # pragma: no cover - other python-mecab-ko internals
        return lambda text: [
            (m.span.start, m.span.end, m.pos, m.feature.expression or "*", False, m.surface) for m in tagger.parse(text)
        ]


def morphology_backend() -> str:
    """``"mecab"`` where python-mecab-ko loads, else ``"rules"`` (spelling alone)."""
    return "mecab" if _analyser() is not None else "rules"


def backend_name() -> str:
    """What :func:`morphology_backend` says, without loading mecab when it
    has not been loaded yet (for cache keys: splits differ without it)."""
    if _analyser.cache_info().currsize:
        return morphology_backend()
    try:
        return "mecab" if importlib.util.find_spec("mecab") is not None else "rules"
    except (ImportError, ValueError):  # sys.modules["mecab"] is None
        return "rules"


# the most characters of candidate words mecab reads at once
_MECAB_CHUNK = 2000


def _shifted(morphs, by: int):
    return [(s + by, e + by, *rest) for s, e, *rest in morphs] if by else morphs


def _morph_vetoes(par: str, words: list[tuple[int, int]], cands: list[int], analyse) -> set[int]:
    """The candidates (indices into ``words``) that mecab rules out: the word
    is one dictionary noun (나라, 바다, 유다, 고모라), or its ending is the
    connective -어다 or -다가 (들여다, 가져다). mecab reads the candidate
    words alone, one after the other (the sure and weak ends: a tenth of
    the words of the Korean Bible)."""
    text, starts, pos = [], [], 0
    for w in cands:
        text.append(par[words[w][0] : words[w][1]])
        starts.append(pos)
        pos += len(text[-1]) + 1
    # to mecab in chunks of at most _MECAB_CHUNK characters: the offsets of its
    # lattice cost time quadratic in the length of the text it reads
    morphs, i = [], 0
    while i < len(text):
        j = i + 1
        while j < len(text) and starts[j] + len(text[j]) - starts[i] <= _MECAB_CHUNK:
            j += 1
        morphs += _shifted(analyse(" ".join(text[i:j])), starts[i])
        i = j
    vetoed, k = set(), 0
    for w, start, word in zip(cands, starts, text):
        end = start + len(word)
        while k < len(morphs) and morphs[k][1] <= start:
            k += 1
        j = k
        while j < len(morphs) and morphs[j][0] < end:
            j += 1
        hangul = [m for m in morphs[k:j] if _hangul(m[5][0])]
        if (
            len(hangul) == 1
            and hangul[0][2] in ("NNG", "NNP")
            and hangul[0][3] == "*"
            and not hangul[0][4]
            and word not in _BEHOLD
        ):
            vetoed.add(w)
        elif hangul and hangul[-1][3].split("+")[-1].split("/")[0] in ("어다", "아다", "여다", "다가"):
            vetoed.add(w)
        k = j
    return vetoed


# --- the ends -------------------------------------------------------------------


def _hangul(c: str) -> bool:
    return "\uac00" <= c <= "\ud7a3"


def _strength(word: str, next_word: str) -> int:
    """How surely a sentence ends after ``word``, by spelling: 0 (no end), or
    ``CLAUSE``, ``WEAK``, ``SURE``."""
    core = _TRAILING_GLOSS.sub("", word) if word[-1] in ")*" else word
    if not core:
        return 0
    if not _hangul(core[-1]):
        found = _FINAL_MARKS.search(core) if core[-1] in _MARKS_AND_CLOSERS else None
        if found is None:
            return 0
        before, marks = core[: found.start()], found.group()
        if before and before[-1].isascii() and before[-1].isalnum() and "!" not in marks and "?" not in marks:
            return 0  # 3.5. / vs. / 2025.
        return WEAK if marks.strip("…\"'”’″)]」』》〉") == "" else SURE  # an ellipsis alone is often a pause
    if len(core) < 2 or not _hangul(core[-2]):
        return 0  # a word of one syllable (다, 요, 네)
    if _COMPLEMENT_NEXT.match(next_word) or _HA_BO_NEXT.match(next_word) and next_word not in _BEHOLD:
        return 0
    if core.endswith(_WEAK_ENDINGS):
        return WEAK
    if core.endswith(_NOT_FINAL) or core.endswith(_JOINING_DA) and not core.endswith(_FINAL_EODA):
        return 0
    if core.endswith("니까"):
        return SURE if len(core) > 2 and core[-3] in _FINAL_NIKKA_STEM else CLAUSE
    if core.endswith(_SURE_ENDINGS):
        return SURE
    return CLAUSE if core.endswith(_CLAUSE_ENDINGS) else 0


@lru_cache(maxsize=256)
def _spelled_ends(par: str) -> tuple[list[tuple[int, int]], list[tuple[int, int, bool]]]:
    """The words of ``par`` (``(start, end)``), and ``(word index, strength,
    marked)`` of each word after which a sentence may end, read from
    spelling; ``marked``: by a full stop, ? or !. (Cached: detection,
    splitting and the optional cuts all read the same paragraph.)"""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", par)]
    inside = _embraced(par)
    ends = []
    for w in range(len(words) - 1):
        a, b = words[w]
        if inside[b - 1]:
            continue
        marks = _FINAL_MARKS.search(par, a, b)
        if marks and inside[marks.start()]:
            continue  # a quotation's own full stop: "중국이 미국을 따라잡았다!" 또는
        s = _strength(par[a:b], par[words[w + 1][0] : words[w + 1][1]])
        if s:
            ends.append((w, s, marks is not None))
    return words, ends


def sentence_ends(par: str, morphology: bool = True) -> list[tuple[int, int]]:
    """``(offset, strength)`` of each place in ``par`` where a sentence may
    end: the offset just after the word, and ``SURE``, ``WEAK`` or ``CLAUSE``.
    ``morphology=False`` reads the spelling alone (as without mecab)."""
    analyse = _analyser() if morphology else None
    return list(_ends(par, analyse))


@lru_cache(maxsize=256)
def _ends(par: str, analyse) -> tuple[tuple[int, int], ...]:
    words, ends = _spelled_ends(par)
    bare = [w for w, s, marked in ends if not marked and s >= WEAK]  # a tenth of the words
    vetoed = _morph_vetoes(par, words, bare, analyse) if analyse and bare else set()
    return tuple((words[w][1], s) for w, s, _ in ends if w not in vetoed)


def spans_at(par: str, ends, least: int = SURE) -> list[tuple[int, int]]:
    """``[start, end)`` spans of ``par`` cut at the ``ends`` (from
    :func:`sentence_ends`) of at least strength ``least``."""
    spans, start = [], 0
    for end, strength in ends:
        if strength >= least:
            spans.append((start, end))
            start = end
    spans.append((start, len(par)))
    return spans


# a word in a common final ending followed by another word: the cheap test first (a tenth
# of the punctuated seeds' paragraphs pass it)
_BARE_END = re.compile(r"[\uac00-\ud7a3](?:다|요|죠|까|라|냐|뇨|[인는은던]가|소서|구나|군)\s+\S")


def unpunctuated(par: str) -> bool:
    """Whether ``par`` is Korean written without (most of) its full stops:
    more of its sentences end in a bare final ending (followed by the next
    word, not by a mark) than in a full stop, ? or !."""
    if not _BARE_END.search(par):
        return False
    ends = [(s, marked) for _, s, marked in _spelled_ends(par)[1] if s == SURE]
    bare = sum(1 for _, marked in ends if not marked)
    return bare > len(ends) - bare
