"""The coverage report's records and their renderings.

:class:`CoverageReport` holds what :func:`bitext.check.coverage.coverage` finds:
:class:`Omission`, :class:`Addition`, :class:`LowConfidence` and
:class:`Suspect` records, a :class:`ParagraphCoverage` per source paragraph
and a status per bead. Each record has ``to_dict()``; the report renders as
a dict or JSON (``to_dict``, ``to_json``: version 1 of the schema in
``docs/coverage.md``), as text (``to_text``), as HTML (``to_html``, by
:mod:`bitext.views.report`) and as DataFrames (``to_pandas``, by :mod:`bitext.views.frames`).
"""

from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from ..pipeline import Alignment

__all__ = [
    "CoverageReport",
    "Omission",
    "Addition",
    "LowConfidence",
    "Suspect",
    "Finding",
    "ParagraphCoverage",
    "FINDING_KINDS",
]


# --------------------------------------------------------------------------
# the records


class _Record:
    """``to_dict`` for the report's records: fields in order, tuples as lists, floats rounded."""

    __dataclass_fields__: ClassVar[dict[str, Any]]  # each subclass is a dataclass

    def to_dict(self) -> dict:
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = list(v) if isinstance(v, tuple) else _round(v) if isinstance(v, float) else v
        return out


def _share(part: int, whole: int) -> float:
    """``part / whole``; an empty whole counts as fully covered."""
    return part / whole if whole else 1.0


@dataclass(frozen=True)
class Omission(_Record):
    """Source sentences with no translation (consecutive ids of one bead)."""

    src_ids: tuple[int, ...]
    text: str
    paragraph: int
    kind: str  # "unaligned" (a 1-0 bead) or "unmatched" (in a bead, but unlike its target)
    bead: int
    score: float


@dataclass(frozen=True)
class Addition(_Record):
    """Target sentences with no source (consecutive ids of one bead)."""

    tgt_ids: tuple[int, ...]
    text: str
    paragraph: int  # the target paragraph
    kind: str  # "unaligned" (a 0-1 bead) or "unmatched"
    bead: int
    score: float


@dataclass(frozen=True)
class _BeadFinding(_Record):
    """A finding about one bead with both sides: its ids, its texts and its score."""

    bead: int
    src_ids: tuple[int, ...]
    tgt_ids: tuple[int, ...]
    src: str
    tgt: str
    score: float


@dataclass(frozen=True)
class LowConfidence(_BeadFinding):
    """A bead with both sides whose score is below the threshold."""

    similarity: float


@dataclass(frozen=True)
class Suspect(_BeadFinding):
    """A bead whose numbers or Latin-script names differ between the sides."""

    numbers_src_only: tuple[str, ...] = ()
    numbers_tgt_only: tuple[str, ...] = ()
    names_src_only: tuple[str, ...] = ()
    names_tgt_only: tuple[str, ...] = ()

    @property
    def reasons(self) -> list[str]:
        out = []
        if self.numbers_src_only:
            out.append("number only in source: " + ", ".join(self.numbers_src_only))
        if self.numbers_tgt_only:
            out.append("number only in target: " + ", ".join(self.numbers_tgt_only))
        if self.names_src_only:
            out.append("name only in source: " + ", ".join(self.names_src_only))
        if self.names_tgt_only:
            out.append("name only in target: " + ", ".join(self.names_tgt_only))
        return out

    def to_dict(self) -> dict:
        return {
            "bead": self.bead,
            "src_ids": list(self.src_ids),
            "tgt_ids": list(self.tgt_ids),
            "src": self.src,
            "tgt": self.tgt,
            "score": _round(self.score),
            "numbers": {"src_only": list(self.numbers_src_only), "tgt_only": list(self.numbers_tgt_only)},
            "names": {"src_only": list(self.names_src_only), "tgt_only": list(self.names_tgt_only)},
            "reasons": self.reasons,
        }


@dataclass(frozen=True)
class Finding(_BeadFinding):
    """A finding about one bead from the translation checks: its kind, a line for a person and its evidence."""

    kind: str  # "untranslated", "copied", "name", "number", "clause_omitted", "clause_added", "mistranslation"
    message: str
    evidence: dict = field(default_factory=dict)


FINDING_KINDS = ("untranslated", "copied", "clause_omitted", "clause_added", "mistranslation", "name", "number")
"""The kinds of :class:`Finding`, most severe first: a bead with findings of several kinds takes the
first one's kind as its status."""


