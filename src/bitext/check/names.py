"""Wrong names: a bead whose source name is not rendered as the document renders it.

A translation renders each name of its source the same way throughout (彼得
is 베드로 in the Korean Bible, not the 비더 its sound would suggest), so the
document itself says how each name is rendered. :func:`name_findings`

1. learns the document's *anchors*: pairs of a source string (a run of 2 to
   4 Han characters) and a target word (a Korean word's first 2 to 6
   syllables, whatever particle follows, or an English word) that occur in
   the same beads and rarely apart: the Dice coefficient over beads, each the
   other's best, the candidates taken from a word's first four beads so that
   one wrong bead does not hide its pair; of candidates nearly as good as the
   best, a name jieba knows that sounds like the word wins (耶路撒冷 for
   예루살렘, not a phrase of the two verses that name the city); ties go the
   same way in every run;
2. keeps the anchors that are names (:func:`_is_name`): the sides sound
   alike (consonant skeletons of pinyin and of Hangul or Latin letters,
   :mod:`bitext.check.phonetics`: 以赛亚/이사야, 希律/헤롯) and the Korean is not the
   Sino-Korean reading of the Chinese (先知/선지자 is a word), or jieba's
   dictionary calls the source a transliterated name, place or organisation
   (约翰, 中国/중국, 埃及/애굽); a rendering that shares some syllables with the
   reading is a name when each syllable reads or sounds like its character
   (法利赛/바리새: 바 for fa; :func:`_syllable_by_syllable`) or python-mecab-ko
   calls it a proper noun (摩押/모압), a word otherwise (荣耀/영광);
3. reports a bead whose source has a name its target does not render (not
   its rendering, a spelling of it, nor one word that sounds like the
   rendering) while its target has a word whose best source string is a name
   its source lacks (바울, the rendering of 保罗, where the source says 彼得),
   unless the two renderings are spelled alike (유대 for 유다); or whose
   missing name is rendered the same way in four fifths of its beads while
   its target has a proper noun of the document (python-mecab-ko's NNP, in
   another bead too) that nothing in the source explains (애플 for 中国); or
   whose target has a *rare name* of the document, a word seen in one or two
   other beads whose sources, and theirs only, have a name that sounds like it
   or that jieba knows (디모데, 提摩太's rendering elsewhere, where the source
   says 摩西; with no name missing, a person's or place's name of three
   characters rendered by a proper noun of the same kind: 호주, 澳大利亚's,
   for 苹果); or whose source has a name of jieba's dictionary written in
   characters of transliteration (奥尔特曼, 安德森; of two characters, a
   transliterated person's name, 约瑟, where the target has another name of
   the document) that the document has once and no word of the target sounds
   like or spells the Sino-Korean reading of (머스크): a name seen once has no
   anchor.

It cannot see a name replaced by a pronoun or left out (that is often how a
translation reads), names in a source other than Chinese (Latin-script names
are compared by :mod:`bitext.check.suspects`), a wrong name seen once that
jieba does not know and that is no other name of the document, names whose
two spellings neither sound alike nor are known to jieba (the Bible's 约雅敬
and 여호야김, 亚基帕 and 아그립바), nor a wrong name that by chance sounds like
the missing one with the words around it (예수 지파 sounds like 约瑟支派).
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import chain, combinations

from .phonetics import alike, hangul_latin, similarity, skeleton, spelling
from .records import Finding
from .words import lang_base

__all__ = ["name_findings", "Anchor", "anchors", "NAME_TAGS"]

NAME_TAGS = frozenset({"nr", "nrt", "nrfg", "ns", "nt", "nz"})
"""jieba's word classes of names: persons (nr; nrt transliterated, nrfg), places, organisations, other."""

