"""Clauses with no counterpart inside a bead: partial omissions, additions and mistranslations.

A bead can pair a sentence with a translation that leaves out one of its
clauses (or adds one, or says something else in one): the sentences match
well enough for the aligner, so neither the bead's score nor the tests for
unmatched sentences (:mod:`bitext.check.unmatched`) see it. Two kinds of evidence
together do:

- the *length surprise*: the bead's sides are longer or shorter than the
  document's length ratio leads one to expect (Gale and Church's normal
  model of length differences, with the variance measured on the document
  itself), and leaving one clause out explains the difference;
- the *model*: the other side resembles the bead better without that
  clause than with it (the bead's side is encoded again without each clause,
  with the model that made the alignment, as the leave-one-out test of
  :mod:`bitext.check.unmatched` does with sentences).

Clauses are cut at the splitters' clause marks (，；：,;: as
:data:`bitext.text.segment.ZH_CLAUSE_END` finds them) and, in Korean, after its
connective endings (:func:`bitext.text.ko_endings.sentence_ends`), which carry the
clauses of text written without commas; pieces too short for a sentence
vector to mean anything are joined to their neighbour. Only the beads whose
length surprise or similarity warrants it are encoded again.

:func:`clause_findings` returns :class:`~bitext.check.records.Finding`
records of kind ``clause_omitted`` (a source clause with no counterpart),
``clause_added`` (a target clause with none) and ``mistranslation`` (a target
clause that translates nothing of the source while the rest of the bead does:
the target says something else there); :func:`bitext.check.coverage.coverage`
adds them to its report. The rules and what they find on the development
sets: ``docs/coverage.md`` ("Clauses without counterpart"); what they cost:
``bench/clauses.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..text import ko_endings
from ..text.segment import ZH_CLAUSE_END, join_sentences, visible_chars
from .records import Finding
from .robust import median, spread

__all__ = ["clause_spans", "clause_evidence", "clause_findings", "ClauseRules", "RULES"]

_CJK = ("zh", "ja", "ko")
# shortest clause (characters other than white space) that stands alone; shorter pieces join a neighbour
_MIN_CHARS_CJK = 5
_MIN_CHARS = 12
_MAX_CLAUSES = 8  # per side of a bead: beyond, the shortest neighbours are joined
# particles that end like a connective (-서, -로서): 회의에서, 여호와께서, 자에게서, 교사로서
_KO_PARTICLES = ("에서", "께서", "에게서", "한테서", "로서", "으로서", "부터서")


def clause_spans(text: str, lang: str | None) -> list[tuple[int, int]]:
    """``[start, end)`` spans of the clauses of one sentence ``text``: cut after
    each clause mark and, in Korean, after each connective or final ending;
    surrounding white space trimmed, pieces shorter than a few characters
    joined to a neighbour."""
    cuts = {m.end() for m in ZH_CLAUSE_END.finditer(text)}
    if lang == "ko":
        cuts.update(e for e, _ in ko_endings.sentence_ends(text) if not text[:e].endswith(_KO_PARTICLES))
    bounds = [0] + sorted(c for c in cuts if 0 < c < len(text)) + [len(text)]
    spans = [(a, b) for a, b in zip(bounds, bounds[1:]) if text[a:b].strip()]
    least = _MIN_CHARS_CJK if lang in _CJK else _MIN_CHARS
    size = [visible_chars(text[a:b]) for a, b in spans]
    # join the shortest piece to its shorter neighbour until every piece is long enough
    while len(spans) > 1:
        k = min(range(len(spans)), key=size.__getitem__)
        if size[k] >= least and len(spans) <= _MAX_CLAUSES:
            break
        if k == 0:
            j = 1
        elif k == len(spans) - 1:
            j = k - 1
        else:
            j = k - 1 if size[k - 1] <= size[k + 1] else k + 1
        a, b = min(k, j), max(k, j)
        spans[a : b + 1] = [(spans[a][0], spans[b][1])]
        size[a : b + 1] = [size[a] + size[b]]
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        out.append((a, b))
    return out


# --------------------------------------------------------------------------
# the evidence

# the length model: Gale and Church's, the variance of length differences per character measured on
# the document (robustly: the median of the squared standardised differences over that of a chi-square
# with one degree of freedom), never below _MIN_VAR; shorter documents take _FALLBACK_VAR
_CHI2_MEDIAN = 0.4549
_MIN_VAR = 1.0
_FALLBACK_VAR = 6.8  # AlignParams.len_var
_MIN_STATS = 8


@dataclass(frozen=True)
class ClauseRules:
    """When a side of a bead has a clause without counterpart. ``z``: how many standard deviations
    the side is longer than the length model expects; ``gain``: how much leaving the clause out
    raises the side's cosine with the other side.

    - omission (source side) / addition (target side): ``z >= *_z``, or ``z >= *_gate`` and
      ``gain >= `` the larger of ``*_gain`` and, with ``*_spreads``, the document's median gain of
      the sides it tries plus that many robust spreads (a free translation, whose clauses move
      the vectors more, needs a larger gain);
    - mistranslation: the bead's cosine lies ``mistranslation_sim`` robust spreads below the
      document's median, its length within ``omission_z`` (or 2.5) deviations of the expected,
      and a target clause has ``gain >= mistranslation_gain``.
    """

    omission_z: float
    omission_gate: float
    omission_gain: float
    omission_spreads: float | None
    addition_z: float
    addition_gate: float
    addition_gain: float
    addition_spreads: float | None
    mistranslation_sim: float
    mistranslation_gain: float


RULES = {
    # flags hardly a bead more on the clean development documents (docs/coverage.md); no additions:
    # a translator's explanations, long enough to tell, are what they find there
    "strict": ClauseRules(math.inf, 0.7, 0.08, 4.0, math.inf, math.inf, 0.12, 4.0, 1.5, 0.15),
    # finds more, and flags real omissions of free translations with them
    "sensitive": ClauseRules(2.5, 0.7, 0.12, None, 3.0, 2.0, 0.16, None, 1.5, 0.12),
}
"""The rules by name, chosen on the development sets with ../shared/tools/qa_inject.py
(docs/coverage.md, "Clauses without counterpart"); ``"strict"`` is the default."""
_FALLBACK_GAIN = 0.12  # fewer sides tried than _MIN_STATS: no spread to measure
_MAX_LENGTH_Z = 2.5  # a mistranslated clause leaves the length within this (the rules' omission_z when finite)


def _lengths(a, beads):
    sl = np.array([visible_chars(s.text) or 1 for s in a.src_sentences], float)
    tl = np.array([visible_chars(s.text) or 1 for s in a.tgt_sentences], float)
    ls = np.array([sl[list(b.src_ids)].sum() for b in beads])
    lt = np.array([tl[list(b.tgt_ids)].sum() for b in beads])
    ratio = ls.sum() / max(lt.sum(), 1.0)
    d = ls - lt * ratio
    g = (ls + lt * ratio) / 2
    var = max(median(d * d / g) / _CHI2_MEDIAN, _MIN_VAR) if len(beads) >= _MIN_STATS else _FALLBACK_VAR
    return ls, lt * ratio, ratio, var


def _z(ls, lt, var):
    return (ls - lt) / np.sqrt(var * np.maximum((ls + lt) / 2, 1.0))


class _Side:
    """One side of one bead tried for a clause without counterpart: its text, its clauses
    (offsets into the text) and where its texts start among those encoded."""

    def __init__(self, bead_index, side, text, other, spans, where, at):
        self.bead, self.side, self.text, self.other, self.spans, self.where, self.at = (
            bead_index,
            side,
            text,
            other,
            spans,
            where,
            at,
        )


def _known(a, side: str, ids) -> np.ndarray | None:
    """The alignment's own unit vector of a side of one sentence (the model made it from the
    sentence's text), or None: a side of several sentences is encoded again, joined."""
    vectors = a.src_vectors if side == "src" else a.tgt_vectors
    sents = a.src_sentences if side == "src" else a.tgt_sentences
    if len(ids) != 1 or vectors is None or len(vectors) != len(sents):
        return None
    vec = np.asarray(vectors[ids[0]], np.float32)
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm > 0 else None


