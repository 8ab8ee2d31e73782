"""Term pairs: which source terms a translation renders, and how (``bitext terms``).

>>> pairs = bitext.terms(bitext.align(zh_text, ko_text))      # doctest: +SKIP
>>> pairs[0].src, pairs[0].tgt, pairs[0].count, pairs[0].score   # doctest: +SKIP
('资源门槛', '자원장벽', 1, 0.97)

:func:`terms` takes one :class:`~bitext.pipeline.Alignment` or several (a
list, or a mapping from document ids to alignments) and lists candidate term
pairs, best first, each with its count (the source occurrences linked to
it), its score (0 to 1), the evidence for it and an example bead. Four kinds
of evidence are weighed (``evidence=`` selects them; ``docs/terms.md``
measures what each adds):

1. ``"gloss"``: **the translator's own glosses**. Korean translators of
   Chinese write the original in brackets after their rendering
   (``자원장벽(资源门槛)``); the bracket's content, found verbatim in the
   bead's source, is the source term, and the Korean words before the bracket
   (their span found by the rules of :func:`~bitext.check.glosses.find_glosses`,
   particles stripped) its rendering. A bracket with another rendering instead
   (``자료공개(오픈소스, Open Source)``) makes that a synonym of the word.
2. ``"assoc"``: **association over beads**: the Dice coefficient of a source
   and a target unit over the beads of the documents, damped for pairs seen
   together only once or twice.
3. ``"reading"``: **Sino-Korean readings** (zh/ja <-> ko): how much of the
   Hangul reading of a Chinese word the Korean unit spells (技术 -> 기술).
4. ``"model"``: **the model**: the cosine of the two units encoded by the
   alignment's embedding model (软件 -> 소프트웨어).

The candidate units are :func:`~bitext.check.words.term_units` (jieba words of the
term classes and their runs; Korean stems and runs of bare nouns; words and
n-grams elsewhere), the glossary's terms and the glosses. The evidence is
combined as a noisy-or; in every bead the best-scored pairs are linked first,
each source and target occurrence at most once (competitive linking), and a
pair's count is the number of occurrences it links.

Command line: ``bitext terms SRC TGT [-o terms.tsv]`` aligns the two files
first; ``bitext terms --batch OUTDIR`` reads the output folder of ``bitext
batch``. The TSV written is a glossary :mod:`bitext.check.glossary` reads: one
source term a line, its renderings separated by ``|``, and a note with the
count, score, evidence and an example bead.

This module collects the beads' units, scores the pairs, links them and
lists them. The parts live in their own modules:

- :mod:`bitext.check.glosses`: the translator's glosses (:class:`Gloss`,
  :func:`find_glosses`);
- :mod:`bitext.check.term_list`: what :func:`terms` returns (:class:`TermList`,
  :class:`TermPair`, :class:`Link`), its dicts and TSV;
- :func:`bitext.check.sinokorean.reading_overlap`: the ``"reading"`` evidence;
- :mod:`bitext.check.words`: the candidate units and where a term occurs.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .glosses import find_glosses
from .term_list import Link, TermList, TermPair
from .words import Finder, Unit, extra_words, general_probability, lang_base, norm_key, spaced, term_units, zh_tokens

if TYPE_CHECKING:
    from ..pipeline import Alignment

__all__ = [
    "terms",
    "EVIDENCE",
    "DEFAULT_MIN_SCORE",
]

EVIDENCE = ("gloss", "assoc", "reading", "model")
"""The kinds of evidence :func:`terms` weighs (all by default)."""

DEFAULT_MIN_SCORE = 0.3
"""Pairs scored below this are not listed (they may still be linked: see :attr:`TermList.links`)."""

# weights of the noisy-or (chosen on the seed, checked on MAC-Dev: bench/terms.py, docs/terms.md)
_W_GLOSS = 0.95
_W_SYNONYM = 0.85
_W_IDENTICAL = 0.9
_W_ASSOC = 0.9
_W_READING = 0.8
_W_MODEL = 0.85
_MODEL_FLOOR = 0.35  # cosines below this say nothing; 0.8 and above say all the weight
_MODEL_TOP = 0.8
_MIN_LINK = 0.2  # pairs scored below this are never linked
_PART_FACTOR = 0.9  # a noun inside a Korean compound competes with this share of its score
_KEYNESS_TOP = 4.0  # log10 keyness at which termhood is 1
_CHARS_PER_WORD = 1.6  # Chinese characters a word, to count a text's words from its characters
_MIN_VERB_BEADS = 3  # a Chinese verb is a candidate term when it recurs in this many beads

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]+")


# --------------------------------------------------------------------------
# the beads and their units


@dataclass
class _Bead:
    doc: object
    index: int
    src: str
    tgt: str
    su: list = field(default_factory=list)  # [Unit]
    tu: list = field(default_factory=list)
    glosses: list = field(default_factory=list)  # [Gloss] (target side)


class _Vectors:
    """Unit vectors of short texts by a model, encoded once each."""

    def __init__(self, model):
        self.model = model
        self.v: dict[str, np.ndarray] = {}

    def add(self, texts) -> None:
        new = [t for t in dict.fromkeys(texts) if t not in self.v]
        if not new:
            return
        arr = np.asarray(self.model.encode(new), np.float32)
        arr /= np.maximum(np.linalg.norm(arr, axis=1, keepdims=True), 1e-12)
        self.v.update(zip(new, arr))

    def sim(self, a: str, bs: list[str]) -> list[float]:
        self.add([a, *bs])
        return [float(self.v[a] @ self.v[b]) for b in bs]


def _as_docs(alignments) -> list[tuple[object, Alignment]]:
    if hasattr(alignments, "beads"):
        return [(0, alignments)]
    if isinstance(alignments, dict):
        docs = list(alignments.items())
    elif isinstance(alignments, (list, tuple)):
        docs = list(enumerate(alignments))
    else:
        raise TypeError(
            "alignments must be an Alignment, a list of them or a dict {doc_id: alignment}, "
            f"got {type(alignments).__name__}"
        )
    for doc, a in docs:
        if not hasattr(a, "beads"):
            raise TypeError(f"alignments[{doc!r}] is {type(a).__name__}, not an Alignment")
    return docs


def _collect(docs, src_lang, tgt_lang, extra_src, extra_tgt, use_gloss, sim, rules) -> list[_Bead]:
    beads = []
    for doc, a in docs:
        for bi, b in enumerate(a.beads):
            if b.src_ids and b.tgt_ids and b.src.strip() and b.tgt.strip():
                beads.append(_Bead(doc, bi, b.src, b.tgt))
    if use_gloss:
        for b in beads:
            b.glosses = find_glosses(b.tgt, b.src, tgt_lang, src_lang, sim=sim, rules=rules)
    gloss_terms = {g.term for b in beads for g in b.glosses if not g.synonym}
    gloss_renderings = {g.rendering for b in beads for g in b.glosses if not g.synonym and g.rendering}
    src_extra = sorted(set(extra_src) | gloss_terms, key=len, reverse=True)
    tgt_extra = sorted(set(extra_tgt) | gloss_renderings, key=len, reverse=True)
    keep = {norm_key(t, src_lang) for t in src_extra}
    with extra_words(src_extra + tgt_extra):
        for b in beads:
            _bead_units(b, src_lang, tgt_lang, src_extra, tgt_extra, rules)
    _merge_inflections(beads, src_lang, tgt_lang)
    # a Chinese verb is a candidate when it recurs (开放, 创新), or is a glossary's or gloss's term
    verbs = Counter(k for b in beads for k in {u.key for u in b.su if u.tag == "v"})
    for b in beads:
        b.su = [u for u in b.su if u.tag != "v" or verbs[u.key] >= _MIN_VERB_BEADS or u.key in keep]
    return beads


def _bead_units(b: _Bead, src_lang, tgt_lang, src_extra, tgt_extra, rules) -> None:
    b.su = _units_with(b.src, src_lang, src_extra, rules)
    for g in b.glosses:  # a glossed term is in its bead's source, on jieba's boundaries or not (全 in 全球)
        at = -1 if g.synonym else b.src.find(g.term)
        if at >= 0 and not any(u.key == norm_key(g.term, src_lang) for u in b.su):
            b.su.append(Unit(g.term, norm_key(g.term, src_lang), at, at + len(g.term), "gloss"))
    spans = {(g.start, g.end): g for g in b.glosses if not g.synonym and g.rendering}
    b.tu = [
        u
        for u in _units_with(b.tgt, tgt_lang, tgt_extra, rules)
        if not _inside_gloss_bracket(b.tgt, u) and (u.start, u.end) not in spans
    ]
    for g in spans.values():  # the gloss's own span, whatever the units say
        b.tu.append(Unit(g.rendering, norm_key(g.rendering, tgt_lang), g.start, g.end, "gloss"))


def _merge_inflections(beads, src_lang: str, tgt_lang: str) -> None:
    """In a spaced language, a unit whose key is another's plus ``s`` or ``es`` counts as
    that one (antennas, antenna)."""
    for side, lang in (("su", src_lang), ("tu", tgt_lang)):
        if not spaced(lang) or lang_base(lang) == "ko":
            continue
        keys = {u.key for b in beads for u in getattr(b, side)}
        to = {}
        for k in keys:
            for cut in ("es", "s"):
                if k.endswith(cut) and k[: -len(cut)] in keys and len(k) > len(cut) + 2:
                    to[k] = k[: -len(cut)]
                    break
        if to:
            for b in beads:
                setattr(b, side, [Unit(u.text, to.get(u.key, u.key), u.start, u.end, u.tag) for u in getattr(b, side)])


def _units_with(text: str, lang: str, extra, rules: bool) -> list[Unit]:
    """The text's candidate units plus the occurrences of the ``extra`` terms."""
    units = term_units(text, lang, rules=rules)
    if extra:
        have = {(u.start, u.end) for u in units}
        f = Finder(text, lang)
        for term in extra:
            for s, e in f.find(term):
                e = s + len(term) if f.text[s : s + len(term)] == term else e
                if (s, e) not in have:  # written as the glossary (or gloss) writes it
                    units.append(Unit(term, norm_key(term, lang), s, e, "extra"))
                    have.add((s, e))
    return units