def finding_rank(kind: str) -> int:
    """The place of ``kind`` in :data:`FINDING_KINDS` (kinds not listed come after them)."""
    return FINDING_KINDS.index(kind) if kind in FINDING_KINDS else len(FINDING_KINDS)


class _Shares:
    """Covered shares of a document or paragraph: ``covered_ids`` and
    ``covered_chars`` against the totals that :meth:`_totals` gives."""

    covered_ids: tuple[int, ...]
    covered_chars: int

    def _totals(self) -> tuple[int, int]:  # (sentences, characters)
        raise NotImplementedError

    @property
    def covered_sentences(self) -> int:
        return len(self.covered_ids)

    @property
    def coverage(self) -> float:
        """Share of source sentences that are covered (1.0 when there are none)."""
        return _share(self.covered_sentences, self._totals()[0])

    @property
    def char_coverage(self) -> float:
        """Share of source characters (not counting spaces) that are covered."""
        return _share(self.covered_chars, self._totals()[1])


@dataclass
class ParagraphCoverage(_Shares):
    """Coverage of one source paragraph (0-based, as in :class:`~bitext.text.segment.Sentence`)."""

    paragraph: int
    src_ids: tuple[int, ...]
    covered_ids: tuple[int, ...]
    chars: int
    covered_chars: int
    omissions: int = 0
    additions: int = 0
    low_confidence: int = 0
    suspects: int = 0
    findings: int = 0  # beads of the paragraph with a finding of the translation checks

    @property
    def sentences(self) -> int:
        return len(self.src_ids)

    def _totals(self) -> tuple[int, int]:
        return self.sentences, self.chars

    def to_dict(self) -> dict:
        return {
            "paragraph": self.paragraph,
            "src_ids": list(self.src_ids),
            "sentences": self.sentences,
            "covered_sentences": self.covered_sentences,
            "coverage": _round(self.coverage),
            "chars": self.chars,
            "covered_chars": self.covered_chars,
            "char_coverage": _round(self.char_coverage),
            "omissions": self.omissions,
            "additions": self.additions,
            "low_confidence": self.low_confidence,
            "suspects": self.suspects,
            "findings": self.findings,
        }