_MIN_TOGETHER = 2  # an anchor's two sides occur together in this many beads at least
_MIN_DICE = 0.7  # ... with a Dice coefficient over beads at least this
_NEAR_DICE = 0.25  # a name that sounds like the word, this much below the best, is the word's source
_MAX_SHARE = 0.8  # a unit in more than this share of the beads is not a name
_NAME_TOGETHER = 2  # a name and its rendering: in this many beads at least ...
_MISSING_DICE = 0.8  # ... with a Dice coefficient at least this for a name missing from a target,
_FOUND_DICE = 0.7  # ... and this for one found in a target whose source lacks it
_UNTAGGED_SOUND = 0.75  # a name jieba does not know: its sides this alike at least (skeletons)
_PLACE_TOGETHER = 10  # a place jieba knows that does not sound like its rendering (埃及, 애굽): in this many beads
_PLACE_DICE = 0.85  # ... with this Dice coefficient
_SPELLED_ALIKE = 0.65  # pinyin and romanised Hangul this alike (letters): the same name, not a reading
_WHOLE_READING = 0.9  # a rendering this much the Sino-Korean reading of its source is the whole reading
_NAME_SOUND = 0.5  # an anchor's sides at least this alike (skeletons) sound alike
_SOUND_MIN = 0.75  # a target word this like a name (skeletons) renders it
_RENDER_SOUND = 0.8  # a target word this like a name's rendering (skeletons) renders it (one change in five)
_VERB_ENDINGS = ("하", "되", "시키")  # a noun these follow is a verb's (인도하여, to lead), not a name (인도, India)
_SPELLING = 0.7  # a Korean word this like a rendering (romanised letters) is another spelling of it
_ONCE_SKELETON = 3  # a transliterated name without an anchor: at least this many consonants ...
_ONCE_CHARS = 3  # ... and characters, ...
_TRANSLIT_SHARE = 0.75  # ... this share of them used in transliterations (in _TRANSLIT_WORDS of jieba's nrt words)
_TRANSLIT_WORDS = 10
_RARE_BEADS = 2  # a target word in this many other beads at most is a rare word ...
_RARE_TAGS = frozenset({"nr", "nrt", "ns", "nt"})  # ... and a name there when jieba tags its source so
_MEANINGS = {"nr": "인명", "nrt": "인명", "ns": "지명"}  # jieba's persons and places, as python-mecab-ko calls them
_ONCE_TAGS = frozenset({"nr", "ns", "nt"})  # ... of jieba's transliterated names or these others, written so
_MAX_PREFIX = 6  # Korean: renderings of up to this many syllables at the start of a word
_HAN_NGRAM = (2, 4)
_PERSON_TAGS = frozenset({"nr", "nrt", "nrfg"})
_STEADY = 3  # a name rendered the same way in this many beads ...
_UNSTEADY = 0.2  # ... and unrendered in this share of its beads at most

_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_HANGUL_WORD = re.compile(r"(?<![\uac00-\ud7a3])[\uac00-\ud7a3]+")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")


@dataclass(frozen=True)
class Anchor:
    """A source string and the target word the document renders it with: ``together`` beads have
    both, ``dice`` is their Dice coefficient over beads, ``name`` whether it is a name."""

    src: str
    tgt: str
    together: int
    dice: float
    name: bool


def _han_units(text: str) -> set[str]:
    lo, hi = _HAN_NGRAM
    out: set[str] = set()
    for r in _HAN_RUN.findall(text):
        for n in range(lo, min(hi, len(r)) + 1):
            out.update([r[i : i + n] for i in range(len(r) - n + 1)])
    return out


class _Target:
    """The words of a target text that may render a name: Korean words' first syllables, or
    English words (lower-cased; ``capital`` those written with a capital)."""

    def __init__(self, text: str, lang: str):
        self.text = text
        self.korean = lang_base(lang) == "ko"
        if self.korean:
            self.words = [m.group() for m in _HANGUL_WORD.finditer(text)]
            self.units = {w[:k] for w in self.words for k in range(2, min(len(w), _MAX_PREFIX) + 1)}
            self.capital = set()
        else:
            raw = [m.group().strip("'’-") for m in _LATIN_WORD.finditer(text)]
            self.words = [w.casefold() for w in raw]
            self.units = {w for w in self.words if len(w) >= 2}
            self.capital = {w.casefold() for w in raw if w[:1].isupper()}
        self._sounds: list[str] | None = None
        self._word_sounds: list[str] | None = None

    def word_sounds(self) -> list[str]:
        """Skeletons of each word and, in Korean, of each word's first syllables."""
        if self._word_sounds is None:
            ws = self.words
            out = [_skel(w) for w in ws]
            if self.korean:
                out += [_skel(w[:k]) for w in ws for k in range(2, len(w))]
            self._word_sounds = [x for x in out if x]
        return self._word_sounds

    def sounds(self) -> list[str]:
        """Skeletons of each word, of each two consecutive words (마크 앤더슨) and, in Korean,
        of each word's first syllables (a particle after the name: 올트만은)."""
        if self._sounds is None:
            ws = self.words
            out = [_skel(w) for w in ws] + [_skel(a + b) for a, b in zip(ws, ws[1:])]
            if self.korean:
                out += [_skel(w[:k]) for w in ws for k in range(2, len(w))]
            self._sounds = [x for x in out if x]
        return self._sounds


@functools.lru_cache(maxsize=65536)
def _skel(text: str) -> str:
    return skeleton(text)


def _rendered_by_sound(anchor: Anchor, target: _Target) -> bool:
    """Whether a word of the target sounds like the document's rendering of ``anchor`` (a
    skeleton of three consonants at least, one word or a Korean word's first syllables, one
    change in five consonants at most: two words side by side sound like too much, 보라 날
    like 巴比伦, and so does one change in three, 창조하기 like 중국)."""
    sk = _skel(anchor.tgt)
    return len(sk) >= 3 and any(similarity(sk, x) >= _RENDER_SOUND for x in target.word_sounds())


def _heard_in(han: str, target: _Target, both: bool = False) -> bool:
    """Whether a word of the target sounds like ``han`` (three consonants or more, or two the
    same: 罗马 and 로마) or spells its Sino-Korean reading; ``both``: or two words side by side
    (马克安德森, 마크 앤더슨)."""
    sk = _skel(han)
    if len(sk) == 2 and sk in target.word_sounds():
        return True
    sounds = target.sounds() if both else target.word_sounds()
    return (len(sk) >= 3 and any(similarity(sk, x) >= _SOUND_MIN for x in sounds)) or _read_in(han, target)


