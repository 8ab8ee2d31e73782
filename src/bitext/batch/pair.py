"""One pair of a batch: :func:`align_pair` reads, aligns and writes it; :class:`PairResult` is the outcome.

This is the work each engine runs, in this process or in a worker; it never
raises for a bad pair (the error is the result's), only when the model cannot
load (:class:`~bitext.embed.embedder.ModelLoadError`).
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

from ..formats.output import OutputError, write_files, write_output
from ..formats.summary import REPORT_KEYS, REPORT_SUFFIX, SUMMARY_KEYS
from ..text.read import InputError
from .manifest import PairSpec
from .outdir import fingerprint

__all__ = ["PairResult", "LazyModel", "align_pair", "one_line"]


@dataclass
class PairResult:
    """The outcome of one pair.

    ``status`` is ``"ok"``, ``"error"`` (``error`` says why, naming the file)
    or ``"skipped"`` (a previous run completed it; the counts are that run's).
    ``src_lang``/``tgt_lang`` are the languages given or detected; ``warning``
    says when the model does not read one of them. ``src_file``/``tgt_file``
    hold the size, modification time and SHA-256 of each input as it was
    read, so that a rerun notices an input edited since (:func:`~bitext.batch.outdir.fingerprint`).
    ``coverage`` is the share of source sentences in beads whose target side
    is not empty. ``alignment`` holds the :class:`~bitext.Alignment` when
    :func:`~bitext.batch.align_many` runs without ``outdir``; ``output`` is the file written
    when it runs with one. ``worker``, ``peak_rss_mb`` and ``cpu_seconds`` tell
    which process did the work, its peak resident memory so far and the CPU
    time the pair took (not in the summary).

    With ``coverage=True`` (``--coverage``) the worker also computes the
    pair's coverage report: ``report_coverage`` (its coverage),
    ``omissions`` and ``additions`` (sentences), ``low_confidence``,
    ``suspects`` and ``findings`` (beads; ``finding_kinds``: how many of each
    kind) go to the summary, the report itself to
    ``report`` (without ``outdir``) or ``report_file``
    (``OUTDIR/<id>.coverage.json``).
    """

    id: str
    status: str
    n_src: int | None = None
    n_tgt: int | None = None
    n_beads: int | None = None
    coverage: float | None = None
    seconds: float = 0.0
    error: str | None = None
    src: str | None = None
    tgt: str | None = None
    src_lang: str | None = None
    tgt_lang: str | None = None
    warning: str | None = None
    src_file: dict | None = None
    tgt_file: dict | None = None
    alignment: Any = field(default=None, repr=False, compare=False)
    output: str | None = field(default=None, compare=False)
    worker: str | None = field(default=None, compare=False)
    peak_rss_mb: float | None = field(default=None, compare=False)
    cpu_seconds: float | None = field(default=None, compare=False)
    report_coverage: float | None = None
    omissions: int | None = None
    additions: int | None = None
    low_confidence: int | None = None
    suspects: int | None = None
    findings: int | None = None
    finding_kinds: dict | None = None
    report: Any = field(default=None, repr=False, compare=False)
    report_file: str | None = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "skipped")

    def summary(self) -> dict:
        """The line written to ``summary.jsonl``."""
        keys = SUMMARY_KEYS + (REPORT_KEYS if self.report_coverage is not None else ())
        return {k: getattr(self, k) for k in keys}


class LazyModel:
    """A model loaded on first use: a batch whose pairs all fail never loads it."""

    def __init__(self, load):
        self._load, self._model = load, None

    def get(self):
        if self._model is None:
            self._model = self._load()
        return self._model


def one_line(msg: object) -> str:
    """``msg`` on one line (an error for the summary and the terminal)."""
    return " ".join(str(msg).split()) or "unknown error"


def _peak_rss_mb() -> float | None:
    if sys.platform == "win32":  # no resource module: psutil's peak working set
        try:
            import psutil

            return psutil.Process().memory_info().peak_wset / 2**20
        except Exception:
            return None
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / 2**20 if sys.platform == "darwin" else r / 2**10


def align_pair(
    model, spec: PairSpec, fmt: str | None = None, outdir: str | None = None, keep: bool = False, coverage: bool = False
) -> PairResult:
    """Read, align and (with ``outdir``) write one pair, with ``coverage`` its
    coverage report too; never raises for a bad pair."""
    from ..embed import language_warning
    from ..embed.embedder import ModelLoadError
    from ..pipeline import align
    from ..text.segment import LanguageError, detect_lang

    t0, c0 = time.perf_counter(), time.process_time()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    base: dict[str, Any] = dict(src=spec.src, tgt=spec.tgt, worker=worker)
    try:
        src, tgt = _read(spec.src, spec.encoding, spec.src_lang), _read(spec.tgt, spec.encoding, spec.tgt_lang)
        try:
            files: dict[str, Any] = {"src_file": fingerprint(spec.src), "tgt_file": fingerprint(spec.tgt)}
        except OSError:
            files = {}
        langs = []
        for path, doc, given in ((spec.src, src, spec.src_lang), (spec.tgt, tgt, spec.tgt_lang)):
            try:
                langs.append(given or detect_lang(doc.text))
            except LanguageError as e:
                raise InputError(f"{path}: {e}; give src_lang and tgt_lang in the manifest (fields 4 and 5)") from None
        if isinstance(model, LazyModel):  # the model loads with the first pair: not the pair's time
            t_load, c_load = time.perf_counter(), time.process_time()
            model = model.get()
            t0 += time.perf_counter() - t_load
            c0 += time.process_time() - c_load
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = align(src, tgt, langs[0], langs[1], model=model)
        out = report = None
        if outdir is not None:
            fmt = fmt or "tsv"  # align_many's default
            out = os.path.join(outdir, f"{spec.id}.{fmt}")
            if fmt == "xlsx":  # its status column: the coverage status of each bead
                from ..check.coverage import coverage as coverage_report

                report = coverage_report(a)
            write_files({out: a.format(fmt, report)}, (spec.src, spec.tgt), follow_links=False)
        counts: dict[str, Any] = _report(a, spec, outdir, keep, report) if coverage else {}
        n_src = len(a.src_sentences)
        covered = sum(len(b.src_ids) for b in a.beads if b.tgt_ids)
        return PairResult(
            spec.id,
            "ok",
            n_src,
            len(a.tgt_sentences),
            len(a.beads),
            round(covered / n_src, 4) if n_src else 0.0,
            round(time.perf_counter() - t0, 3),
            None,
            alignment=a if keep else None,
            output=out,
            peak_rss_mb=_peak_rss_mb(),
            cpu_seconds=round(time.process_time() - c0, 3),
            src_lang=langs[0],
            tgt_lang=langs[1],
            warning=language_warning(model, *langs),
            **files,
            **base,
            **counts,
        )
    except (InputError, OutputError) as e:
        msg = one_line(e)
    except ModelLoadError:  # the batch cannot go on
        raise
    except OSError as e:  # writing the output
        msg = one_line(f"{getattr(e, 'filename', None) or outdir}: cannot write: {e.strerror or e}")
    except Exception as e:  # a bug or an input the aligner cannot take: record it, go on
        msg = one_line(f"{spec.src} / {spec.tgt}: {type(e).__name__}: {e}")
    return PairResult(
        spec.id, "error", seconds=round(time.perf_counter() - t0, 3), error=msg, peak_rss_mb=_peak_rss_mb(), **base
    )


def _read(path, encoding, lang):
    """A pair's document (:func:`bitext.read_document`: text, DOCX, HTML, Markdown, subtitles, EPUB, PDF)."""
    from ..formats.document import MissingExtra
    from ..formats.registry import read_document

    try:
        return read_document(path, encoding, lang)
    except MissingExtra as e:
        raise InputError(f"{path}: {e}") from None


def _report(a, spec: PairSpec, outdir: str | None, keep: bool, report=None) -> dict:
    """The coverage report of one pair (``report``, when the output already needed it), written
    beside its alignment: PairResult fields."""
    from ..check.coverage import coverage as coverage_report

    r = report if report is not None else coverage_report(a)
    d = r.to_dict()
    c = d["counts"]
    out = {
        "report_coverage": d["coverage"],
        "omissions": c["omitted_sentences"],
        "additions": c["added_sentences"],
        "low_confidence": c["low_confidence"],
        "suspects": c["suspects"],
        "findings": c["findings"],
        "finding_kinds": c["findings_by_kind"],
        "report": r if keep else None,
    }
    if outdir is not None:
        out["report_file"] = os.path.join(outdir, f"{spec.id}{REPORT_SUFFIX}")
        write_output(
            out["report_file"],
            json.dumps(d, ensure_ascii=False, indent=2) + "\n",
            (spec.src, spec.tgt),
            follow_links=False,
        )
    return out
