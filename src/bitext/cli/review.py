"""``bitext review SRC TGT -o page.html``: the review page (:mod:`bitext.views.review`) of a pair."""

from __future__ import annotations

import sys
from pathlib import Path

from ..formats.registry import FormatError
from . import add_command, add_fixed, fail, report_format_of, run_align_command

__all__ = ["add_cli", "run"]

_HELP = "write an offline HTML page to correct and approve the beads"
_DESCRIPTION = (
    "Align SRC with its translation TGT and write one self-contained HTML page in which a person "
    "merges, splits and moves beads, approves them and downloads the result, to feed back with "
    "bitext align --fixed. The page shows the findings of bitext coverage, with the same options."
)


def add_cli(sub, add_common) -> None:
    """Add ``bitext review`` to the ``bitext`` command's subparsers."""
    from .coverage import add_checks

    p = add_command(sub, add_common, "review", run, _HELP, _DESCRIPTION)
    add_checks(p)
    add_fixed(p)


def run(args) -> int:
    """Align, build the coverage report and write the page."""
    from ..check.coverage import coverage
    from ..check.glossary import GlossaryError
    from ..views.review import render_review
    from .coverage import check_options

    prog = "bitext review"
    if args.output in (None, "-") and sys.stdout.isatty():
        return fail(prog, "the review page is HTML, not for a terminal: write it to a file with -o review.html")
    try:
        report_format_of(args.output, ("html",), "html", {"htm": "html", "xhtml": "html"}, choose=False)
        kw = check_options(args)
    except (GlossaryError, FormatError) as e:
        return fail(prog, str(e))
    name = Path(args.src).stem

    def render(alignment) -> str:
        return render_review(coverage(alignment, args.threshold, **kw), name=name)

    return run_align_command(args, prog, render, bilingual=True)