def _side_text(sents, ids, lang):
    """The joined text of sentences ``ids``, its clause spans (offsets into it) and, for each clause,
    ``(sentence id, start, end)`` in its sentence."""
    texts = [sents[i].text for i in ids]
    joiner = join_sentences(["", ""], lang)
    spans, where, pos = [], [], 0
    for i, t in zip(ids, texts):
        for a, b in clause_spans(t, lang):
            spans.append((pos + a, pos + b))
            where.append((i, a, b))
        pos += len(t) + len(joiner)
    return joiner.join(texts), spans, where


def _without(text, span):
    a, b = span
    return (
        text[:a].rstrip()
        + (" " if text[:a].strip() and text[b:].strip() and not _cjk_join(text, a, b) else "")
        + text[b:].lstrip()
    ).strip()


def _cjk_join(text, a, b):
    """Whether the text around a removed span joins without a space (Chinese, Japanese)."""
    left = text[:a].rstrip()[-1:]
    return bool(left) and ("\u3000" <= left <= "\u9fff" or "\uff00" <= left <= "\uffef")


def clause_evidence(alignment, model=None, skip=frozenset(), progress=False, rules: ClauseRules | str = "strict"):
    """The evidence of each bead side tried: ``(bead, side, z, cosine, clauses, low_similarity)``:
    ``z`` how many standard deviations the side is longer than expected, ``cosine`` the sides'
    cosine, ``clauses`` ``[((sentence id, start, end), gain, z_without), ...]`` (what leaving the
    clause out does to the cosine and to ``z``). ``skip``: bead indices not to try (those already
    reported otherwise); ``progress``: a progress bar for a long document's encodings."""
    a = alignment
    rules = RULES[rules] if isinstance(rules, str) else rules
    if model is None:
        model = getattr(a, "model", None)
    idx = [bi for bi, b in enumerate(a.beads) if b.src_ids and b.tgt_ids]
    if model is None or len(idx) == 0:
        return []
    beads = [a.beads[bi] for bi in idx]
    ls, lt, ratio, var = _lengths(a, beads)
    z = _z(ls, lt, var)
    sims = np.array([b.similarity for b in beads])
    med = median(sims)
    sim_spread = max(spread(sims, med), 0.02) if len(sims) >= _MIN_STATS else 0.1
    low_sim = sims < med - rules.mistranslation_sim * sim_spread
    texts: list[str] = []
    sides: list = []
    for k, bi in enumerate(idx):
        if bi in skip:
            continue
        b = beads[k]
        want = []
        if z[k] >= min(rules.omission_gate, rules.omission_z):
            want.append("src")
        if z[k] <= -min(rules.addition_gate, rules.addition_z) or low_sim[k]:
            want.append("tgt")
        if not want:
            continue
        st, ss, sw = _side_text(a.src_sentences, b.src_ids, a.src_lang)
        tt, ts, tw = _side_text(a.tgt_sentences, b.tgt_ids, a.tgt_lang)
        for side in want:
            text, spans, where, other = (st, ss, sw, tt) if side == "src" else (tt, ts, tw, st)
            if len(spans) < 2:
                continue
            mine, theirs = (b.src_ids, b.tgt_ids) if side == "src" else (b.tgt_ids, b.src_ids)
            known = (_known(a, side, mine), _known(a, "tgt" if side == "src" else "src", theirs))
            at = len(texts)
            for t, vec in zip((text, other), known):
                if vec is None:
                    texts.append(t)
            sides.append((_Side(bi, side, text, other, spans, where, at), k, known))
            texts += [_without(text, sp) for sp in spans]
    if not sides:
        return []
    bar = None
    if progress and len(texts) >= 200:
        from tqdm import tqdm

        bar = tqdm(total=len(texts), unit="text", desc="clauses", leave=False)
    try:
        v = np.asarray(model.spans(texts, 1, progress=bar.update if bar else None)[0], np.float32)
    finally:
        if bar:
            bar.close()
    v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    out = []
    for s, k, known in sides:
        at, pair = s.at, []
        for vec in known:  # the side's whole text and the other side's: known, or encoded here
            pair.append(v[at] if vec is None else vec)
            at += vec is None
        whole, other = pair
        base = float(whole @ other)
        rows = []
        for q, sp in enumerate(s.spans):
            gain = float(v[at + q] @ other) - base
            n = visible_chars(s.text[sp[0] : sp[1]])
            zq = float(_z(ls[k] - n, lt[k], var) if s.side == "src" else -_z(ls[k], lt[k] - n * ratio, var))
            rows.append((s.where[q], gain, zq))
        zs = float(z[k]) if s.side == "src" else -float(z[k])
        out.append((s.bead, s.side, zs, base, rows, bool(low_sim[k])))
    return out