def _read_in(han: str, target: _Target) -> bool:
    """Whether a Korean word of the target starts with the Sino-Korean reading of ``han``, or
    two of its three syllables (王毅, 왕이; 安德森, 안덕삼 would be a reading)."""
    if not target.korean:
        return False
    n = len(han)
    return any(_reading_overlap(han, w[:n]) >= 0.66 for w in target.words if len(w) >= n - 1)


def _spelled_in(rendering: str, target: _Target) -> bool:
    """Whether the target has ``rendering`` or a spelling of it (엘리아 for 엘리야, 야곱 for 야고보)."""
    if rendering in target.units:
        return True
    if not target.korean:
        return False
    if rendering in target.text:  # inside a longer word: 바예수 (巴耶稣) holds 예수
        return True
    if len(rendering) < 3:  # two syllables are too few to tell a spelling from another name (예수, 예루)
        return False
    r = hangul_latin(rendering)
    return any(
        abs(len(u) - len(rendering)) <= 1 and similarity(hangul_latin(u), r) >= _SPELLING
        for u in target.units
        if u[:1] == rendering[:1]
    )


def _reading_overlap(han: str, hangul: str) -> float:
    from .sinokorean import reading_overlap

    return reading_overlap(han, hangul)


def _reading_pair(han: str, hangul: str) -> bool:
    """Whether ``hangul`` spells much of the Sino-Korean reading of ``han`` (先知, 선지자; 回答, 대답:
    a word, not a name): :func:`~bitext.check.sinokorean.reading_overlap` at least a half."""
    from .sinokorean import reading_overlap

    return reading_overlap(han, hangul) >= 0.5


def _syllable_by_syllable(han: str, hangul: str) -> bool:
    """Whether each Hangul syllable is the Sino-Korean reading of the Han character in its place
    or starts with its consonant, and one at least is no reading (法利赛 and 바리새: 바 for fa,
    리 and 새 readings; 摩押 and 모압; not 使者 and 사자, a word), one character or syllable more
    on either side left out (法利赛人 and 바리새)."""
    if abs(len(han) - len(hangul)) > 1 or min(len(han), len(hangul)) < 2:
        return False
    from .sinokorean import syllable_options

    options = syllable_options(han)
    sounded = 0
    for c, h, k in zip(han, hangul, options):
        if k & syllable_options(h)[0]:
            continue
        sh = _skel(h)[:1]
        if not sh or sh != _skel(c)[:1]:
            return False
        sounded += 1
    return sounded > 0


def _korean_proper(word: str) -> bool:
    """Whether python-mecab-ko reads ``word`` as starting with a proper noun (모압, 이스라엘)."""
    from .ko_words import mecab_tagger

    tagger = mecab_tagger()
    if tagger is None:
        return False
    ms = tagger.parse(word)
    return bool(ms) and ms[0].pos.split("+")[0] == "NNP"


def _korean_noun(word: str) -> bool:
    """Whether python-mecab-ko reads ``word`` as starting with a noun (이사야, 베드로; not 일어, 하심이)."""
    from .ko_words import mecab_tagger

    tagger = mecab_tagger()
    if tagger is None:
        return True
    ms = tagger.parse(word)
    return bool(ms) and ms[0].pos.split("+")[0] in ("NNP", "NNG")


class _Names:
    """jieba's dictionary words tagged as names: ``get(word)`` is the tag or None (binary search
    in a sorted list, then, after ``_SEARCHES`` look-ups, a dict: making it costs a fortieth of a
    second, as much as ten thousand searches; a long document makes more)."""

    def __init__(self, words: list[str], tags: bytes):
        self.words, self.tags = words, tags
        self._index: dict[str, str] | None = None
        self._set: frozenset[str] | None = None
        self._searches = 0

    def get(self, word: str) -> str | None:
        if self._index is not None:
            return self._index.get(word)
        self._searches += 1
        if self._searches > _SEARCHES:
            self._index = dict(zip(self.words, (_TAGS[t] for t in self.tags)))
        i = bisect.bisect_left(self.words, word)
        return _TAGS[self.tags[i]] if i < len(self.words) and self.words[i] == word else None

    def tags_of(self, words: list[str]) -> dict[str, str]:
        """The tag of each of ``words`` that is a name (many words: a set of the names tells
        which are, at a third of a dict's cost, and a binary search each gives their tags)."""
        if self._index is not None:
            index = self._index
            return {w: t for w in words if (t := index.get(w)) is not None}
        if len(words) < _SEARCHES and self._set is None:  # a few: a binary search each
            return {w: t for w in words if (t := self.get(w)) is not None}
        if self._set is None:
            self._set = frozenset(self.words)
        known = self._set
        out = {}
        for w in words:
            if w in known:
                out[w] = _TAGS[self.tags[bisect.bisect_left(self.words, w)]]
        return out

    def tagged(self, tag: str) -> list[str]:
        code = bytes([_TAGS.index(tag)])
        return [self.words[m.start()] for m in re.finditer(re.escape(code), self.tags)]


