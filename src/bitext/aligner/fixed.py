"""Fixed beads: a person's corrections, fed back to the aligner as hard constraints.

A JSONL file that bitext writes (``bitext align --format jsonl``, or the
download of ``bitext review``) opens with a header line::

    {"bitext": "0.1.0", "src_lang": "zh", "tgt_lang": "ko",
     "src_sha256": "...", "tgt_sha256": "...", "src_sentences": 27, "tgt_sentences": 35}

then holds one bead a line. The hashes are :func:`sentence_hash` of each
side's sentence list: SHA-256 over the sentence texts joined with ``"\\n"``
(UTF-8), so a file is only applied to the texts, split the same way, that it
was made from. The beads marked ``"approved": true`` or ``"edited": true``
are the constraints (:func:`read_fixed`); :func:`align_around` keeps them as
they are and aligns only the stretches between them, with the ordinary
dynamic program (:func:`~bitext.aligner.core.align_vectors`), so the time stays
near-linear in document length.

A one-sided fixed bead (an omission 1-0 or an addition 0-1) sits, on its
empty side, where the file puts it: after the last sentence of that side in
the lines above it.

A comment on a bead that is neither approved nor edited is not a constraint,
but it is kept (:class:`Comment`, :func:`place_comments`): on the bead of
the same sentences when re-aligning gives that bead again, else on the bead
that now holds its first sentence, marked with the bead it was made on, and
with a :class:`CommentMovedWarning`.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..text.read import InputError, read_text
from .core import AlignParams, align_vectors, centred

__all__ = [
    "Constraint",
    "Comment",
    "CommentMovedWarning",
    "comments_of",
    "place_comments",
    "fixed_and_comments",
    "sentence_hash",
    "jsonl_header",
    "read_jsonl",
    "read_fixed",
    "constraints_of",
    "check_constraints",
    "constraints",
    "align_around",
]


@dataclass(frozen=True)
class Constraint:
    """One fixed bead as a cut of both sides: sentences ``[s0, s1)`` with ``[t0, t1)``.

    ``line``: the line of the file it came from (0 when given in code)."""

    s0: int
    s1: int
    t0: int
    t1: int
    approved: bool = False
    edited: bool = False
    comment: str = ""
    line: int = 0

    @property
    def src_ids(self) -> tuple[int, ...]:
        return tuple(range(self.s0, self.s1))

    @property
    def tgt_ids(self) -> tuple[int, ...]:
        return tuple(range(self.t0, self.t1))


@dataclass(frozen=True)
class Comment:
    """A comment on a bead that is not fixed: the bead's sentences, the text, the line of the file."""

    src_ids: tuple[int, ...]
    tgt_ids: tuple[int, ...]
    text: str
    line: int = 0

    @property
    def bead(self) -> str:
        """The bead it was made on, as ``src:tgt`` ids (``3:3,4``)."""
        return bead_name(self.src_ids, self.tgt_ids)


def bead_name(src_ids, tgt_ids) -> str:
    """``3:3,4``: a bead's source and target ids (an empty side stays empty)."""
    return f"{','.join(map(str, src_ids))}:{','.join(map(str, tgt_ids))}"


class CommentMovedWarning(UserWarning):
    """A comment's bead did not come back from re-aligning: the comment now sits
    on ``bead`` (``src:tgt`` ids), the bead that holds its first sentence.

    ``comment``: the :class:`Comment` (its ``line`` in the file, its ``bead``)."""

    def __init__(self, comment: Comment, bead: str):
        self.comment, self.bead, self.line = comment, bead, comment.line
        super().__init__(f"line {comment.line}: {self.detail}" if comment.line else self.detail)

    @property
    def detail(self) -> str:
        """The message without its line number."""
        return (
            f"the comment {self.comment.text!r} was made on bead {self.comment.bead}, which re-aligning "
            f"did not keep; it is now on bead {self.bead}, marked with the bead it was made on"
        )


def sentence_hash(texts) -> str:
    """SHA-256 (hex) of a side's sentence texts joined with ``"\\n"``."""
    return hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()


def jsonl_header(src_lang: str, tgt_lang: str, src_texts, tgt_texts) -> dict:
    """The first line of every JSONL file bitext writes."""
    from .._version import __version__

    src_texts, tgt_texts = list(src_texts), list(tgt_texts)
    return {
        "bitext": __version__,
        "src_lang": src_lang,
        "tgt_lang": tgt_lang,
        "src_sha256": sentence_hash(src_texts),
        "tgt_sha256": sentence_hash(tgt_texts),
        "src_sentences": len(src_texts),
        "tgt_sentences": len(tgt_texts),
    }


def _where(path, line: int) -> str:
    return f"{path}:{line}" if line else f"{path}"