def _inside_gloss_bracket(text: str, u: Unit) -> bool:
    """A unit inside a bracket that holds Han characters (the gloss itself, not a rendering)."""
    i = text.rfind("(", 0, u.start)
    j = text.find(")", u.end)
    return i >= 0 and j >= 0 and ")" not in text[i : u.start] and bool(_HAN.search(text[i:j]))


# --------------------------------------------------------------------------
# scores and links


def _display(beads, side: str) -> dict[str, str]:
    """The most common written form of each key; a gloss's or glossary's own form first."""
    forms: dict[str, Counter] = defaultdict(Counter)
    for b in beads:
        for u in b.su if side == "src" else b.tu:
            forms[u.key][u.text] += 1000 if u.tag in ("gloss", "extra") else 1
    return {k: c.most_common(1)[0][0] for k, c in forms.items()}


def _identical(a: str, b: str) -> bool:
    """The same name on both sides (DeepSeek, COBE): Latin letters or digits, compared case-folded."""
    return a == b and bool(re.fullmatch(r"[0-9a-z][0-9a-z .\-_&'’]*", a)) and any(c.isalpha() for c in a)


def _score_pairs(beads, src_lang, tgt_lang, evidence, vectors, glossary_pairs) -> tuple[dict, dict]:
    """Score every (source key, target key) that meets in a bead: ``({pair: (score, features,
    evidence)}, {target key: synonyms glossed after it})``."""
    from .sinokorean import applies, reading_overlap

    n = len(beads)
    df_s: Counter[str] = Counter()
    df_t: Counter[str] = Counter()
    co: Counter[tuple[str, str]] = Counter()
    for b in beads:
        ss, ts = {u.key for u in b.su}, {u.key for u in b.tu}
        df_s.update(ss)
        df_t.update(ts)
        co.update((s, t) for s in ss for t in ts)
    gloss = set()
    synonyms: dict[str, set[str]] = defaultdict(set)
    for b in beads:
        for g in b.glosses:
            if g.synonym:
                synonyms[norm_key(g.rendering, tgt_lang)].add(g.term)
            elif g.rendering:
                gloss.add((norm_key(g.term, src_lang), norm_key(g.rendering, tgt_lang)))
    readings = "reading" in evidence and applies(lang_base(src_lang), lang_base(tgt_lang))
    use_assoc = "assoc" in evidence and n > 1
    dsrc, dtgt = _display(beads, "src"), _display(beads, "tgt")
    cos = {}
    if vectors is not None:
        vectors.add(list(dsrc.values()) + list(dtgt.values()))
        keys_s = list(dsrc)
        keys_t = list(dtgt)
        vs = np.stack([vectors.v[dsrc[k]] for k in keys_s]) if keys_s else np.zeros((0, 1))
        vt = np.stack([vectors.v[dtgt[k]] for k in keys_t]) if keys_t else np.zeros((0, 1))
        ix_s = {k: i for i, k in enumerate(keys_s)}
        ix_t = {k: i for i, k in enumerate(keys_t)}
        pairs = list(co)
        if pairs:
            a = np.fromiter((ix_s[s] for s, _ in pairs), np.int64, len(pairs))
            bb = np.fromiter((ix_t[t] for _, t in pairs), np.int64, len(pairs))
            sims = np.einsum("ij,ij->i", vs[a], vt[bb])
            cos = dict(zip(pairs, sims.tolist()))
    out = {}
    for (s, t), c in co.items():
        feats = {}
        ev = []
        miss = 1.0
        if (s, t) in gloss:
            miss *= 1 - _W_GLOSS
            ev.append("gloss")
        if (s, t) in glossary_pairs:
            miss *= 1 - _W_GLOSS
            ev.append("glossary")
        if _identical(s, t):
            miss *= 1 - _W_IDENTICAL
            ev.append("identical")
        if use_assoc:
            dice = 2 * c / (df_s[s] + df_t[t])
            assoc = dice * (c / (c + 1)) ** 2
            feats["dice"] = dice
            if assoc > 0.3:
                ev.append("assoc")
            miss *= 1 - _W_ASSOC * assoc
        if readings:
            r = reading_overlap(dsrc[s], dtgt[t])
            feats["reading"] = r
            if r >= 0.5:
                ev.append("reading")
            miss *= 1 - _W_READING * r * r
        if (s, t) in cos:
            x = cos[(s, t)]
            feats["cos"] = x
            m = min(max((x - _MODEL_FLOOR) / (_MODEL_TOP - _MODEL_FLOOR), 0.0), 1.0)
            if m >= 0.3:
                ev.append("model")
            miss *= 1 - _W_MODEL * m
        out[(s, t)] = (1 - miss, feats, tuple(ev))
    return out, synonyms