_TAGS = tuple(sorted(NAME_TAGS))
_use_disk_cache = True  # False while a name check runs for an alignment whose model has no cache (--no-cache)
_SEARCHES = 5000


@functools.cache
def _jieba_names() -> _Names:
    """The words jieba's dictionary tags as names, read from its ``dict.txt`` (without importing
    jieba) once and then from bitext's disk cache (a third of a second, then a hundredth)."""
    import importlib.util
    import os

    import numpy as np

    from ..embed.cache import DiskCache, default_cache_dir

    spec = importlib.util.find_spec("jieba")
    path = os.path.join(os.path.dirname(spec.origin), "dict.txt") if spec is not None and spec.origin else None
    try:
        st = os.stat(path) if path else None
    except OSError:
        st = None
    if path is None or st is None:
        return _Names([], b"")
    store = DiskCache(default_cache_dir() if _use_disk_cache else None, "jieba-names-v2")
    key = [path, str(st.st_size), str(st.st_mtime_ns)]

    def check(arrays):
        if set(arrays) != {"words", "tags"} or arrays["words"].dtype != np.uint8 or arrays["tags"].dtype != np.uint8:
            return "not a table of names"
        return None

    hit = store.get("names", key, check)
    if hit is not None:
        try:
            words = hit["words"].tobytes().decode("utf-8").split("\n")
            tags = hit["tags"].tobytes()
            if len(words) == len(tags) and max(tags, default=0) < len(_TAGS):
                return _Names(words, tags)
        except ValueError:  # not what was written: read the dictionary again
            pass
    try:
        with open(path, encoding="utf-8") as f:
            data = f.read()
    except (OSError, UnicodeDecodeError):
        return _Names([], b"")
    found = sorted(dict(re.findall(r"^(\S+) \d+ (nr|nrt|nrfg|ns|nt|nz)$", data, re.M)).items())
    words = [w for w, _ in found]
    tags = bytes(_TAGS.index(t) for _, t in found)
    store.put(
        "names",
        key,
        {"words": np.frombuffer("\n".join(words).encode("utf-8"), np.uint8), "tags": np.frombuffer(tags, np.uint8)},
    )
    return _Names(words, tags)


@functools.cache
def _transliterated_names() -> frozenset:
    """jieba's transliterated names of persons (``nrt``): 奥尔特曼, 彼得 ..."""
    return frozenset(_jieba_names().tagged("nrt"))


@functools.cache
def _transliteration_chars() -> frozenset:
    """The characters of at least ten of jieba's transliterated names (``nrt``): 尔 斯 拉 克 特 ..."""
    counts = Counter(chain.from_iterable(map(set, _transliterated_names())))
    return frozenset(c for c, n in counts.items() if n >= _TRANSLIT_WORDS)


def _transliteration(word: str) -> bool:
    """Whether ``word`` is written in characters of transliteration (奥尔特曼, not 某年某月)."""
    chars = _transliteration_chars()
    return sum(c in chars for c in word) >= _TRANSLIT_SHARE * len(word)


def _is_name(src: str, tgt: str, capital: bool | None, together: int, dice: float, min_dice: float) -> bool:
    """Whether a source string and its rendering are a name.

    They must be steady (two beads, a Dice coefficient of ``min_dice``). jieba's transliterated
    names (``nrt``: 约翰, 요한) and, untagged, Korean nouns or English words with a capital
    need their sides to sound alike (at least half alike for jieba's names, three quarters for
    the others: 希律, 헤롯); a place or organisation jieba knows that is rendered the same way in
    ten beads is one whatever its sound (埃及, 애굽). Otherwise a Korean rendering that is the
    Sino-Korean reading of the source is a word (智慧, 지혜: jieba calls 智慧 a name), unless jieba
    calls it a place or organisation and the reading is the whole word (中国, 중국)."""
    if capital is False or together < _NAME_TOGETHER or dice < min_dice:
        return False
    tag = _jieba_names().get(src)
    sound = similarity(_skel(src), _skel(tgt))
    if tag == "nrt":
        return sound >= _NAME_SOUND
    place = tag in ("ns", "nt")
    if place and together >= _PLACE_TOGETHER and dice >= _PLACE_DICE:
        return True
    translit: bool | None = None  # read syllable by syllable (computed when needed)
    if sound < (_NAME_SOUND if tag is not None else _UNTAGGED_SOUND) and not (place and capital is None):
        translit = capital is None and _syllable_by_syllable(src, tgt)
        if not translit:
            return False  # most anchors end here, before the costlier tests
    if capital is None:
        reading = _reading_overlap(src, tgt)
        # half a reading in two syllables may be chance (犹大, 유다: 유) if the whole sounds alike
        # (youda, yuda), not if only the consonants do (功能 gongneng, 기능 gineung)
        if reading >= 0.75 or (reading >= 0.5 and (len(src) >= 3 or spelling(src, tgt) < _SPELLED_ALIKE)):
            if reading >= _WHOLE_READING:
                return place
            # a syllable or more that is no reading: a transliteration that shares some with the
            # reading when each syllable reads or sounds like its character (法利赛, 바리새: fa
            # and 바) or python-mecab-ko calls the rendering a proper noun (摩押, 모압); a word
            # otherwise (先知, 선지자; 荣耀, 영광)
            if translit is None:
                translit = _syllable_by_syllable(src, tgt)
            return translit or (sound >= _NAME_SOUND and _korean_proper(tgt))
    if tag is not None:
        return sound >= _NAME_SOUND
    return capital is not None or _korean_noun(tgt)


