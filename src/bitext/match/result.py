"""What matching found: :class:`Matching` (the pairs, the near misses, the documents
left alone), how the pairs are chosen (:func:`choose`), and the manifest that
``bitext batch`` reads (:meth:`Matching.write_manifest`).

The manifest has one line per pair, ``id  src_path  tgt_path  src_lang
tgt_lang``, each after a ``#`` line with its evidence; near misses, documents
without a counterpart and documents skipped follow as ``#`` lines, which
``bitext batch`` ignores.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .confirm import MAX_CHANCE, MIN_COVERAGE, Evidence
from .documents import Document, MatchError

__all__ = ["DocPair", "NearMiss", "Matching", "choose", "pair_ids"]


@dataclass(frozen=True)
class DocPair:
    """A pair found: source and target document ids, their languages, the evidence."""

    id: str  # the pair's id in the manifest (from the source document's id)
    src: str
    tgt: str
    src_lang: str
    tgt_lang: str
    evidence: Evidence

    @property
    def score(self) -> float:
        return self.evidence.score


@dataclass(frozen=True)
class NearMiss:
    """A candidate that is not a pair: ``reason`` is ``"too few sentences align"`` (same
    subject, not a translation), ``"too short to tell from chance"`` (a sentence or two
    that align could align by chance) or ``"taken"`` (it aligns, but one of its documents
    pairs better with another)."""

    src: str
    tgt: str
    reason: str
    evidence: Evidence
    rival: str | None = None  # "taken": the better pair that took one of its documents ("a.txt with b.txt")


def choose(
    pairs: np.ndarray,
    score: np.ndarray,
    doc_cos: np.ndarray,
    min_coverage: float = MIN_COVERAGE,
    one_to_one: bool = True,
    chance: np.ndarray | None = None,
    max_chance: float = MAX_CHANCE,
) -> tuple[np.ndarray, np.ndarray]:
    """Which candidates become pairs: ``(chosen, taken)``, indices into ``pairs``.

    A candidate can be a pair when its ``score`` is at least ``min_coverage``
    and its ``chance`` (of aligning as much by chance) at most ``max_chance``.
    One-to-one (the default): the best-scored of those first (ties: the
    closer document vectors), then the next whose two documents are both
    still free; ``taken`` are those left out because a document was already
    paired. Otherwise every one of them is a pair.
    """
    order = np.lexsort((-doc_cos, -score))
    ok = score[order] >= min_coverage
    if chance is not None:
        ok &= chance[order] <= max_chance
    order = order[ok]
    if not one_to_one:
        return order, np.zeros(0, np.int64)
    used_s, used_t, chosen, taken = set(), set(), [], []
    for k in order.tolist():
        i, j = int(pairs[k, 0]), int(pairs[k, 1])
        if i in used_s or j in used_t:
            taken.append(k)
            continue
        used_s.add(i)
        used_t.add(j)
        chosen.append(k)
    return np.array(chosen, np.int64), np.array(taken, np.int64)


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def pair_ids(names: list[str]) -> list[str]:
    """Manifest ids from document ids: the file name without its extension, the
    characters a file name may not hold as ``_``, unique (also when case is folded)."""
    from ..formats.summary import MAX_ID

    out, seen = [], set()
    for n, name in enumerate(names, 1):
        stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", name)
        base = _SAFE.sub("_", stem).strip("._")[: MAX_ID - 12]
        if not re.search(r"[A-Za-z0-9]", base):
            base = f"pair-{n}" if not base else f"pair-{n}-{base}"[: MAX_ID - 12]
        pid, k = base, 1
        while pid.lower() in seen:
            k += 1
            pid = f"{base}-{k}"
        seen.add(pid.lower())
        out.append(pid)
    return out


class Matching:
    """The result of :func:`bitext.match`: ``pairs`` (:class:`DocPair`, best first),
    ``near_misses`` (:class:`NearMiss`), the ids of the documents with no
    counterpart (``unmatched_src``, ``unmatched_tgt``), those that could not
    be read (``skipped``: ``(side, id, why)``), and ``stats`` (counts,
    seconds per stage, the chance level ``theta``).

    :meth:`write_manifest` writes the manifest ``bitext batch`` reads;
    :meth:`to_pandas` gives a table of the pairs and near misses.
    """

    def __init__(self, pairs, near_misses, unmatched_src, unmatched_tgt, skipped, src_docs, tgt_docs, stats):
        self.pairs: list[DocPair] = pairs
        self.near_misses: list[NearMiss] = near_misses
        self.unmatched_src: list[str] = unmatched_src
        self.unmatched_tgt: list[str] = unmatched_tgt
        self.skipped: list[tuple[str, str, str]] = skipped
        self.stats: dict = stats
        self._docs = {"src": src_docs, "tgt": tgt_docs}

    def __len__(self) -> int:
        return len(self.pairs)

    def __iter__(self):
        return iter(self.pairs)

    def __getitem__(self, i):
        return self.pairs[i]

    def document(self, side: str, doc_id: str) -> Document:
        """The :class:`~bitext.match.documents.Document` of ``side`` (``"src"`` or ``"tgt"``) with ``doc_id``."""
        return self._docs[side][doc_id]

    def __repr__(self) -> str:
        s = self.stats
        lines = [
            f"<Matching: {len(self.pairs)} pairs of {s.get('n_src', '?')} source and {s.get('n_tgt', '?')} "
            f"target documents; {len(self.near_misses)} near misses, {len(self.skipped)} skipped>"
        ]
        for p in self.pairs[:10]:
            lines.append(f"  {p.src} -> {p.tgt}: {p.evidence.describe()}")
        if len(self.pairs) > 10:
            lines.append(f"  ... and {len(self.pairs) - 10} more pairs")
        for m in self.near_misses[:5]:
            lines.append(f"  near miss: {self.describe_near_miss(m)}")
        return "\n".join(lines)

    def describe_near_miss(self, m: NearMiss) -> str:
        """``"ko/k2.txt: same subject as zh/a.txt, 12% of 40 source and 9% of 31 target sentences align"``."""
        e = m.evidence
        if m.reason == "taken":
            return f"{m.src} and {m.tgt}: {e.describe()}, but {m.rival} pair better"
        if m.reason == "too short to tell from chance":
            return f"{m.tgt} and {m.src}: {e.describe()}, too few to tell from chance ({e.chance:.2g})"
        return f"{m.tgt}: same subject as {m.src}, but only {e.describe()}"

    def to_pandas(self):
        """One row per pair and near miss: ``kind`` (``pair``/``near miss``), ``src``,
        ``tgt``, ``reason``, and the evidence's fields. Needs pandas."""
        import pandas as pd

        rows = [
            {"kind": "pair", "id": p.id, "src": p.src, "tgt": p.tgt, "reason": None, **p.evidence.to_dict()}
            for p in self.pairs
        ]
        rows += [
            {"kind": "near miss", "id": None, "src": m.src, "tgt": m.tgt, "reason": m.reason, **m.evidence.to_dict()}
            for m in self.near_misses
        ]
        return pd.DataFrame(rows)

    # --- the manifest ----------------------------------------------------------------

    def needs_docs_dir(self) -> bool:
        """Whether some pair's document has no file of its own (JSONL or Python input):
        :meth:`write_manifest` then writes its text into ``docs_dir``."""
        return any(not self._docs[side][getattr(p, side)].has_file for p in self.pairs for side in ("src", "tgt"))

    def manifest(self, base: str | None = None, docs_dir: str | None = None) -> str:
        """The manifest's text. Paths are relative to the folder ``base`` (where
        the manifest goes), or absolute when ``base`` is ``None``; documents
        without a file of their own are named as ``docs_dir/<id>.src.txt``
        and ``.tgt.txt`` (:meth:`write_docs` writes them)."""
        s = self.stats
        out = [
            f"# bitext match: {len(self.pairs)} pairs of {s.get('n_src')} source and {s.get('n_tgt')} target "
            f"documents; a pair aligns at least {s.get('min_coverage', MIN_COVERAGE):.0%} of the sentences "
            f"of each side above chance (cosine {s.get('theta', 0):.3f} for a 1-1 bead), more than chance "
            f"explains (chance <= {s.get('max_chance', MAX_CHANCE):g})",
            "# id\tsrc_path\ttgt_path\tsrc_lang\ttgt_lang",
        ]
        for p in self.pairs:
            e = p.evidence
            out.append(f"# score {e.score:.2f}: {e.describe()}; {e.details()}")
            paths = [self._path(side, getattr(p, side), p.id, base, docs_dir) for side in ("src", "tgt")]
            out.append("\t".join([p.id, *paths, p.src_lang, p.tgt_lang]))
        if self.near_misses:
            out.append(f"# near misses: {len(self.near_misses)}")
            out += [f"#   {self.describe_near_miss(m)}" for m in self.near_misses]
        for side, ids in (("source", self.unmatched_src), ("target", self.unmatched_tgt)):
            if ids:
                out.append(f"# {side} documents with no counterpart: {len(ids)}")
                out += [f"#   {i}" for i in ids]
        if self.skipped:
            out.append(f"# documents skipped (cannot be read): {len(self.skipped)}")
            out += [f"#   {why}" for _, _, why in self.skipped]
        return "\n".join(out) + "\n"

    def _path(self, side: str, doc_id: str, pair_id: str, base: str | None, docs_dir: str | None) -> str:
        d = self._docs[side][doc_id]
        if d.has_file:
            path = d.path
        else:
            if docs_dir is None:
                raise MatchError(
                    f"{d.where}: has no file of its own; give a folder for the texts of such documents "
                    "(--docs-dir, or docs_dir=)"
                )
            path = os.path.abspath(os.path.join(docs_dir, f"{pair_id}.{side}.txt"))
        if base is None:
            return path
        rel = os.path.relpath(path, base)
        return rel.replace(os.sep, "/") if os.sep != "/" else rel

    def write_docs(self, docs_dir: str, encoding: str | None = None, inputs=()) -> list[str]:
        """Write the texts of the paired documents that have no file of their own to
        ``docs_dir/<pair id>.src.txt`` and ``.tgt.txt``; returns the files written."""
        from ..formats.output import write_output

        written: list[str] = []
        todo = [
            (p, side) for p in self.pairs for side in ("src", "tgt") if not self._docs[side][getattr(p, side)].has_file
        ]
        if not todo:
            return written
        Path(docs_dir).mkdir(parents=True, exist_ok=True)
        for p, side in todo:
            d = self._docs[side][getattr(p, side)]
            text = d.read(encoding)
            path = os.path.join(docs_dir, f"{p.id}.{side}.txt")
            write_output(path, text if text.endswith("\n") else text + "\n", inputs)
            written.append(path)
        return written

    def write_manifest(self, path: str | os.PathLike, docs_dir: str | os.PathLike | None = None, inputs=()) -> None:
        """Write the manifest to ``path`` (atomically; never over one of ``inputs``),
        with the texts of documents that have no file of their own in
        ``docs_dir`` (default: ``<manifest>.docs/`` beside it)."""
        from ..formats.output import write_output

        path = os.fspath(path)
        if docs_dir is None and self.needs_docs_dir():
            docs_dir = os.path.splitext(path)[0] + ".docs"
        docs_dir = None if docs_dir is None else os.fspath(docs_dir)
        text = self.manifest(os.path.dirname(os.path.abspath(path)), docs_dir)
        written = self.write_docs(docs_dir, inputs=inputs) if docs_dir is not None else []
        try:
            write_output(path, text, inputs)
        except BaseException:
            for w in written:
                try:
                    os.unlink(w)
                except OSError:
                    pass
            raise
