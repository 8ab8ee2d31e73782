"""``bitext match``: which documents of two collections translate which; writes the manifest ``bitext batch`` reads."""

from __future__ import annotations

import os
import sys

from ..batch.engines import ENGINES
from ..formats.output import OutputError, check_output
from . import add_device, encoding_name, fail, lang_code, model_options, positive_int, unit_interval

__all__ = ["add_cli", "run_match_command"]

PROG = "bitext match"
_SHOWN = 5  # near misses and skipped documents named on stderr; the manifest lists them all


def add_cli(sub, add_common=None) -> None:
    """Add ``bitext match`` to the CLI's subparsers (``add_common`` is not used)."""
    from ..embed import MODEL_HELP
    from ..match import MIN_COVERAGE

    p = sub.add_parser(
        "match",
        help="find which documents of two folders (or JSONL files) translate which; writes a batch manifest",
        description=(
            "Find the pairs of documents that translate each other: SRC and TGT are folders of text files "
            'or JSONL files of {"id": ..., "text": ...} lines. A pair aligns in order, with most sentences '
            "of both sides above chance; documents on the same subject are near misses. Writes the manifest "
            "that bitext batch aligns (one pair a line, with its evidence on a '#' line): "
            "bitext match zh/ ko/ -o pairs.tsv && bitext batch pairs.tsv -o out/"
        ),
    )
    p.add_argument("src", help="source documents: a folder or a JSONL file")
    p.add_argument("tgt", help="target documents: a folder or a JSONL file")
    p.add_argument("-o", "--output", help="the manifest to write ('-' or none: standard output, with absolute paths)")
    p.add_argument(
        "--docs-dir",
        metavar="DIR",
        help="where the texts of paired JSONL documents are written, as files bitext batch reads "
        "(default: MANIFEST.docs/ beside the manifest)",
    )
    p.add_argument("--src-lang", type=lang_code, help="language of every source document (default: detected)")
    p.add_argument("--tgt-lang", type=lang_code, help="language of every target document (default: detected)")
    p.add_argument(
        "--min-coverage",
        type=unit_interval,
        default=MIN_COVERAGE,
        metavar="F",
        help=f"least share of each side's sentences that must align for a pair (default {MIN_COVERAGE})",
    )
    p.add_argument(
        "-k",
        "--candidates",
        type=positive_int,
        default=3,
        metavar="K",
        help="nearest documents checked, each way (default 3; the next K too for a document left without a pair)",
    )
    p.add_argument(
        "--all-pairs",
        action="store_true",
        help="a document may be in several pairs (default: one pair at most, the best)",
    )
    p.add_argument(
        "--skip-bad",
        action="store_true",
        help="leave out (and list) the documents that cannot be read, instead of stopping",
    )
    p.add_argument("-w", "--workers", type=positive_int, default=1, help="worker processes or Ray actors (default: 1)")
    p.add_argument("--engine", choices=ENGINES, default="local", help="local processes or Ray (default: local)")
    p.add_argument("--address", help="Ray cluster to join (default: $RAY_ADDRESS, else a local Ray instance)")
    p.add_argument("--model", help=MODEL_HELP)
    add_device(p)
    p.add_argument("--threads", type=positive_int, default=1, help="BLAS threads per worker (default: 1)")
    p.add_argument(
        "--encoding",
        type=encoding_name,
        help="encoding of every input file (default: UTF-8, or a legacy encoding detected with confidence)",
    )
    p.add_argument("--no-cache", action="store_true", help="do not read or write the split and embedding caches")
    p.add_argument(
        "--work-dir",
        metavar="DIR",
        help="where the vectors are kept during the run (default: a temporary folder; "
        "on a Ray cluster, a folder every node sees)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars, no summary")
    p.set_defaults(func=run_match_command)