def _longest_per_beads(index: dict[str, list[int]], cap: float) -> set[str]:
    """Of the units in two beads or more (and at most ``cap``), the longest of those in the same beads."""
    best: dict[tuple, str] = {}
    for u, beads in index.items():
        if _MIN_TOGETHER <= len(beads) <= cap:
            key = tuple(beads)
            if key not in best or (len(u), u) > (len(best[key]), best[key]):  # the same in every run
                best[key] = u
    return set(best.values())


def _name_first(w: str, best: tuple, near: list[tuple]) -> tuple:
    """Of the source strings nearly as often with the word ``w`` as the best, a name jieba knows
    that sounds like it (耶路撒冷, 예루살렘) where the best does not (从天而降: a verse that
    names the city twice, a wrong bead)."""
    sw = _skel(w)
    if len(sw) < 2 or similarity(_skel(best[1]), sw) >= _NAME_SOUND:
        return best
    names = _jieba_names()
    for x in sorted(near, key=lambda x: x[0], reverse=True):
        if (
            x[1] != best[1]
            and x[3] >= best[3] - _NEAR_DICE
            and names.get(x[1]) is not None
            and similarity(_skel(x[1]), sw) >= _UNTAGGED_SOUND
        ):
            return x
    return best


def anchors(alignment, targets=None, src_units=None) -> list[Anchor]:
    """The anchors of an alignment with a Chinese source (see the module's docstring)."""
    return _associate(alignment, targets, src_units)[0]


def _associate(
    alignment, targets=None, src_units=None, judge: bool = True, index: dict | None = None
) -> tuple[list[Anchor], dict[str, Anchor]]:
    """The anchors, and for each target unit in two beads or more its best source string (by
    the Dice coefficient, at least 0.7), each the other's best or not. ``judge=False``: the
    anchors' ``name`` is left False (the caller judges the few it needs). ``index``: given a
    dict, ``"src"`` and ``"tgt"`` are set in it to the beads of each source and target unit."""
    a = alignment
    paired = [bi for bi, b in enumerate(a.beads) if b.src_ids and b.tgt_ids]
    if src_units is None:
        src_units = {bi: _han_units(a.beads[bi].src) for bi in paired}
    if targets is None:
        targets = {bi: _Target(a.beads[bi].tgt, a.tgt_lang) for bi in paired}
    if not paired:
        return [], {}
    n = len(paired)
    cap = max(_MAX_SHARE * n, 3)
    s_ix: dict[str, list[int]] = defaultdict(list)
    t_ix: dict[str, list[int]] = defaultdict(list)
    for bi in paired:
        for u in src_units[bi]:
            s_ix[u].append(bi)
        for u in targets[bi].units:
            t_ix[u].append(bi)
    if index is not None:
        index["src"], index["tgt"] = s_ix, t_ix
    # units in the very same beads as a longer one (베드 and 베드로, 尼布甲尼 and 尼布甲尼撒) say nothing more
    s_keep = _longest_per_beads(s_ix, cap)
    t_keep = _longest_per_beads(t_ix, cap)
    kept_units = {bi: src_units[bi] & s_keep for bi in paired}
    s_sets: dict[str, set[int]] = {}
    best_for_tgt: dict[str, tuple] = {}
    for w in sorted(t_keep):  # sorted: ties go the same way in every run (sets follow the hash seed)
        bw = t_ix[w]
        k = len(bw)
        # the source strings of at least two of its first four beads (one of them may be a wrong one)
        sample = [kept_units[bi] for bi in bw[:4]]
        cands = set().union(*(x & y for x, y in combinations(sample, 2)))
        if not cands:
            continue
        bws = set(bw)
        best = None
        near: list[tuple] = []
        # a Dice coefficient of d needs the two bead counts within a factor (2 - d) / d of each other
        lo, hi = k * _MIN_DICE / (2 - _MIN_DICE), k * (2 - _MIN_DICE) / _MIN_DICE
        for c in sorted(cands):
            bc = s_ix[c]
            if not lo <= len(bc) <= hi:
                continue
            if c not in s_sets:
                s_sets[c] = set(bc)
            co = len(bws & s_sets[c]) if len(bc) > 2 else sum(x in bws for x in bc)
            d = 2 * co / (k + len(bc))
            key = (round(d, 3), co, len(c))
            if d >= _MIN_DICE and co >= _MIN_TOGETHER:
                near.append((key, c, co, d))
            if best is None or key > best[0]:
                best = (key, c, co, d)
        if best is not None and best[3] >= _MIN_DICE:
            if len(near) > 1:
                best = _name_first(w, best, near)
            best_for_tgt[w] = best
    best_for_src: dict[str, tuple] = {}
    for w, (key, c, co, d) in best_for_tgt.items():
        k2 = (key[0], key[1], len(w))
        if c not in best_for_src or k2 > best_for_src[c][0]:
            best_for_src[c] = (k2, w, co, d)
    out = []
    for c, (_, w, co, d) in best_for_src.items():
        if best_for_tgt[w][1] != c:
            continue
        name = False
        if judge:
            capital = None
            if not targets[paired[0]].korean:
                capital = sum(w in targets[bi].capital for bi in t_ix[w]) >= 0.8 * len(t_ix[w])
            name = _is_name(c, w, capital, co, d, _MISSING_DICE)
        out.append(Anchor(c, w, co, d, name))
    out.sort(key=lambda x: (-x.together, x.src))
    return out, {w: Anchor(c, w, co, d, False) for w, (_, c, co, d) in best_for_tgt.items()}