def _link(beads, scores, src_lang: str) -> list[Link]:
    """Competitive linking in each bead: the best-scored free pair of occurrences first
    (a gloss at its own place before all), then the same inside each linked pair of
    multi-word units (开源 -> 자료공개 inside 开源软件 -> 자료공개 소프트웨어)."""
    links = []
    for b in beads:
        glossed = {(g.start, g.end): norm_key(g.term, src_lang) for g in b.glosses if not g.synonym}
        cand = []
        for i, su in enumerate(b.su):
            for j, tu in enumerate(b.tu):
                sc = scores.get((su.key, tu.key))
                if sc is None:
                    continue
                # a noun inside a Korean compound links after the compound (공개 in 자료공개)
                x = sc[0] * (_PART_FACTOR if tu.tag == "ko-part" else 1.0)
                if x >= _MIN_LINK:
                    first = glossed.get((tu.start, tu.end)) == su.key
                    # ties: the longer pair first (a glossed compound before its parts)
                    cand.append((not first, -x, -(su.end - su.start) - (tu.end - tu.start), i, j))
        cand.sort()
        made = _greedy(b, cand, lambda su, tu: True)
        inner = []
        for su, tu, _ in made:
            inner += _greedy(
                b,
                cand,
                lambda s2, t2, su=su, tu=tu: _inside(s2, su) and _inside(t2, tu) and s2 is not su and t2 is not tu,
            )
        used_t = [(tu.start, tu.end) for _, tu, _ in made + inner]
        links += [_whole(b, su, tu, x, used_t, scores) for su, tu, x in made + inner]
    return links