def read_jsonl(path: str | os.PathLike) -> tuple[dict, list[tuple[int, dict]]]:
    """The header and the ``(line number, record)`` of each bead of a bitext JSONL file.

    Raises :class:`~bitext.text.read.InputError` naming the file and the line: a
    missing or unreadable file, a line that is not a JSON object, a file
    without the header line, a bead without ``src_ids``/``tgt_ids`` lists of
    integers."""
    p = Path(path)
    text = read_text(p, "utf-8")  # missing, empty, binary, not UTF-8: refused naming the file
    header: dict | None = None
    beads: list[tuple[int, dict]] = []
    for no, raw in enumerate(text.split("\n"), start=1):  # not splitlines: U+2028 may sit in a JSON string
        if not raw.strip():
            continue
        rec = _json_line(raw, p, no)
        if not isinstance(rec, dict):
            raise InputError(f"{p}:{no}: not a JSON object")
        if header is None:
            if "bitext" not in rec or "src_sha256" not in rec:
                raise InputError(
                    f"{p}:{no}: no header line (the first line of a JSONL file bitext writes "
                    "names the version, the languages and the sentence hashes)"
                )
            header = rec
            continue
        for side in ("src_ids", "tgt_ids"):
            ids = rec.get(side)
            if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
                raise InputError(f"{p}:{no}: {side} must be a list of sentence ids (integers)")
        beads.append((no, rec))
    if header is None:  # (read_text refuses a file with no text, so a line was read)
        raise InputError(f"{p}: no header line")
    return header, beads


def _json_line(raw: str, path, no: int):
    """One line of a JSONL file; :class:`~bitext.text.read.InputError` naming the file and the line
    for anything that is not JSON, nested too deep, or a number too long to read."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError as e:
        raise InputError(f"{path}:{no}: not a JSON line ({e.msg}, column {e.colno})") from None
    except RecursionError:
        raise InputError(f"{path}:{no}: not a bead: nested too deep") from None
    except ValueError as e:  # an integer of thousands of digits (Python's int limit)
        raise InputError(f"{path}:{no}: not a bead: {str(e).split(';')[0]}") from None


def _contiguous(ids) -> bool:
    return all(b == a + 1 for a, b in zip(ids, ids[1:]))


def _flag(rec: dict, key: str, where: str) -> bool:
    v = rec.get(key, False)
    if not isinstance(v, bool):
        raise InputError(f"{where}: {key} must be true or false")
    return v


def constraints_of(records, where=None) -> list[Constraint]:
    """The fixed beads of ``(line, record)`` pairs (records: dicts with ``src_ids``
    and ``tgt_ids``), in order: those marked approved or edited. A one-sided
    bead's position on its empty side follows the records above it."""
    out, s_end, t_end = [], 0, 0
    for no, rec in records:
        here = _where(where or "fixed", no)
        src, tgt = list(rec["src_ids"]), list(rec["tgt_ids"])
        approved, edited = _flag(rec, "approved", here), _flag(rec, "edited", here)
        if approved or edited:
            for side, ids in (("src_ids", src), ("tgt_ids", tgt)):
                if not _contiguous(ids):
                    raise InputError(f"{here}: {side} {ids} are not consecutive sentences")
            if not (src or tgt):
                raise InputError(f"{here}: a bead needs a sentence on one side at least")
            comment = rec.get("comment") or ""
            if not isinstance(comment, str):
                raise InputError(f"{here}: comment must be a string")
            s0 = src[0] if src else s_end
            t0 = tgt[0] if tgt else t_end
            out.append(Constraint(s0, s0 + len(src), t0, t0 + len(tgt), approved, edited, comment, no))
        if src:
            s_end = max(s_end, src[-1] + 1)
        if tgt:
            t_end = max(t_end, tgt[-1] + 1)
    return out


def comments_of(records, where=None) -> list[Comment]:
    """The comments of ``(line, record)`` pairs on beads that are neither approved nor edited
    (those of fixed beads stay with them, in :func:`constraints_of`)."""
    out = []
    for no, rec in records:
        here = _where(where or "fixed", no)
        if _flag(rec, "approved", here) or _flag(rec, "edited", here):
            continue
        text = rec.get("comment") or ""
        if not isinstance(text, str):
            raise InputError(f"{here}: comment must be a string")
        if text.strip():
            out.append(Comment(tuple(rec["src_ids"]), tuple(rec["tgt_ids"]), text, no))
    return out