def _proper_nouns(text: str) -> list[tuple[str, str]]:
    """The Korean words python-mecab-ko tags as proper nouns (NNP), two syllables or more, each
    with the rest of its word (mecab cuts a long transliteration: 마헬살랄하스바스라)."""
    from .ko_words import mecab_tagger

    tagger = mecab_tagger()
    if tagger is None:
        return []
    out = []
    for m in tagger.parse(text):
        w = m.surface
        if m.pos == "NNP" and len(w) >= 2 and all("\uac00" <= c <= "\ud7a3" for c in w):
            s = m.span.start
            while s > 0 and "\uac00" <= text[s - 1] <= "\ud7a3":
                s -= 1
            e = m.span.end
            while e < len(text) and "\uac00" <= text[e] <= "\ud7a3":
                e += 1
            out.append((w, text[s:e]))
    return out


def _explained(word: str, whole: str, src: str, renders: set[str]) -> bool:
    """Whether something of the source accounts for the Korean ``word`` (in the word ``whole``):
    an anchor's rendering of a source string, or a Han run whose Sino-Korean reading it spells
    or that sounds like it or like the whole word or its first syllables."""
    if any(word.startswith(r) or r.startswith(word) or r in whole for r in renders):
        return True
    forms = {word} | {whole[:k] for k in range(2, len(whole) + 1)}
    sks = {x for x in (_skel(f) for f in forms) if len(x) >= 2}  # one consonant sounds like anything
    for m in _HAN_RUN.finditer(src):
        run = m.group()
        for i in range(len(run)):
            for j in range(i + 1, min(len(run), i + len(whole) + 2) + 1):
                part = run[i:j]
                if j - i == len(word) and _reading_overlap(part, word) == 1.0:  # 美国, 미국 (not 中国)
                    return True
                ps = _skel(part)
                if len(ps) >= 2 and any(similarity(sk, ps) >= (_SOUND_MIN if len(sk) >= 3 else 1.0) for sk in sks):
                    return True
    return False


def _rare_names(
    bi, units, t, src, tgt_beads, src_units, src_count, tagged, best, renders, strict: bool, memo: dict
) -> list[tuple[str, str | None]]:
    """The target's names of the document seen in one or two other beads only, each with the
    source name it renders there, that nothing in this bead's source accounts for (디모데, the
    rendering of 提摩太 in another verse, where the source says 摩西; 호주, 澳大利亚's, where it
    says 苹果). A name there is a string of the source in those beads only, and in each of them,
    that sounds like the word (three syllables or more) or that jieba calls a person, place or
    organisation and is written in characters of transliteration, its first consonant the
    word's (约瑟, 요셉); not its Sino-Korean reading (保障, 보장); ``strict``: one that jieba calls a
    person or place, of three characters or more, rendered by what python-mecab-ko calls a proper
    noun of a person or place (호주, 지명, for 澳大利亚, not for 奥尔特曼)."""
    from .ko_words import mecab_tagger

    tagger = mecab_tagger()
    out: list[tuple[str, str | None]] = []
    for w in sorted((u for u in t.units if u in tgt_beads), key=len, reverse=True):
        others = tuple(x for x in tgt_beads[w] if x != bi)
        if not others or len(others) > _RARE_BEADS or len(tgt_beads[w]) != len(others) + 1:
            continue
        if any(w != v and v.startswith(w) for v, _ in out) or (w in best and best[w].src in units):
            continue
        # jieba's names in those beads only (the same for a word's prefixes)
        named = [
            y
            for y, tag in tagged(others[0]).items()
            if tag in _RARE_TAGS
            and src_count[y] == len(others)
            and y not in units
            and all(y in src_units[x] for x in others[1:])
        ]
        if strict:
            ys = [y for y in named if len(y) >= 3]
        else:
            sw = _skel(w)
            ys = [y for y in named if _transliteration(y) and _skel(y[0])[:1] == _skel(w[0])[:1]]
            if len(w) >= 3 and len(sw) >= 3:
                if others not in memo:  # the strings of the source in those beads only
                    memo[others] = [
                        y for y in set.intersection(*(src_units[x] for x in others)) if src_count[y] == len(others)
                    ]
                ys += [y for y in memo[others] if y not in units and alike(_skel(y), sw, _SOUND_MIN)]
        if not ys:
            continue
        whole = next((x for x in t.words if x.startswith(w)), w)
        if ("mecab", whole) not in memo:  # the word's first morpheme: its length, class and meaning
            ms = tagger.parse(whole) if tagger is not None else None
            memo["mecab", whole] = (
                (len(ms[0].surface), ms[0].pos.split("+")[0], ms[0].feature.semantic) if ms else (0, "", None)
            )
        first, pos, meaning = memo["mecab", whole]
        if tagger is not None and (first < len(w) or pos not in (("NNP",) if strict else ("NNP", "NNG"))):
            continue
        if strict:  # a person for a person, a place for a place (호주 is no rendering of 奥尔特曼)
            ys = [y for y in ys if tagger is None or _MEANINGS.get(tagged(others[0])[y]) == meaning]
        ys = [y for y in ys if _reading_overlap(y, w) < _WHOLE_READING]  # 保障, 보장: a word
        if not ys or _explained(w, whole, src, renders):
            continue
        out.append((w, max(sorted(ys), key=len)))
    return out