def _greedy(b: _Bead, cand, allowed) -> list:
    used_s: list[tuple[int, int]] = []
    used_t: list[tuple[int, int]] = []
    made = []
    for _, neg, _, i, j in cand:
        su, tu = b.su[i], b.tu[j]
        if not allowed(su, tu) or _overlaps(su, used_s) or _overlaps(tu, used_t):
            continue
        used_s.append((su.start, su.end))
        used_t.append((tu.start, tu.end))
        made.append((su, tu, -neg))
    return made


def _inside(u: Unit, outer: Unit) -> bool:
    return outer.start <= u.start and u.end <= outer.end


def _whole(b: _Bead, su: Unit, tu: Unit, score: float, used_t, scores) -> Link:
    """The link, its target widened to the whole compound when it is a noun inside one and
    no other link took the compound's other nouns (开源 -> 자료개방, not 자료)."""
    if tu.tag == "ko-part" and _HANGUL.match(tu.text):
        whole = min(
            (
                u
                for u in b.tu
                if u.tag == "ko"
                and u.start <= tu.start
                and tu.end <= u.end
                and _HANGUL_WORD.fullmatch(u.text)
                and (u.start, u.end) != (tu.start, tu.end)
            ),
            key=lambda u: u.end - u.start,
            default=None,
        )
        if whole is not None and not any(
            whole.start <= s and e <= whole.end and (s, e) != (tu.start, tu.end) for s, e in used_t
        ):
            sc = scores.get((su.key, whole.key))
            tu = whole
            score = sc[0] if sc is not None else score
    return Link(b.doc, b.index, su.key, tu.key, (su.start, su.end), (tu.start, tu.end), score)