def _check_comments(comments: list[Comment], n: int, m: int, where=None) -> None:
    for c in comments:
        for side, ids, size in (("src", c.src_ids, n), ("tgt", c.tgt_ids, m)):
            bad = [i for i in ids if not 0 <= i < size]
            if bad:
                raise InputError(
                    f"{_where(where or 'fixed', c.line)}: {side} id {bad[0]} out of range "
                    f"(the text has {size} sentences, ids 0 to {size - 1})"
                )
        if not (c.src_ids or c.tgt_ids):
            raise InputError(f"{_where(where or 'fixed', c.line)}: a bead needs a sentence on one side at least")


def place_comments(beads, comments: list[Comment]) -> dict[int, list[str]]:
    """Where the ``comments`` go among ``beads`` (anything with ``src_ids`` and
    ``tgt_ids``): the comment texts of each bead index, in the order given.

    A comment goes on the bead of the same sentences when there is one; else
    (re-aligning changed its bead) on the bead that holds its first source
    sentence (its first target sentence when it has no source side), with
    its old bead in front (``(on 3:3,4 before re-aligning) ...``) and a
    :class:`CommentMovedWarning`."""
    beads = list(beads)
    where = {(tuple(b.src_ids), tuple(b.tgt_ids)): i for i, b in enumerate(beads)}
    holder = {}
    for i, b in enumerate(beads):
        for s in b.src_ids:
            holder["s", s] = i
        for t in b.tgt_ids:
            holder["t", t] = i
    placed: dict[int, list[str]] = {}
    for c in comments:
        same = where.get((c.src_ids, c.tgt_ids))
        if same is not None:
            placed.setdefault(same, []).append(c.text)
            continue
        i = holder["s", c.src_ids[0]] if c.src_ids else holder["t", c.tgt_ids[0]]
        placed.setdefault(i, []).append(f"(on {c.bead} before re-aligning) {c.text}")
        warnings.warn(CommentMovedWarning(c, bead_name(beads[i].src_ids, beads[i].tgt_ids)), stacklevel=4)
    return placed


def check_constraints(cons: list[Constraint], n: int, m: int, where=None) -> None:
    """:class:`~bitext.text.read.InputError` naming the line unless the fixed beads lie
    within ``n`` source and ``m`` target sentences, in order, without overlap."""
    prev = None
    for c in cons:
        here = _where(where or "fixed", c.line)
        for side, lo, hi, size in (("src", c.s0, c.s1, n), ("tgt", c.t0, c.t1, m)):
            if lo < 0 or hi > size:
                bad = lo if lo < 0 else hi - 1
                raise InputError(
                    f"{here}: {side} id {bad} out of range (the text has {size} sentences, ids 0 to {size - 1})"
                )
        if prev is not None:
            for side, a0, a1, b0, b1 in (("src", prev.s0, prev.s1, c.s0, c.s1), ("tgt", prev.t0, prev.t1, c.t0, c.t1)):
                if b0 < a1 and a0 < b1 and b1 > b0 and a1 > a0:
                    raise InputError(
                        f"{here}: fixed bead overlaps the one on line {prev.line} ({side} sentence {max(a0, b0)})"
                    )
                if b0 < a1:
                    raise InputError(
                        f"{here}: fixed bead out of order: its {side} sentences come before "
                        f"those of the one on line {prev.line}"
                    )
        prev = c


def read_fixed(path: str | os.PathLike, src_texts, tgt_texts) -> list[Constraint]:
    """The constraints of a bitext JSONL file, checked against both sides' sentences.

    Refused with an :class:`~bitext.text.read.InputError` naming the file (and the
    line): a malformed line, a header whose sentence hashes do not match the
    texts (edited, or split differently), fixed beads out of range, out of
    order or overlapping."""
    return read_review(path, src_texts, tgt_texts)[0]


def read_review(path: str | os.PathLike, src_texts, tgt_texts) -> tuple[list[Constraint], list[Comment]]:
    """:func:`read_fixed`, and the comments of the beads that are not fixed (:func:`comments_of`)."""
    header, records = read_jsonl(path)
    src_texts, tgt_texts = list(src_texts), list(tgt_texts)
    for side, texts in (("src", src_texts), ("tgt", tgt_texts)):
        if header.get(f"{side}_sha256") != sentence_hash(texts):
            count = header.get(f"{side}_sentences")
            was = f"{count} sentences in the file, " if isinstance(count, int) else ""
            raise InputError(
                f"{path}:1: the {'source' if side == 'src' else 'target'} sentences do not match the file's hash "
                f"({was}{len(texts)} in the text): the text was edited or split differently since the file was written"
            )
    cons = constraints_of(records, path)
    check_constraints(cons, len(src_texts), len(tgt_texts), path)
    comments = comments_of(records, path)
    _check_comments(comments, len(src_texts), len(tgt_texts), path)
    return cons, comments