@dataclass
class CoverageReport(_Shares):
    """What :func:`bitext.check.coverage.coverage` finds; ``to_text()``, ``to_json()``, ``to_html()`` render it."""

    alignment: Alignment = field(repr=False)
    threshold: float
    unmatched_z: float | None
    covered_ids: tuple[int, ...]
    src_chars: int
    covered_chars: int
    omissions: list[Omission]
    additions: list[Addition]
    low_confidence: list[LowConfidence]
    suspects: list[Suspect]
    paragraphs: list[ParagraphCoverage]
    statuses: list[str]  # one per bead: ok, suspect, term, a finding's kind, low, unmatched, omission, addition
    # terminology (bitext.check.glossary): with a glossary or consistency=True
    term_misses: list = field(default_factory=list)  # [TermMiss]
    inconsistent_terms: list = field(default_factory=list)  # [Inconsistency]
    glossary: str | None = None  # the glossary's name, when one was checked
    consistency_checked: bool = False
    # the translation checks (bitext.check.untranslated, bitext.check.names, ...): one record a finding, in bead order
    findings: list[Finding] = field(default_factory=list)

    def findings_by_kind(self) -> dict[str, int]:
        """How many findings of each kind, the kinds in :data:`FINDING_KINDS` order."""
        counts: dict[str, int] = {}
        for f in sorted(self.findings, key=lambda f: finding_rank(f.kind)):
            counts[f.kind] = counts.get(f.kind, 0) + 1
        return counts

    @property
    def src_sentences(self) -> int:
        return len(self.alignment.src_sentences)

    @property
    def tgt_sentences(self) -> int:
        return len(self.alignment.tgt_sentences)

    def _totals(self) -> tuple[int, int]:
        return self.src_sentences, self.src_chars

    @property
    def omitted_ids(self) -> set[int]:
        return {i for o in self.omissions for i in o.src_ids}

    @property
    def added_ids(self) -> set[int]:
        return {j for a in self.additions for j in a.tgt_ids}

    def to_dict(self) -> dict:
        a = self.alignment
        return {
            "version": 1,
            "src_lang": a.src_lang,
            "tgt_lang": a.tgt_lang,
            "threshold": self.threshold,
            "coverage": _round(self.coverage),
            "char_coverage": _round(self.char_coverage),
            "counts": {
                "src_sentences": self.src_sentences,
                "tgt_sentences": self.tgt_sentences,
                "beads": len(a.beads),
                "covered_sentences": self.covered_sentences,
                "src_chars": self.src_chars,
                "covered_chars": self.covered_chars,
                "omitted_sentences": len(self.omitted_ids),
                "added_sentences": len(self.added_ids),
                "low_confidence": len(self.low_confidence),
                "suspects": len(self.suspects),
                "term_misses": len(self.term_misses),
                "inconsistent_terms": len(self.inconsistent_terms),
                "findings": len(self.findings),
                "findings_by_kind": self.findings_by_kind(),
            },
            "terms_checked": {"glossary": self.glossary, "consistency": self.consistency_checked},
            "term_misses": [m.to_dict() for m in self.term_misses],
            "inconsistent_terms": [x.to_dict() for x in self.inconsistent_terms],
            "omissions": [o.to_dict() for o in self.omissions],
            "additions": [x.to_dict() for x in self.additions],
            "low_confidence": [x.to_dict() for x in self.low_confidence],
            "suspects": [s.to_dict() for s in self.suspects],
            "findings": [f.to_dict() for f in self.findings],
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "beads": [
                {
                    "bead": i,
                    "src_ids": list(b.src_ids),
                    "tgt_ids": list(b.tgt_ids),
                    "score": _round(b.score),
                    "status": st,
                }
                for i, (b, st) in enumerate(zip(a.beads, self.statuses))
            ],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent) + "\n"

    def to_text(self, width: int = 100) -> str:
        return _render_text(self, width)

    def to_html(self, title: str | None = None) -> str:
        from ..views.report import render_html

        return render_html(self, title=title)

    def render(self, fmt: str) -> str:
        """``text``, ``json`` or ``html``."""
        if fmt == "text":
            return self.to_text()
        if fmt == "json":
            return self.to_json()
        if fmt == "html":
            return self.to_html()
        raise ValueError(f"unknown format {fmt!r} (expected text, json or html)")

    def to_pandas(self, table: str = "beads"):
        """A DataFrame (needs pandas; columns in :mod:`bitext.views.frames`): ``"beads"``, one row
        a bead with its ``status``; ``"findings"``, one row an omission, addition,
        low-confidence bead, suspect or finding of the translation checks; ``"paragraphs"``, one row a source paragraph."""
        from ..views import frames

        if table == "beads":
            return frames.beads_frame(self.alignment, self)
        if table == "findings":
            return frames.findings_frame(self)
        if table == "paragraphs":
            return frames.paragraphs_frame(self)
        raise ValueError(f"unknown table {table!r} (expected beads, findings or paragraphs)")

    def __repr__(self) -> str:
        from ..views.display import report_repr

        return report_repr(self)

    def _repr_html_(self) -> str:
        from ..views.display import report_html

        return report_html(self)


def _round(x: float, nd: int = 4):
    x = float(x)
    return None if math.isnan(x) else round(x, nd)


# --------------------------------------------------------------------------
# text rendering


def _wrap(prefix: str, text: str, width: int) -> list[str]:
    """``prefix`` then ``text``, wrapped by display width (CJK characters count double)."""
    lines, cur, cur_w = [], prefix, _dw(prefix)
    indent = " " * _dw(prefix)
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if cur_w + w > width and cur.strip():
            lines.append(cur.rstrip())
            cur, cur_w = indent, len(indent)
            if ch == " ":
                continue
        cur += ch
        cur_w += w
    lines.append(cur.rstrip())
    return lines