def _pick(rows, zs):
    """The clause whose absence best explains the side: among those whose removal brings the length
    closer to the expected, the one whose removal raises the cosine most; ``(index, gain, z_without)``."""
    fits = [q for q, (_, _, zq) in enumerate(rows) if zq < zs]
    if not fits:
        return None
    q = max(fits, key=lambda q: rows[q][1])
    return q, rows[q][1], rows[q][2]


def _gain_cuts(tried, rules: ClauseRules) -> dict[str, float]:
    """Per side, the gain a clause must raise the cosine by (see :class:`ClauseRules`)."""
    cuts = {}
    for side, gate, floor, spreads in (
        ("src", rules.omission_gate, rules.omission_gain, rules.omission_spreads),
        ("tgt", rules.addition_gate, rules.addition_gain, rules.addition_spreads),
    ):
        cuts[side] = floor
        if spreads is None:
            continue
        gains = [
            p[1]
            for _, s, zs, _, rows, _ in tried
            if s == side and zs >= gate
            for p in [_pick(rows, zs)]
            if p is not None
        ]
        if len(gains) < _MIN_STATS:
            cuts[side] = max(floor, _FALLBACK_GAIN)
            continue
        g = np.array(gains)
        med = median(g)
        cuts[side] = max(floor, med + spreads * max(spread(g, med), 0.01))
    return cuts