def _overlaps(u: Unit, spans) -> bool:
    return any(u.start < e and s < u.end for s, e in spans)


def _check_langs(docs) -> tuple[str, str]:
    langs = Counter((a.src_lang, a.tgt_lang) for _, a in docs)
    if len(langs) > 1:
        shown = ", ".join(f"{s}-{t}: {c}" for (s, t), c in langs.most_common())
        raise ValueError(f"the alignments are in several language pairs ({shown}); give one pair at a time")
    return next(iter(langs))


def terms(
    alignments,
    *,
    glossary=None,
    model=None,
    evidence=EVIDENCE,
    min_score: float = DEFAULT_MIN_SCORE,
    rules: bool = False,
) -> TermList:
    """Candidate term pairs of one alignment or several (a list, or ``{doc_id: alignment}``).

    ``glossary``: a :class:`~bitext.check.glossary.Glossary` whose terms and
    renderings are candidates too (and its pairs evidence). ``model``: the
    embedding model for the ``"model"`` evidence (default: the alignment's
    own, else the default model); ``evidence``: the kinds of evidence weighed
    (:data:`EVIDENCE`); ``min_score``: pairs scored below it are not listed;
    ``rules``: Korean stems by rules even where python-mecab-ko is installed.
    All alignments must be in the same language pair.
    """
    if isinstance(min_score, bool) or not isinstance(min_score, (int, float)):
        raise TypeError(f"min_score must be a number from 0 to 1, got {type(min_score).__name__}")
    if not 0.0 <= min_score <= 1.0:  # (NaN too)
        raise ValueError(f"min_score must be between 0 and 1, got {min_score}")
    docs = _as_docs(alignments)
    if not docs:
        return TermList([], [], "", "")
    bad = set(evidence) - set(EVIDENCE)
    if bad:
        raise ValueError(f"unknown evidence {sorted(bad)} (expected some of {', '.join(EVIDENCE)})")
    src_lang, tgt_lang = _check_langs(docs)
    vectors = None
    if "model" in evidence:
        if model is None:
            model = next((a.model for _, a in docs if getattr(a, "model", None) is not None), None)
        if model is None or not hasattr(model, "encode"):
            from ..embed import load_model

            model = load_model(model)
        vectors = _Vectors(model)
    extra_s = list(glossary.terms) if glossary is not None else []
    extra_t = [r for e in glossary.entries for r in e.renderings] if glossary is not None else []
    gpairs = (
        {(norm_key(e.term, src_lang), norm_key(r, tgt_lang)) for e in glossary.entries for r in e.renderings}
        if glossary is not None
        else set()
    )
    sim = vectors.sim if vectors is not None else None
    beads = _collect(docs, src_lang, tgt_lang, extra_s, extra_t, "gloss" in evidence, sim, rules)
    scores, synonyms = _score_pairs(beads, src_lang, tgt_lang, evidence, vectors, gpairs)
    links = _link(beads, scores, src_lang)
    display = {("src", k): v for k, v in _display(beads, "src").items()}
    display.update({("tgt", k): v for k, v in _display(beads, "tgt").items()})
    src_occ = Counter(u.key for b in beads for u in b.su)
    pairs = _pairs(
        links, scores, synonyms, display, src_occ, tgt_lang, min_score, _termhood(beads, src_lang, tgt_lang, display)
    )
    tags: dict[str, set[str]] = defaultdict(set)
    for b in beads:
        for u in b.su:
            tags[u.key].add(u.tag)
    return TermList(
        pairs,
        links,
        src_lang,
        tgt_lang,
        display,
        [(b.index, u.key) for b in beads for u in b.su],
        dict(tags),
        {k: sorted(v) for k, v in synonyms.items()},
    )