def _inside(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([os.path.realpath(path), os.path.realpath(folder)]) == os.path.realpath(folder)
    except ValueError:
        return False


def _check_outputs(args) -> str | None:
    """Why the outputs cannot be written where asked, before any work; else ``None``."""
    inputs = [x for x in (args.src, args.tgt) if os.path.isfile(x)]
    folders = [x for x in (args.src, args.tgt) if os.path.isdir(x)]
    out = None if args.output in (None, "-") else args.output
    try:
        check_output(args.output or "-", inputs)
    except OutputError as e:
        return str(e)
    for path in (out, args.docs_dir):
        for d in folders:
            if path and _inside(path, d):
                return f"{path}: is inside the input folder {d}; a later run would read it as a document"
    if args.docs_dir and os.path.exists(args.docs_dir) and not os.path.isdir(args.docs_dir):
        return f"{args.docs_dir}: is not a folder"
    jsonl = [x for x in (args.src, args.tgt) if os.path.isfile(x)]
    if jsonl and out is None and not args.docs_dir:
        return (
            f"{jsonl[0]}: its documents are lines, not files: give --docs-dir, where the texts of the "
            "pairs are written for bitext batch, or -o"
        )
    return None


def run_match_command(args) -> int:
    from ..batch import BatchError
    from ..embed.embedder import ModelLoadError
    from ..match import MatchError, match

    if args.address and args.engine != "ray":
        return fail(PROG, "--address needs --engine ray")
    why = _check_outputs(args)
    if why:
        return fail(PROG, why)
    if args.quiet:
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        m = match(
            args.src,
            args.tgt,
            src_lang=args.src_lang,
            tgt_lang=args.tgt_lang,
            model=args.model,
            k=args.candidates,
            min_coverage=args.min_coverage,
            one_to_one=not args.all_pairs,
            workers=args.workers,
            engine=args.engine,
            address=args.address,
            threads=args.threads,
            cache=not args.no_cache,
            encoding=args.encoding,
            skip_bad=args.skip_bad,
            work_dir=args.work_dir,
            progress=not args.quiet,
            **model_options(args),
        )
    except (MatchError, ModelLoadError, BatchError, ValueError) as e:
        return fail(PROG, " ".join(str(e).split()))
    out = None if args.output in (None, "-") else args.output
    inputs = [x for x in (args.src, args.tgt) if os.path.isfile(x)]
    try:
        if out is None:
            docs_dir = args.docs_dir
            text = m.manifest(None, docs_dir)
            if docs_dir:
                m.write_docs(docs_dir, args.encoding, inputs)
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            m.write_manifest(out, args.docs_dir, inputs)
    except (OutputError, MatchError) as e:
        return fail(PROG, str(e))
    except OSError as e:
        return fail(
            PROG, f"{getattr(e, 'filename', None) or out or 'standard output'}: cannot write: {e.strerror or e}"
        )
    for _, _, why in m.skipped[:_SHOWN]:
        print(f"{PROG}: skipped: {why}", file=sys.stderr)
    if len(m.skipped) > _SHOWN:
        print(
            f"{PROG}: ... and {len(m.skipped) - _SHOWN} more documents skipped (listed in the manifest)",
            file=sys.stderr,
        )
    if not args.quiet:
        for nm in m.near_misses[:_SHOWN]:
            print(f"{PROG}: near miss: {m.describe_near_miss(nm)}", file=sys.stderr)
        if len(m.near_misses) > _SHOWN:
            print(
                f"{PROG}: ... and {len(m.near_misses) - _SHOWN} more near misses (listed in the manifest)",
                file=sys.stderr,
            )
        s = m.stats
        print(
            f"{PROG}: {len(m.pairs)} pairs of {s['n_src']} source and {s['n_tgt']} target documents "
            f"({len(m.unmatched_src)} and {len(m.unmatched_tgt)} without a counterpart"
            f"{f', {len(m.skipped)} skipped' if m.skipped else ''})"
            f"{f'; manifest in {out}' if out else ''}",
            file=sys.stderr,
        )
    return 0