def clause_findings(
    alignment, model=None, *, skip=frozenset(), progress: bool = False, rules: ClauseRules | str = "strict"
) -> list[Finding]:
    """The clauses of ``alignment``'s beads that have no counterpart on the other side, as
    :class:`~bitext.check.records.Finding` records (``clause_omitted``, ``clause_added``,
    ``mistranslation``), in bead order. ``model``: the model that made the alignment (default: the
    alignment's own; without one, nothing is checked); ``skip``: indices of beads not to check;
    ``rules``: a :class:`ClauseRules` or the name of one in :data:`RULES`."""
    a = alignment
    rules = RULES[rules] if isinstance(rules, str) else rules
    tried = clause_evidence(a, model, skip, progress, rules)
    cuts = _gain_cuts(tried, rules)
    max_z = rules.omission_z if math.isfinite(rules.omission_z) else _MAX_LENGTH_Z
    by_bead: dict[int, dict[str, tuple]] = {}
    for bead, side, zs, cos, rows, low_sim in tried:
        by_bead.setdefault(bead, {})[side] = (zs, cos, rows, low_sim)
    out = []
    for bi in sorted(by_bead):
        b, sides = a.beads[bi], by_bead[bi]
        found = {}
        for side, (zs, cos, rows, _) in sides.items():
            pick = _pick(rows, zs)
            z, gate = (
                (rules.omission_z, rules.omission_gate) if side == "src" else (rules.addition_z, rules.addition_gate)
            )
            if pick is not None and (zs >= z or (zs >= gate and pick[1] >= cuts[side])):
                found[side] = (pick, zs, cos, rows)
        if "tgt" in sides:
            zs, cos, rows, low_sim = sides["tgt"]
            q = max(range(len(rows)), key=lambda q: rows[q][1])
            if low_sim and abs(zs) < max_z and rows[q][1] >= rules.mistranslation_gain:
                mis = {"tgt": ((q, rows[q][1], rows[q][2]), zs, cos, rows)}
                if "src" in sides:
                    zs2, cos2, rows2, _ = sides["src"]
                    q2 = max(range(len(rows2)), key=lambda q: rows2[q][1])
                    if rows2[q2][1] > 0:
                        mis["src"] = ((q2, rows2[q2][1], rows2[q2][2]), zs2, cos2, rows2)
                out.append(_finding(a, bi, b, "mistranslation", mis))
                continue
        if "src" in found:
            out.append(_finding(a, bi, b, "clause_omitted", {"src": found["src"]}))
        elif "tgt" in found:
            out.append(_finding(a, bi, b, "clause_added", {"tgt": found["tgt"]}))
    return out


def _finding(a, bi, b, kind, sides) -> Finding:
    ev: dict[str, Any] = {}
    parts: list[str] = []
    for side in ("src", "tgt"):
        if side not in sides:
            continue
        (q, gain, zq), zs, cos, rows = sides[side]
        (i, start, end), _, _ = rows[q]
        sents = a.src_sentences if side == "src" else a.tgt_sentences
        clause = sents[i].text[start:end]
        rec = {
            "clause": clause,
            "chars": visible_chars(clause),
            "sentence": i,
            "start": start,
            "end": end,
            "length_z": round(zs, 2),
            "cosine": round(cos, 4),
            "gain": round(gain, 4),
        }
        if kind == "mistranslation":
            ev[side] = rec
        else:
            ev = {"side": side, **rec}
        parts.append(clause)
    if kind == "clause_omitted":
        msg = (
            f"source clause with no counterpart in the target: {parts[0]} (the target is "
            f"{ev['length_z']:.1f} sd shorter than expected; without the clause the source resembles it "
            f"{ev['gain']:+.2f} better)"
        )
    elif kind == "clause_added":
        msg = (
            f"target clause with no counterpart in the source: {parts[0]} (the target is "
            f"{ev['length_z']:.1f} sd longer than expected; without the clause it resembles the source "
            f"{ev['gain']:+.2f} better)"
        )
    else:
        msg = f"target clause that translates nothing of the source: {parts[-1]}"
        if "src" in ev:
            msg += f" (in place of: {parts[0]})"
    return Finding(bi, b.src_ids, b.tgt_ids, b.src, b.tgt, b.score, kind, msg, ev)
