"""``bitext terms SRC TGT`` or ``bitext terms --batch OUTDIR``: candidate term pairs
(:mod:`bitext.terms`) as an editable glossary (TSV) or JSON."""

from __future__ import annotations

from pathlib import Path

from ..formats.registry import FormatError
from . import add_command, fail, inputs_of, report_format_of, run_align_command, warn, write_result

__all__ = ["add_cli", "run"]

_HELP = "list candidate term pairs (an editable glossary)"
_DESCRIPTION = (
    "Align SRC with its translation TGT (or read the output folder of 'bitext batch' with --batch) "
    "and list candidate term pairs, best first: source term, renderings, and a note with their "
    "count, score, evidence and an example bead. The TSV can be edited and given back as "
    "'bitext coverage --glossary'."
)


def add_cli(sub, add_common) -> None:
    """Add ``bitext terms`` to the ``bitext`` command's subparsers."""
    from ..check.terms import DEFAULT_MIN_SCORE, EVIDENCE

    p = add_command(sub, add_common, "terms", run, _HELP, _DESCRIPTION)
    for a in p._actions:  # SRC and TGT are not needed with --batch (run checks them)
        if a.dest in ("src", "tgt"):
            a.nargs, a.required = "?", False
    p.add_argument("--batch", metavar="OUTDIR", help="read the pairs of a 'bitext batch' output folder instead")
    p.add_argument("--glossary", metavar="TSV", help="a glossary whose terms are candidates too")
    p.add_argument(
        "--min-score",
        type=float,
        default=DEFAULT_MIN_SCORE,
        metavar="S",
        help=f"list pairs scored S or more (0 to 1; default: {DEFAULT_MIN_SCORE})",
    )
    p.add_argument(
        "--evidence",
        default=",".join(EVIDENCE),
        help=f"kinds of evidence, comma-separated (default: {','.join(EVIDENCE)})",
    )
    p.add_argument(
        "--format",
        choices=("tsv", "json"),
        default=None,
        help="output format (default: from the -o file's extension, .tsv .json; else tsv)",
    )


def run(args) -> int:
    """Check the options, then list the pairs of SRC and TGT, or of a batch folder."""
    import json

    from ..check.glossary import GlossaryError, read_glossary
    from ..check.terms import EVIDENCE, terms
    from ..text.read import InputError

    prog = "bitext terms"
    evidence = tuple(e.strip() for e in args.evidence.split(",") if e.strip())
    bad = [e for e in evidence if e not in EVIDENCE]
    if bad:
        return fail(prog, f"--evidence: unknown {', '.join(bad)} (expected some of {', '.join(EVIDENCE)})")
    if not 0.0 <= args.min_score <= 1.0:
        return fail(prog, f"--min-score must be between 0 and 1, got {args.min_score}")
    glossary = None
    if args.glossary:
        try:
            glossary = read_glossary(args.glossary)
        except (GlossaryError, InputError) as e:
            return fail(prog, str(e))

    try:
        fmt = args.format or report_format_of(args.output, ("tsv", "json"), "tsv")
    except FormatError as e:
        return fail(prog, str(e))

    def render(alignments) -> str:
        found = terms(alignments, glossary=glossary, evidence=evidence, min_score=args.min_score)
        if fmt == "json":
            return json.dumps([p.to_dict() for p in found], ensure_ascii=False, indent=1) + "\n"
        return found.to_tsv()

    if args.batch:
        if args.src or args.tgt:
            return fail(prog, "give SRC and TGT, or --batch OUTDIR, not both")
        from ..formats.output import OutputError, check_output
        from ..views.readback import read_batch

        try:
            inputs = [str(p) for p in Path(args.batch).iterdir()] if Path(args.batch).is_dir() else []
        except OSError:
            inputs = []
        inputs += inputs_of(args)
        try:
            check_output("-" if args.output is None else args.output, inputs)  # before any work
            docs, skipped = read_batch(args.batch)
        except (InputError, OutputError) as e:
            return fail(prog, str(e))
        for line in skipped:
            warn(prog, line)
        try:
            text = render(docs)
        except ValueError as e:
            return fail(prog, str(e))
        return write_result(prog, args.output, text, inputs)
    if not args.src:
        return fail(prog, "give SRC and TGT, one bilingual file, or --batch OUTDIR")
    return run_align_command(args, prog, render, bilingual=True)