def _termhood(beads, src_lang: str, tgt_lang: str, display):
    """``f(src_key, tgt_key, count) -> [0, 1]``: the keyness of the Chinese side,
    log10(share of the documents' words / general probability) over 4, or ``count / 3``."""
    side = "src" if lang_base(src_lang) == "zh" else "tgt" if lang_base(tgt_lang) == "zh" else None
    if side is None:
        return lambda s, t, count: min(1.0, count / 3)
    units = [u for b in beads for u in (b.su if side == "src" else b.tu)]
    occ = Counter(u.key for u in units)
    tags: dict[str, set[str]] = defaultdict(set)
    for u in units:
        tags[u.key].add(u.tag)
    han = sum(len(_HAN.findall(b.src if side == "src" else b.tgt)) for b in beads)
    words = max(han / _CHARS_PER_WORD, 1.0)
    memo: dict[str, float] = {}

    def word_keyness(text: str, n: int) -> float:
        return min(max(math.log10(max(n, 1) / words / general_probability(text)) / _KEYNESS_TOP, 0.0), 1.0)

    def keyness(key: str) -> float:
        if key not in memo:
            text = display[(side, key)]
            if tags[key] & {"gloss", "extra"}:  # a glossary's or the translator's term
                memo[key] = 1.0
            elif tags[key] <= {"ngram"}:  # a run of words is as much a term as its rarest word
                memo[key] = max(
                    (
                        word_keyness(t.text, occ[norm_key(t.text, "zh")] or occ[key])
                        for t in zh_tokens(text)
                        if _HAN.search(t.text) or t.tag == "eng"
                    ),
                    default=0.0,
                )
            else:
                memo[key] = word_keyness(text, occ[key])
        return memo[key]

    return lambda s, t, count: keyness(s if side == "src" else t)


def _pairs(links, scores, synonyms, display, src_occ, tgt_lang, min_score, termhood) -> list[TermPair]:
    by_pair: dict[tuple[str, str], list[Link]] = defaultdict(list)
    for ln in links:
        by_pair[(ln.src, ln.tgt)].append(ln)
    out = []
    for (s, t), ls in by_pair.items():
        score, feats, ev = scores[(s, t)]
        if score < min_score:
            continue
        first = ls[0]
        out.append(
            TermPair(
                display[("src", s)],
                display[("tgt", t)],
                len(ls),
                score,
                first.bead,
                first.doc,
                ev,
                src_occ[s],
                tuple((x.doc, x.bead) for x in ls),
                termhood(s, t, len(ls)),
                feats,
            )
        )
    # a synonym the translator gave in brackets renders what its word renders
    have = {(p.src, p.tgt) for p in out}
    for p in list(out):
        for text in sorted(synonyms.get(norm_key(p.tgt, tgt_lang), ())):
            if (p.src, text) not in have:
                have.add((p.src, text))
                out.append(
                    TermPair(
                        p.src,
                        text,
                        1,
                        p.score * _W_SYNONYM,
                        p.bead,
                        p.doc,
                        ("synonym",),
                        p.src_count,
                        p.beads[:1],
                        p.termhood,
                        {"of": p.tgt},
                    )
                )
    out.sort(key=lambda p: (-p.rank, -p.count, p.src, p.tgt))
    return out
