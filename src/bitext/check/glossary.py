"""Glossaries: are the terms rendered as agreed, and always the same way?

A glossary is a TSV file without a header, one term a line: the source
term, its accepted target renderings separated by ``|``, and an optional
note (blank lines and lines starting with ``#`` are skipped)::

    开源	자료공개|오픈소스	the editorial's key term
    资源门槛	자원장벽

:func:`read_glossary` refuses a file it cannot use with one
:class:`GlossaryError` that names the file and the line: a line with fewer
than two fields, an empty term, a term without a rendering, a duplicate
term, a file that is not text.

:func:`check_glossary` reports every bead whose source holds a glossary term
and whose target holds none of its renderings (:class:`TermMiss`); a gloss
counts as a rendering (``자원장벽(资源门槛)`` renders 资源门槛).
:func:`consistency` reports source terms that recur in two or more beads
and are rendered in more than one way (:class:`Inconsistency`): jieba words
of the term classes (:data:`~bitext.check.words.TERM_CLASSES`) for Chinese, the
candidate units elsewhere, plus every glossary term; the renderings are the
links of :func:`bitext.check.terms.terms`. ``bitext coverage --glossary`` runs
both (:func:`term_findings`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .words import TERM_CLASSES, Finder, extra_words, lang_base, norm_key, spaced

__all__ = [
    "Glossary",
    "GlossaryEntry",
    "GlossaryError",
    "read_glossary",
    "parse_glossary",
    "TermMiss",
    "Rendering",
    "Inconsistency",
    "check_glossary",
    "consistency",
    "CONSISTENCY_MIN_SCORE",
    "term_findings",
    "TermFindings",
    "as_glossary",
    "render_text",
]


CONSISTENCY_MIN_SCORE = 0.5
"""A linked rendering counts for :func:`consistency` (and names what a :class:`TermMiss` found) when its pair scores this or more, or
:data:`~bitext.check.terms.DEFAULT_MIN_SCORE` and it is linked twice or more."""


class GlossaryError(ValueError):
    """A glossary cannot be used; the message names the file and the line."""


@dataclass(frozen=True)
class GlossaryEntry:
    """One glossary line: the source term, its accepted renderings, the note, the line number."""

    term: str
    renderings: tuple[str, ...]
    note: str = ""
    line: int = 0


@dataclass
class Glossary:
    """The entries of a glossary, in file order."""

    entries: list[GlossaryEntry]
    name: str = "<glossary>"

    @property
    def terms(self) -> list[str]:
        return [e.term for e in self.entries]

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries)

    @classmethod
    def of(cls, pairs) -> Glossary:
        """A glossary from ``{term: renderings}`` or ``[(term, renderings), ...]`` (a
        rendering string may hold several, separated by ``|``)."""
        items = pairs.items() if isinstance(pairs, dict) else pairs
        lines = []
        for term, rend in items:
            rend = rend if isinstance(rend, str) else "|".join(rend)
            lines.append(f"{term}\t{rend}")
        return parse_glossary("\n".join(lines) + "\n", "<glossary>")


def parse_glossary(text: str, name: str = "<glossary>") -> Glossary:
    """Parse glossary TSV text; ``name`` is the file named in errors."""
    entries: list[GlossaryEntry] = []
    first_line: dict[str, int] = {}
    # lines end at \n alone (read_text made \r\n and \r \n): a U+2028 or a form feed in a note
    # stays in it, so that a line number is the file's
    for no, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 2:
            raise GlossaryError(
                f"{name}:{no}: expected the source term, a tab and its renderings (separated by |), got one field"
            )
        term = unicodedata.normalize("NFC", fields[0].strip())
        if not term:
            raise GlossaryError(f"{name}:{no}: the source term (field 1) is empty")
        renderings = tuple(
            dict.fromkeys(unicodedata.normalize("NFC", r.strip()) for r in fields[1].split("|") if r.strip())
        )
        if not renderings:
            raise GlossaryError(f"{name}:{no}: {term}: no rendering (field 2 is empty)")
        key = unicodedata.normalize("NFKC", term).casefold()
        if key in first_line:
            raise GlossaryError(f"{name}:{no}: duplicate term {term} (first on line {first_line[key]})")
        first_line[key] = no
        entries.append(GlossaryEntry(term, renderings, "\t".join(f.strip() for f in fields[2:]).strip(), no))
    if not entries:
        raise GlossaryError(f"{name}: no terms (one a line: source term, a tab, renderings separated by |)")
    return Glossary(entries, name)


def read_glossary(path) -> Glossary:
    """Read a glossary file (UTF-8 or a legacy encoding told with confidence)."""
    from ..text.read import InputError, read_text

    try:
        text = read_text(path)
    except InputError as e:
        raise GlossaryError(str(e)) from None
    return parse_glossary(text, str(path))


# --------------------------------------------------------------------------
# findings


def _round(x: float) -> float:
    return round(float(x), 4)


@dataclass(frozen=True)
class TermMiss:
    """A bead whose source holds a glossary term and whose target none of its renderings.

    ``found``: what the translation renders the term with in this bead, where
    the term linking can tell (``""`` otherwise).
    """

    bead: int
    src_ids: tuple[int, ...]
    tgt_ids: tuple[int, ...]
    term: str
    renderings: tuple[str, ...]
    src: str
    tgt: str
    found: str = ""
    note: str = ""

    @property
    def reason(self) -> str:
        s = f"glossary term {self.term}: expected {' | '.join(self.renderings)}"
        return s + (f"; the translation has {self.found}" if self.found else "")

    def to_dict(self) -> dict:
        return {
            "bead": self.bead,
            "src_ids": list(self.src_ids),
            "tgt_ids": list(self.tgt_ids),
            "term": self.term,
            "renderings": list(self.renderings),
            "found": self.found,
            "note": self.note,
            "src": self.src,
            "tgt": self.tgt,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Rendering:
    """One way a term is rendered: the text, how many occurrences it renders, in which beads."""

    text: str
    count: int
    beads: tuple[int, ...]

    def to_dict(self) -> dict:
        return {"text": self.text, "count": self.count, "beads": list(self.beads)}


@dataclass(frozen=True)
class Inconsistency:
    """A source term that recurs and is rendered in more than one way.

    ``occurrences``: its occurrences in beads with both sides; ``beads``:
    those beads; ``renderings``: most frequent first; ``glossary``: the
    accepted renderings when it is a glossary term.
    """

    term: str
    occurrences: int
    beads: tuple[int, ...]
    renderings: tuple[Rendering, ...]
    glossary: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        return f"{self.term} rendered {len(self.renderings)} ways: " + ", ".join(
            f"{r.text} {r.count}" for r in self.renderings
        )

    def to_dict(self) -> dict:
        return {
            "term": self.term,
            "occurrences": self.occurrences,
            "beads": list(self.beads),
            "renderings": [r.to_dict() for r in self.renderings],
            "glossary": list(self.glossary),
            "reason": self.reason,
        }


def _glossed(finder: Finder, term: str) -> bool:
    """Whether the target holds the source term itself in brackets (a translator's gloss)."""
    t = finder.text
    key = unicodedata.normalize("NFKC", term)
    fold = key.casefold() if spaced(finder.lang) else key
    hay = t.casefold() if spaced(finder.lang) else t
    for m in re.finditer(r"[(（]([^()（）]*)[)）]", hay):
        if fold in m.group(1):
            return True
    return False


def check_glossary(alignment, glossary: Glossary, links=None) -> list[TermMiss]:
    """The beads that hold a glossary term in their source and none of its renderings in their target.

    Beads with one side empty are left to the coverage report (an omission
    is not a terminology problem). ``links``: a :class:`~bitext.check.term_list.TermList`
    whose links tell what the translation has instead (:attr:`TermMiss.found`).
    """
    a = alignment
    sl, tl = a.src_lang, a.tgt_lang
    found_in: dict[tuple[int, str], str] = {}
    if links is not None:
        trusted = _trusted(links)
        for ln in links.links:
            if (ln.src, ln.tgt) in trusted:
                found_in.setdefault((ln.bead, ln.src), links.text_of("tgt", ln.tgt))
    words = glossary.terms + [r for e in glossary.entries for r in e.renderings]
    out = []
    with extra_words(words):
        for bi, b in enumerate(a.beads):
            if not (b.src_ids and b.tgt_ids):
                continue
            fs = None
            ft = None
            for e in glossary.entries:
                if not _may_hold(b.src, e.term, sl):
                    continue
                fs = fs or Finder(b.src, sl)
                if not fs.find(e.term):
                    continue
                ft = ft or Finder(b.tgt, tl)
                if any(ft.find(r) for r in e.renderings) or _glossed(ft, e.term):
                    continue
                found = found_in.get((bi, norm_key(e.term, sl)), "")
                out.append(
                    TermMiss(bi, tuple(b.src_ids), tuple(b.tgt_ids), e.term, e.renderings, b.src, b.tgt, found, e.note)
                )
    return out


def _may_hold(text: str, term: str, lang: str | None) -> bool:
    """A cheap test before the real one: the term's characters are in the text at all."""
    t = unicodedata.normalize("NFKC", text)
    k = unicodedata.normalize("NFKC", term)
    if spaced(lang):
        return k.casefold().split(" ")[0] in t.casefold()
    return re.sub(r"\s+", "", k) in re.sub(r"\s+", "", t)


def _source_term(tags: set[str], lang: str | None) -> bool:
    """Which units count as source terms for consistency: in Chinese, jieba words of the term classes."""
    if "extra" in tags:
        return True
    if lang_base(lang) == "zh":
        return bool(tags & TERM_CLASSES)
    return bool(tags - {"ko-part"})


def consistency(
    alignment, glossary: Glossary | None = None, links=None, *, model=None, min_score: float = CONSISTENCY_MIN_SCORE
) -> list[Inconsistency]:
    """Source terms found in two or more beads and rendered in more than one way.

    A term's renderings are the target units its occurrences are linked to
    (pairs scored ``min_score`` or more, or linked twice and scored
    :data:`~bitext.check.terms.DEFAULT_MIN_SCORE`: :func:`bitext.check.terms.terms` makes the
    links, with ``glossary`` and ``model``, unless ``links`` gives them), the
    synonyms the translator glossed after them (``자료공개(오픈소스)``) and its
    glossary renderings; renderings one of which holds the other (회의,
    정상회의) are one. Each is counted where it occurs in the targets of the
    beads that hold the term: 开源 in the seed is 자료공개 12 times, 자료개방 4
    times, 오픈소스 once.
    """
    from .terms import terms

    a = alignment
    if links is None:
        links = terms(a, glossary=glossary, model=model, min_score=0.0)
    sl, tl = a.src_lang, a.tgt_lang
    gl = {norm_key(e.term, sl): e for e in glossary.entries} if glossary is not None else {}
    occ_beads: dict[str, set[int]] = defaultdict(set)
    occ: Counter[str] = Counter()
    for bead, key in links.occurrences:
        occ[key] += 1
        occ_beads[key].add(bead)
    trusted = _trusted(links, min_score)
    linked: dict[str, Counter] = defaultdict(Counter)
    for ln in links.links:
        if (ln.src, ln.tgt) in trusted:
            linked[ln.src][ln.tgt] += 1
    out = []
    targets: dict[int, Finder] = {}
    with extra_words([r for e in gl.values() for r in e.renderings]):
        for key in sorted(set(linked) | set(gl)):
            if len(occ_beads[key]) < 2 or not _source_term(links.src_tags.get(key, set()), sl):
                continue
            texts = [links.text_of("tgt", t) for t, _ in linked[key].most_common()]
            for t, _ in linked[key].most_common():
                texts += links.synonyms.get(t, [])
            if key in gl:
                texts += list(gl[key].renderings)
            groups = _group_renderings(texts, tl)
            if len(groups) < 2:
                continue
            rends = []
            for members in groups:
                beads_with, count = [], 0
                for bi in sorted(occ_beads[key]):
                    f = targets.setdefault(bi, Finder(a.beads[bi].tgt, tl))
                    n = _count(f, members)
                    if n:
                        count += n
                        beads_with.append(bi)
                if count:
                    rends.append(Rendering(members[0], count, tuple(beads_with)))
            if len(rends) < 2:
                continue
            rends.sort(key=lambda r: (-r.count, r.beads))
            e = gl.get(key)
            out.append(
                Inconsistency(
                    e.term if e else links.text_of("src", key),
                    occ[key],
                    tuple(sorted(occ_beads[key])),
                    tuple(rends),
                    e.renderings if e else (),
                )
            )
    out.sort(key=lambda x: (-x.occurrences, x.term))
    return out


def _trusted(links, min_score: float = CONSISTENCY_MIN_SCORE) -> set[tuple[str, str]]:
    """The (source, target) keys of the links to trust: scored ``min_score`` or more, or
    linked twice or more and scored :data:`~bitext.check.terms.DEFAULT_MIN_SCORE`."""
    from .terms import DEFAULT_MIN_SCORE

    n = Counter((ln.src, ln.tgt) for ln in links.links)
    best: dict[tuple[str, str], float] = {}
    for ln in links.links:
        best[(ln.src, ln.tgt)] = max(best.get((ln.src, ln.tgt), 0.0), ln.score)
    return {k for k, x in best.items() if x >= min_score or (n[k] >= 2 and x >= DEFAULT_MIN_SCORE)}


def _count(finder: Finder, members: list[str]) -> int:
    """Occurrences of any of ``members`` in the finder's text, overlapping ones once."""
    spans = sorted({sp for m in members for sp in finder.find(m)})
    n, end = 0, -1
    for s, e in spans:
        if s >= end:
            n += 1
            end = e
    return n


def _group_renderings(texts: list[str], lang: str | None) -> list[list[str]]:
    """Renderings in groups, first seen first: one that holds another's key (or is held
    by it) joins that one's group (정상회의 and 회의, 대형모델 and 모델)."""
    groups: list[list[str]] = []
    keys: list[list[str]] = []
    for t in dict.fromkeys(texts):
        k = norm_key(t, lang)
        if not k:
            continue
        for g, ks in zip(groups, keys):
            if any(k in x or x in k for x in ks):
                g.append(t)
                ks.append(k)
                break
        else:
            groups.append([t])
            keys.append([k])
    return groups


def as_glossary(glossary) -> Glossary | None:
    """A :class:`Glossary` from a glossary, a TSV file's path, or ``{term: renderings}`` (None stays None)."""
    if glossary is None or isinstance(glossary, Glossary):
        return glossary
    if isinstance(glossary, (str, bytes)) or hasattr(glossary, "__fspath__"):
        return read_glossary(glossary)
    return Glossary.of(glossary)


@dataclass
class TermFindings:
    """What ``coverage(..., glossary=...)`` adds: glossary misses and inconsistent renderings."""

    misses: list[TermMiss] = field(default_factory=list)
    inconsistent: list[Inconsistency] = field(default_factory=list)
    glossary: str | None = None  # the glossary's name, when one was checked
    consistent: bool = False  # whether consistency was checked

    @property
    def missed_beads(self) -> set[int]:
        return {m.bead for m in self.misses}


def term_findings(alignment, glossary: Glossary | None = None, *, consistent: bool = True, model=None) -> TermFindings:
    """Glossary misses (with a glossary) and, with ``consistent``, the inconsistent renderings."""
    from .terms import terms

    links = terms(alignment, glossary=glossary, model=model, min_score=0.0) if (consistent or glossary) else None
    misses = check_glossary(alignment, glossary, links) if glossary is not None else []
    inconsistent = consistency(alignment, glossary, links) if consistent else []
    return TermFindings(misses, inconsistent, glossary.name if glossary is not None else None, consistent)


# --------------------------------------------------------------------------
# text


def render_text(report, bead_lines, wrap, width: int = 100) -> list[str]:
    """The coverage report's lines for its term findings (``bead_lines(finding, tail)`` and
    ``wrap(prefix, text, width)`` are the report's own helpers)."""
    out = []
    if report.glossary is not None:
        out += ["", f"Glossary terms not rendered ({report.glossary}): {len(report.term_misses)} bead(s)"]
        for m in report.term_misses:
            out += bead_lines(m, ": " + m.reason)
    if report.consistency_checked:
        out += [
            "",
            f"Inconsistent renderings: {len(report.inconsistent_terms)} source term(s) rendered in more than one way",
        ]
        for x in report.inconsistent_terms:
            extra = f"; glossary: {' | '.join(x.glossary)}" if x.glossary else ""
            out.append(f"  {x.term}: {x.occurrences} occurrence(s) in {len(x.beads)} beads{extra}")
            for r in x.renderings:
                out += wrap(f"    {r.text} x{r.count}: ", "bead " + ", ".join(map(str, r.beads)), width)
    return out