def name_findings(alignment) -> list[Finding]:
    """The ``name`` findings of an alignment with a Chinese source (none for other sources). The
    table of jieba's names is kept in bitext's disk cache unless the alignment's model was loaded
    without one (``--no-cache``)."""
    global _use_disk_cache
    model = getattr(alignment, "model", None)
    before = _use_disk_cache
    _use_disk_cache = getattr(model, "cache_dir", True) is not None
    try:
        return _name_findings(alignment)
    finally:
        _use_disk_cache = before


def _name_findings(alignment) -> list[Finding]:
    a = alignment
    if lang_base(a.src_lang) != "zh" or lang_base(a.tgt_lang) in ("zh", "ja") or not a.beads:
        return []
    paired = [bi for bi, b in enumerate(a.beads) if b.src_ids and b.tgt_ids]
    if not paired:
        return []
    src_units = {bi: _han_units(a.beads[bi].src) for bi in paired}
    targets = {bi: _Target(a.beads[bi].tgt, a.tgt_lang) for bi in paired}
    ix: dict[str, dict[str, list[int]]] = {}
    found, best = _associate(a, targets, src_units, index=ix)
    named = [x for x in found if x.name]
    by_src = {x.src: x for x in found}
    korean = targets[paired[0]].korean
    name_memo: dict[str, bool] = {}

    def is_name(x: Anchor) -> bool:  # the best source string of a target word is a name
        if x.tgt not in name_memo:
            capital = (
                None
                if korean
                else sum(x.tgt in targets[bi].capital for bi in paired if x.tgt in targets[bi].units)
                >= 0.8 * x.together
            )
            name_memo[x.tgt] = _is_name(x.src, x.tgt, capital, x.together, x.dice, _FOUND_DICE)
        return name_memo[x.tgt]

    # the beads where each name is in the source but not rendered in the target
    unrendered: dict[str, list[int]] = defaultdict(list)
    named_srcs = {x.src for x in named}
    for bi in paired:
        here = src_units[bi] & named_srcs
        if not here:
            continue
        for x in named:
            if x.src in here and not _spelled_in(x.tgt, targets[bi]) and not _rendered_by_sound(x, targets[bi]):
                unrendered[x.src].append(bi)

    def _stands_for(x: Anchor, m: Anchor) -> bool:
        """Whether the name ``x`` may stand for the missing ``m``: their renderings are spelled
        alike (유대, 犹太, Judea, and 유다, 犹大, Judah: one is read for the other)."""
        return spelling(x.tgt, m.tgt) >= _SPELLING

    jieba_names = _jieba_names()
    # the number of beads of each unit, and the beads of the target's rare ones
    src_count = Counter({u: len(v) for u, v in ix["src"].items()})
    tgt_count = Counter({u: len(v) for u, v in ix["tgt"].items()})
    tgt_beads = {u: v for u, v in ix["tgt"].items() if len(v) <= _RARE_BEADS + 1}

    rare_memo: dict = {}

    def renders_of(units: set[str]) -> set[str]:
        return {x.tgt for x in named if x.src in units}

    tags_of: dict[int, dict[str, str]] = {}
    # jieba's tag of every source string in two beads at most, looked up once for the document
    rare_tags = jieba_names.tags_of([u for u, c in src_count.items() if c <= _RARE_BEADS])

    def tagged(bi: int) -> dict[str, str]:
        """The strings of a bead's source in two beads at most that jieba tags as names, with the tag."""
        if bi not in tags_of:
            tags_of[bi] = {u: rare_tags[u] for u in src_units[bi] if u in rare_tags}
        return tags_of[bi]

    def once_names(bi: int, units: set[str], t: _Target, short: bool) -> list[str]:
        """The source's names seen once and without an anchor that no word of the target
        renders, longest first: jieba's transliterated persons or, of three characters or more,
        its persons, places and organisations (for Korean: English writes Chinese places in
        pinyin or by names of its own, Ürümqi, Peking), written in characters of transliteration;
        ``short``: also jieba's transliterated persons of two characters (约瑟)."""
        found = [
            u
            for u, tag in tagged(bi).items()
            if src_count[u] == 1
            and u not in by_src
            and (
                len(u) >= _ONCE_CHARS
                and (tag == "nrt" or (t.korean and tag in _ONCE_TAGS))
                and len(_skel(u)) >= _ONCE_SKELETON
                or (short and tag == "nrt")
            )
            and _transliteration(u)
            and not _heard_in(u, t, both=True)
            and not any(
                _heard_in(v, t) for v in units if v != u and (u in v or (v in u and jieba_names.get(v) == "ns"))
            )
        ]
        found = [u for u in found if not any(u != v and u in v for v in found)]
        return sorted(found, key=lambda u: (-len(u), u))

    missing_at: dict[int, list[Anchor]] = defaultdict(list)  # the names not rendered in each bead
    for x in named:
        for bi in dict.fromkeys(unrendered.get(x.src, ())):
            missing_at[bi].append(x)
    out = []
    for bi in paired:
        b, units, t = a.beads[bi], src_units[bi], targets[bi]
        missing = missing_at.get(bi, [])
        once = once_names(bi, units, t, short=not missing)
        lost = missing or [Anchor(u, "", 0, 0.0, True) for u in once]
        renders = renders_of(units) if lost else set()
        # (the anchor not rendered, the words found instead with what each renders, why)
        evidence: tuple[Anchor, list[tuple[str, str | None]], str] | None = None
        if lost:
            intruders = [
                best[w]
                for w in sorted(t.units)
                if w in best
                and best[w].src not in units
                and not any(w.startswith(r) or r.startswith(w) for r in renders)
                and is_name(best[w])
            ]
            intruders = [
                x
                for x in intruders
                if not any(x.tgt != y.tgt and y.tgt.startswith(x.tgt) for y in intruders)
                and not any(_stands_for(x, m) for m in missing)
            ]
            if intruders:
                evidence = (lost[0], [(x.tgt, x.src) for x in intruders], "anchor")
        if evidence is None and missing and t.korean:
            # a name rendered the same way everywhere else, and a proper noun nothing explains
            steady = [
                x
                for x in missing
                if x.together >= _STEADY and len(unrendered[x.src]) <= _UNSTEADY * (x.together + len(unrendered[x.src]))
            ]
            # ... that is a name of the document: the target has it in other beads too
            strange = (
                [
                    w
                    for w, whole in _proper_nouns(b.tgt)
                    if tgt_count[w] >= 2
                    and not (w in best and best[w].src in units and best[w].together >= _STEADY)
                    and not whole[len(w) :].startswith(_VERB_ENDINGS)
                    and not _explained(w, whole, b.src, renders)
                ]
                if steady
                else []
            )
            if strange:
                evidence = (steady[0], [(w, None) for w in dict.fromkeys(strange)], "proper noun")
        once = [u for u in once if len(u) >= _ONCE_CHARS]  # two characters are too few to go by sound alone
        if evidence is None and t.korean:
            # a rare name of the document: where a name is missing, a name jieba knows written in
            # characters of transliteration or one that sounds like the word; where none is, a
            # name jieba knows of three characters or more rendered by a proper noun (호주, 澳大利亚)
            lost_one = missing[0] if missing else (Anchor(once[0], "", 0, 0.0, True) if once else None)
            rare = _rare_names(
                bi,
                units,
                t,
                b.src,
                tgt_beads,
                src_units,
                src_count,
                tagged,
                best,
                renders_of(units),
                lost_one is None,
                rare_memo,
            )
            if rare:
                evidence = (lost_one or Anchor("", "", 0, 0.0, True), rare, "rare name")
        if evidence is None and once:
            evidence = (Anchor(once[0], "", 0, 0.0, True), [], "sound")
        if evidence is None:
            continue
        miss, instead, why = evidence
        has = ", ".join(f"{w} (the rendering of {s})" if s else w for w, s in instead)
        if not miss.src:  # a rare name, and no name of the source missing
            msg = f"the target has {has} elsewhere; nothing in the source here accounts for it"
        else:
            msg = (
                f"name {miss.src}" + (f" (rendered {miss.tgt} elsewhere)" if miss.tgt else "") + " is not rendered here"
            )
            if instead:
                msg += "; the target has " + has
            elif why == "sound":
                msg += " (no word of the target sounds like it)"
        ev = {
            "name": miss.src or None,
            "expected": miss.tgt or None,
            "found": [w for w, _ in instead],
            "found_for": [s for _, s in instead],
            "why": why,
        }
        out.append(Finding(bi, b.src_ids, b.tgt_ids, b.src, b.tgt, b.score, "name", msg, ev))
    return out
