"""What term extraction finds (:func:`bitext.check.terms.terms`): a :class:`TermList` of
:class:`TermPair` (best first) and every :class:`Link` made, with their dicts
(``--format json``) and TSV (a glossary :mod:`bitext.check.glossary` reads back).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["TermList", "TermPair", "Link", "TERM_FLOOR", "format_glossary"]

TERM_FLOOR = 0.3
"""The rank of an everyday word's pair (termhood 0): this share of its score (:attr:`TermPair.rank`)."""


def _field(s: str) -> str:
    return " ".join(str(s).replace("|", "/").split())


def format_glossary(rows, header: str | None = None) -> str:
    """``(term, renderings, note)`` rows as glossary TSV (``#`` before the header line)."""
    out = [f"# {' '.join(header.split())}"] if header else []
    for term, renderings, note in rows:
        cells = [_field(term), "|".join(_field(r) for r in renderings)]
        if note:
            cells.append(_field(note))
        out.append("\t".join(cells))
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class Link:
    """One source occurrence linked to one target occurrence in a bead."""

    doc: object
    bead: int
    src: str  # keys (norm_key)
    tgt: str
    src_span: tuple[int, int]
    tgt_span: tuple[int, int]
    score: float


@dataclass(frozen=True)
class TermPair:
    """A candidate term pair.

    ``count``: source occurrences linked to this rendering; ``src_count``:
    occurrences of the source term in the beads; ``beads``: ``(doc, bead)``
    of each link; ``bead``/``doc``: the example (the first bead with the best
    evidence); ``evidence``: which kinds support the pair (``gloss``,
    ``synonym``, ``identical``, ``assoc``, ``reading``, ``model``);
    ``features``: the values behind them; ``termhood`` (0 to 1): how much
    more often the Chinese side of the pair occurs in the documents than in
    general Chinese (jieba's dictionary frequencies: names and new terms
    score 1, everyday words 0; without Chinese on either side, the count
    says: 1 from three links); ``rank`` orders the list.
    """

    src: str
    tgt: str
    count: int
    score: float
    bead: int
    doc: object = 0
    evidence: tuple[str, ...] = ()
    src_count: int = 0
    beads: tuple = ()
    termhood: float = 1.0
    features: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def rank(self) -> float:
        """What the list is sorted by: the score, weighed by termhood and by recurrence (a
        pair linked once counts half, twice three quarters; a gloss or glossary pair in full)."""
        once = 1.0 if {"gloss", "glossary"} & set(self.evidence) else min(1.0, 0.25 + 0.25 * self.count)
        return self.score * (TERM_FLOOR + (1 - TERM_FLOOR) * self.termhood) * once

    def note(self) -> str:
        where = f"bead {self.bead}" if self.doc in (0, None) else f"{self.doc} bead {self.bead}"
        return (
            f"count {self.count} of {self.src_count}; score {self.score:.2f}; {'+'.join(self.evidence) or '-'}; {where}"
        )

    def to_dict(self) -> dict:
        return {
            "src": self.src,
            "tgt": self.tgt,
            "count": self.count,
            "src_count": self.src_count,
            "score": round(self.score, 4),
            "termhood": round(self.termhood, 4),
            "evidence": list(self.evidence),
            "doc": self.doc,
            "bead": self.bead,
            "features": {k: v if isinstance(v, str) else round(v, 4) for k, v in self.features.items()},
        }


@dataclass
class TermList:
    """What :func:`~bitext.check.terms.terms` finds: ``pairs`` (best first) and every ``link`` made."""

    pairs: list[TermPair]
    links: list[Link]
    src_lang: str
    tgt_lang: str
    display: dict = field(default_factory=dict, repr=False)  # (side, key) -> text as written
    occurrences: list = field(default_factory=list, repr=False)  # (bead, source key) of every source unit
    src_tags: dict = field(default_factory=dict, repr=False)  # source key -> the classes of its units
    synonyms: dict = field(default_factory=dict, repr=False)  # target key -> the synonyms glossed after it

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)

    def __getitem__(self, i):
        return self.pairs[i]

    def text_of(self, side: str, key: str) -> str:
        """The most common written form of a source (``side="src"``) or target unit key."""
        return self.display.get((side, key), key)

    def to_tsv(self) -> str:
        """One source term a line: the term, its renderings (best first, ``|``), a note;
        a glossary :func:`bitext.check.glossary.read_glossary` reads back."""
        groups: dict[str, list[TermPair]] = {}
        for p in self.pairs:
            groups.setdefault(p.src, []).append(p)
        rows = []
        for src, ps in groups.items():
            note = ps[0].note() + ("" if len(ps) == 1 else "; " + ", ".join(f"{p.tgt} {p.count}" for p in ps))
            rows.append((src, [p.tgt for p in ps], note))
        header = (
            f"bitext terms: {self.src_lang} -> {self.tgt_lang}; source term, tab, renderings separated by a "
            "bar, tab, note: links of the first rendering, its score, evidence and an example bead"
        )
        return format_glossary(rows, header)
