"""``bitext review SRC TGT -o page.html``: the review page (:mod:`bitext.views.review`) of a pair."""

from __future__ import annotations

from pathlib import Path

from . import add_command, add_fixed, run_align_command, unit_interval

__all__ = ["add_cli", "run"]

_HELP = "write an offline HTML page to correct and approve the beads"
_DESCRIPTION = ("Align SRC with its translation TGT and write one self-contained HTML page in which a person "
                "merges, splits and moves beads, approves them and downloads the result, to feed back with "
                "bitext align --fixed.")


def add_cli(sub, add_common) -> None:
    """Add ``bitext review`` to the ``bitext`` command's subparsers."""
    from ..check.coverage import DEFAULT_THRESHOLD

    p = add_command(sub, add_common, "review", run, _HELP, _DESCRIPTION)
    p.add_argument("--threshold", type=unit_interval, default=None, metavar="T",
                   help=f"beads scored below T (0 to 1) are flagged low-confidence (default: {DEFAULT_THRESHOLD})")
    add_fixed(p)


def run(args) -> int:
    """Align, build the coverage report and write the page."""
    from ..check.coverage import coverage
    from ..views.review import render_review

    name = Path(args.src).stem

    def render(alignment) -> str:
        return render_review(coverage(alignment, args.threshold, progress=not args.quiet), name=name)

    return run_align_command(args, "bitext review", render)
