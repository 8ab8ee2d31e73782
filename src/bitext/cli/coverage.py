"""``bitext coverage SRC TGT``: align two files and write the coverage report
(:func:`bitext.check.coverage.coverage`) as text, JSON or HTML."""

from __future__ import annotations

import argparse
import math

from ..check.coverage import DEFAULT_THRESHOLD
from ..check.unmatched import DEFAULT_LOO_GAIN, DEFAULT_UNMATCHED_Z
from ..formats.registry import FormatError
from . import add_command, fail, report_format_of, run_align_command, unit_interval

__all__ = ["add_cli", "add_checks", "check_options", "run", "REPORT_FORMATS"]

REPORT_FORMATS = ("text", "json", "html")
_ALIASES = {"htm": "html", "txt": "text"}


def _off_or_nonneg(s: str) -> float | None:
    """``off`` (None) or a number >= 0."""
    if s.strip().lower() in ("off", "none"):
        return None
    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number or 'off': {s!r}") from None
    if not v >= 0.0 or math.isinf(v):
        raise argparse.ArgumentTypeError(f"must be 0 or more (or 'off'), got {s}")
    return v


def add_cli(sub, add_common) -> None:
    """Add ``bitext coverage`` to the ``bitext`` command's subparsers."""
    p = add_command(
        sub,
        add_common,
        "coverage",
        run,
        "report untranslated and added sentences, low-confidence and suspect pairs",
        "Align SRC with its translation TGT and report coverage: omissions, "
        "additions, low-confidence beads and pairs whose numbers or names differ.",
    )
    p.add_argument(
        "--format",
        choices=REPORT_FORMATS,
        default=None,
        help="report format (default: from the -o file's extension, .html .json .txt; else text; "
        "html is one self-contained file)",
    )
    add_checks(p)


def add_checks(p) -> None:
    """The options of the checks (coverage, review): threshold, unmatched, glossary, consistency, clauses."""
    p.add_argument(
        "--threshold",
        type=unit_interval,
        default=None,
        metavar="T",
        help=f"beads scored below T (0 to 1) are low-confidence (default: {DEFAULT_THRESHOLD})",
    )
    p.add_argument(
        "--unmatched-z",
        type=_off_or_nonneg,
        default=DEFAULT_UNMATCHED_Z,
        metavar="Z",
        help="a sentence inside a bead is unmatched when its similarity lies Z robust standard "
        f"deviations below the document's median; lower finds more (default: {DEFAULT_UNMATCHED_Z}; "
        "'off': report only what the aligner left unaligned)",
    )
    p.add_argument(
        "--loo-gain",
        type=_off_or_nonneg,
        default=DEFAULT_LOO_GAIN,
        metavar="G",
        help="a sentence inside a bead is unmatched when the bead without it resembles the other "
        f"side better by more than G (cosine; default: {DEFAULT_LOO_GAIN}; 'off': no such test)",
    )
    p.add_argument(
        "--glossary",
        metavar="TSV",
        help="report beads whose source holds a term of this glossary (term, tab, renderings "
        "separated by |, optional note) and whose target none of its renderings; implies --consistency",
    )
    p.add_argument(
        "--consistency",
        action="store_true",
        help="report source terms rendered in more than one way (needs jieba for Chinese)",
    )
    p.add_argument(
        "--clauses",
        choices=("strict", "sensitive", "off"),
        default="strict",
        help="look for clauses without counterpart inside the beads (omitted, added, mistranslated): "
        "strict (the default) flags hardly any clean bead, sensitive finds more and flags more, "
        "off does not look",
    )


def check_options(args) -> dict:
    """The keywords of :func:`bitext.coverage` that :func:`add_checks`' options give.
    Reads the glossary (before aligning: a bad one fails at once); raises its
    :class:`~bitext.check.glossary.GlossaryError`."""
    kw = {
        "unmatched_z": args.unmatched_z,
        "loo_gain": args.loo_gain,
        "progress": not args.quiet,
        "consistency": True if args.consistency else None,
        "clauses": False if args.clauses == "off" else args.clauses,
    }
    if args.glossary:
        from ..check.glossary import read_glossary

        kw["glossary"] = read_glossary(args.glossary)
    return kw


def run(args) -> int:
    """Align, run the checks and write the report."""
    from ..check.coverage import coverage
    from ..check.glossary import GlossaryError

    try:
        fmt = args.format or report_format_of(args.output, REPORT_FORMATS, "text", _ALIASES)
        kw = check_options(args)
    except (GlossaryError, FormatError) as e:
        return fail("bitext coverage", str(e))
    threshold = args.threshold

    def render(alignment) -> str:
        return coverage(alignment, threshold, **kw).render(fmt)

    return run_align_command(args, "bitext coverage", render, bilingual=True)