def _given(fixed) -> list[Constraint]:
    """Constraints from beads given in code: each one is fixed."""
    records = []
    for i, b in enumerate(fixed):
        if isinstance(b, dict):
            src, tgt = b.get("src_ids"), b.get("tgt_ids")
            rec = dict(b)
        elif hasattr(b, "src_ids"):
            src, tgt = b.src_ids, b.tgt_ids
            rec = {"comment": getattr(b, "comment", "")}
        else:
            try:
                src, tgt = b
            except (TypeError, ValueError):
                raise TypeError(
                    f"fixed[{i}] must be a bead, a dict with src_ids and tgt_ids, or a (src_ids, tgt_ids) pair"
                ) from None
            rec = {}
        rec.update(src_ids=list(src or ()), tgt_ids=list(tgt or ()))
        rec.setdefault("approved", False)
        if not rec.get("approved") and not rec.get("edited"):
            rec["approved"] = True
        records.append((i + 1, rec))
    return constraints_of(records, "fixed bead")


def constraints(fixed, src_texts, tgt_texts) -> list[Constraint]:
    """``fixed`` of :func:`bitext.align`: a JSONL path (checked) or beads (each one fixed)."""
    return fixed_and_comments(fixed, src_texts, tgt_texts)[0]


def fixed_and_comments(fixed, src_texts, tgt_texts) -> tuple[list[Constraint], list[Comment]]:
    """:func:`constraints`, and the comments of a JSONL file's beads that are not fixed
    (beads given in code are each fixed: no such comments)."""
    if isinstance(fixed, (str, os.PathLike)):
        return read_review(fixed, src_texts, tgt_texts)
    cons = _given(list(fixed))
    try:
        check_constraints(cons, len(src_texts), len(tgt_texts), "fixed bead")
    except InputError as e:
        raise ValueError(str(e).replace("fixed bead:", "fixed bead ", 1)) from None
    return cons, []


def _slice(spans: list[np.ndarray], a: int, b: int) -> list[np.ndarray]:
    """Span vectors of sentences ``[a, b)`` alone."""
    k_max = min(len(spans), b - a)
    return [spans[k - 1][a : b - k + 1] for k in range(1, k_max + 1)]


def _cosine(src_spans, tgt_spans, c: Constraint) -> float:
    a, b = c.s1 - c.s0, c.t1 - c.t0
    if not a or not b or a > len(src_spans) or b > len(tgt_spans):
        return 0.0
    return float(src_spans[a - 1][c.s0] @ tgt_spans[b - 1][c.t0])


def _cut(x, a: int, b: int):
    return None if x is None else x[a:b]


def align_around(
    cons: list[Constraint],
    src_spans: list[np.ndarray],
    tgt_spans: list[np.ndarray],
    src_len: np.ndarray,
    tgt_len: np.ndarray,
    src_par=None,
    tgt_par=None,
    params: AlignParams | None = None,
    src_anchors=None,
    tgt_anchors=None,
) -> list[tuple]:
    """Beads ``(src_ids, tgt_ids, cosine, confidence, constraint or None)`` through the fixed beads.

    Arguments as :func:`~bitext.aligner.core.align_vectors`, plus the checked
    constraints. Each fixed bead comes out as it is (confidence 1: a person
    made or checked it); each stretch between two of them is aligned alone.
    A stretch with sentences on one side only is all omissions (or all
    additions)."""
    p = params or AlignParams()
    n, m = len(src_len), len(tgt_len)
    # centre on the whole document, as align_vectors would: a stretch's own
    # mean is mostly its content (a centred side is not centred again)
    src_spans, tgt_spans = centred(src_spans, tgt_spans, getattr(p, "centre_above", None), getattr(p, "centre_min", 16))
    out: list[tuple] = []
    s, t = 0, 0
    for c in [*cons, None]:
        s1, t1 = (c.s0, c.t0) if c else (n, m)
        if s1 > s and t1 > t:
            for si, ti, sim, conf in align_vectors(
                _slice(src_spans, s, s1),
                _slice(tgt_spans, t, t1),
                src_len[s:s1],
                tgt_len[t:t1],
                _cut(src_par, s, s1),
                _cut(tgt_par, t, t1),
                p,
                _cut(src_anchors, s, s1),
                _cut(tgt_anchors, t, t1),
            ):
                out.append((tuple(i + s for i in si), tuple(j + t for j in ti), sim, conf, None))
        else:  # one side only: nothing to pair it with
            out += [((i,), (), 0.0, 1.0, None) for i in range(s, s1)]
            out += [((), (j,), 0.0, 1.0, None) for j in range(t, t1)]
        if c:
            out.append((c.src_ids, c.tgt_ids, _cosine(src_spans, tgt_spans, c), 1.0, c))
            s, t = c.s1, c.t1
    return out