def _dw(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _ids_str(ids) -> str:
    ids = list(ids)
    if len(ids) > 2 and ids == list(range(ids[0], ids[-1] + 1)):
        return f"{ids[0]}-{ids[-1]}"
    return ",".join(str(i) for i in ids)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _render_text(r: CoverageReport, width: int) -> str:
    a = r.alignment
    sl, tl = a.src_lang, a.tgt_lang
    out = [
        f"Coverage report: {sl} -> {tl}: {r.src_sentences} source sentences, "
        f"{r.tgt_sentences} target sentences, {len(a.beads)} beads",
        f"(sentence ids and paragraphs count from 0; threshold {r.threshold:g}: "
        "a bead scored below it is low-confidence)",
        "",
        f"Coverage:        {r.covered_sentences}/{r.src_sentences} source sentences ({_pct(r.coverage)}), "
        f"{r.covered_chars}/{r.src_chars} characters ({_pct(r.char_coverage)})",
        f"Omissions:       {len(r.omitted_ids)} source sentence(s)",
        f"Additions:       {len(r.added_ids)} target sentence(s)",
        f"Low confidence:  {len(r.low_confidence)} bead(s)",
        f"Suspect pairs:   {len(r.suspects)} bead(s) whose numbers or names differ",
        f"Findings:        {_findings_line(r)}",
    ]
    if r.glossary is not None:
        out.append(f"Glossary terms:  {len(r.term_misses)} bead(s) with a term not rendered as {r.glossary} says")
    if r.consistency_checked:
        out.append(f"Inconsistent:    {len(r.inconsistent_terms)} source term(s) rendered in more than one way")
    if (
        r.coverage == 1.0
        and not r.omissions
        and not r.additions
        and not r.suspects
        and not r.low_confidence
        and not r.findings
    ):
        out += ["", "Every source sentence is translated; nothing was added."]
    pars = r.paragraphs
    problem = [
        p for p in pars if p.coverage < 1 or p.omissions or p.additions or p.suspects or p.low_confidence or p.findings
    ]
    per_line = all(p.sentences == 1 for p in pars) and len(pars) > 1
    shown = pars if len(pars) <= 40 and not per_line else problem
    if shown:
        title = "Paragraphs" if shown is pars else "Paragraphs with findings"
        out += ["", f"{title} (source paragraph: sentence ids, coverage, findings)"]
        out.append(
            f"  {'par':>4} {'sentences':>10} {'covered':>8} {'coverage':>9} {'omit':>5} {'add':>4} {'low':>4} "
            f"{'susp':>5} {'find':>5}"
        )
        for p in shown:
            out.append(
                f"  {p.paragraph:>4} {_ids_str(p.src_ids):>10} {p.covered_sentences:>4}/{p.sentences:<3} "
                f"{_pct(p.coverage):>9} {p.omissions:>5} {p.additions:>4} {p.low_confidence:>4} {p.suspects:>5} "
                f"{p.findings:>5}"
            )
    if r.omissions:
        out += ["", "Omissions: source sentences with no translation"]
        for o in r.omissions:
            why = "no counterpart" if o.kind == "unaligned" else f"aligned in bead {o.bead}, but unlike its target"
            out.append(f"  {sl} {_ids_str(o.src_ids)} (paragraph {o.paragraph}; {why}):")
            out += _wrap("    ", o.text, width)
    if r.additions:
        out += ["", "Additions: target sentences with no source"]
        for x in r.additions:
            why = "no counterpart" if x.kind == "unaligned" else f"aligned in bead {x.bead}, but unlike its source"
            out.append(f"  {tl} {_ids_str(x.tgt_ids)} (paragraph {x.paragraph}; {why}):")
            out += _wrap("    ", x.text, width)
    if r.low_confidence:
        out += ["", f"Low-confidence beads (score < {r.threshold:g})"]
        for low in r.low_confidence:
            out += _bead_lines(low, f", score {low.score:.2f}", sl, tl, width)
    if r.suspects:
        out += ["", "Suspect pairs: numbers or names differ"]
        for sus in r.suspects:
            out += _bead_lines(sus, ": " + "; ".join(sus.reasons), sl, tl, width)
    if r.findings:
        out += ["", "Findings of the translation checks"]
        for fnd in r.findings:
            out += _bead_lines(fnd, f": {fnd.kind}: {fnd.message}", sl, tl, width)
    if r.glossary is not None or r.consistency_checked:
        from .glossary import render_text

        out += render_text(r, lambda x, tail: _bead_lines(x, tail, sl, tl, width), _wrap, width)
    return "\n".join(out) + "\n"


def _findings_line(r: CoverageReport) -> str:
    by_kind = r.findings_by_kind()
    if not by_kind:
        return "0 bead(s) with a finding of the translation checks (untranslated, copied, names ...)"
    return f"{len(r.findings)}: " + ", ".join(f"{n} {k}" for k, n in by_kind.items())


def _bead_lines(x, tail: str, sl: str, tl: str, width: int) -> list[str]:
    """A finding about bead ``x`` (with ``bead``, ``src_ids``, ``tgt_ids``, ``src``, ``tgt``): its
    ids, ``tail``, and both sides wrapped."""
    return (
        [f"  bead {x.bead}: {sl} {_ids_str(x.src_ids)} <-> {tl} {_ids_str(x.tgt_ids)}{tail}"]
        + _wrap(f"    {sl}: ", x.src, width)
        + _wrap(f"    {tl}: ", x.tgt, width)
    )
