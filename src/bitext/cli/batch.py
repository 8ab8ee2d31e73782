"""``bitext batch``: align the pairs of a manifest into an output folder (:func:`bitext.batch.align_many`)."""

from __future__ import annotations

import os
import sys

from ..batch import ENGINES, SUMMARY_NAME, BatchError, ManifestError, align_many, read_manifest
from ..batch.manifest import MAX_REPORTED
from ..batch.outdir import OutdirBusy
from ..formats.output import shown
from ..formats.registry import BATCH_FORMATS as FORMATS
from . import add_device, encoding_name, model_options, positive_int, warn

__all__ = ["add_cli", "run_batch_command"]


def add_cli(sub, add_common=None) -> None:
    """Add ``bitext batch`` to the CLI's subparsers (``add_common`` is not used)."""
    from ..embed import MODEL_HELP

    p = sub.add_parser(
        "batch",
        help="align many pairs listed in a manifest, in parallel; resumable",
        description=(
            "Align every pair of MANIFEST (tab-separated, one pair a line: "
            "id, src_path, tgt_path[, src_lang, tgt_lang]; paths relative to the manifest; "
            "'#' comments) into OUTDIR/<id>.<format>, with a line per pair in OUTDIR/summary.jsonl. "
            "A rerun skips the pairs already done from inputs that still hold the same bytes (their SHA-256 "
            "is checked, not only size and time). Exit status: 0 all pairs ok, 1 some pairs failed, "
            "2 bad manifest or usage, or a folder another batch is writing."
        ),
    )
    p.add_argument("manifest", help="TSV file listing the pairs ('-': standard input, e.g. from bitext match)")
    p.add_argument("-o", "--outdir", required=True, help="output folder (created if needed)")
    p.add_argument("-w", "--workers", type=positive_int, default=1, help="worker processes or Ray actors (default: 1)")
    p.add_argument("--engine", choices=ENGINES, default="local", help="local processes or Ray (default: local)")
    p.add_argument("--address", help="Ray cluster to join (default: $RAY_ADDRESS, else a local Ray instance)")
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="tsv",
        help="output format, one file a pair: OUTDIR/<id>.<format> (default: tsv)",
    )
    p.add_argument("--model", help=MODEL_HELP)
    add_device(p)
    p.add_argument(
        "--threads",
        type=positive_int,
        default=1,
        help="BLAS threads per worker (default: 1; keep it fixed for reproducible outputs)",
    )
    p.add_argument("--no-cache", action="store_true", help="do not read or write the embedding cache")
    p.add_argument(
        "--force",
        action="store_true",
        help="recompute every pair, also those a previous run completed, and write into a folder "
        "that holds files bitext did not write",
    )
    p.add_argument(
        "--encoding",
        type=encoding_name,
        help="encoding of every input file (default: UTF-8, or a legacy encoding detected with confidence)",
    )
    p.add_argument(
        "--coverage",
        action="store_true",
        help="also compute each pair's coverage report (in the workers): OUTDIR/<id>.coverage.json, "
        "and its coverage, omissions, additions, low-confidence beads, suspects and findings of the "
        "translation checks (per kind) in summary.jsonl",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no final counts")
    p.set_defaults(func=run_batch_command)


def run_batch_command(args) -> int:
    from ..embed.embedder import ModelLoadError

    prog = "bitext batch"

    def fail(msg: str, code: int = 2) -> int:
        print(f"{prog}: error: {shown(msg, keep=chr(10))}", file=sys.stderr)
        return code

    if args.address and args.engine != "ray":
        return fail("--address needs --engine ray")
    try:
        specs = read_manifest(args.manifest, fmt=args.format)
    except ManifestError as e:  # a line a problem, each shown safely
        lines = [shown(x) for x in str(e).split("\n")]
        return fail("bad manifest:\n" + "\n".join(lines) if len(e.problems) > 1 else lines[0])
    counts = {"ok": 0, "skipped": 0, "error": 0}
    errors, warned = [], []
    kinds: dict[str, int] = {}  # findings of the translation checks, with --coverage
    try:
        results = align_many(
            specs,
            model=args.model,
            workers=args.workers,
            engine=args.engine,
            fmt=args.format,
            outdir=args.outdir,
            cache=not args.no_cache,
            resume=not args.force,
            threads=args.threads,
            address=args.address,
            progress=not args.quiet,
            encoding=args.encoding,
            force=args.force,
            inputs=(args.manifest,) if args.manifest != "-" else (),
            coverage=args.coverage,
            **model_options(args),
        )
    except (ValueError, BatchError) as e:
        return fail(shown(str(e)))
    try:
        for r in results:
            counts[r.status] += 1
            if r.status == "error":
                errors.append(f"{r.id}: {r.error}")
            if r.warning:
                warned.append(f"{r.id}: {r.warning}")
            for k, n in (r.finding_kinds or {}).items():
                kinds[k] = kinds.get(k, 0) + n
    except KeyboardInterrupt:
        results.close()
        done = counts["ok"] + counts["error"]
        print(f"\n{prog}: interrupted after {done} pairs; run the same command again to resume", file=sys.stderr)
        return 130
    except ModelLoadError as e:
        return fail(shown(str(e)))
    except OutdirBusy as e:  # refused before any work, as every other refusal
        return fail(shown(str(e)))
    except BatchError as e:
        return fail(shown(str(e)), 1)
    finally:
        results.close()
    if warned:
        warn(prog, f'{warned[0]} ({len(warned)} of {len(specs)} pairs; see their "warning" in {SUMMARY_NAME})')
    for line in errors[:MAX_REPORTED]:
        print(f"{prog}: failed: {shown(line)}", file=sys.stderr)
    if len(errors) > MAX_REPORTED:
        print(f"{prog}: ... and {len(errors) - MAX_REPORTED} more failures", file=sys.stderr)
    if not args.quiet:
        print(
            f"{prog}: {len(specs)} pairs: {counts['ok']} aligned, {counts['skipped']} already done, "
            f"{counts['error']} failed; summary in {shown(os.path.join(args.outdir, SUMMARY_NAME))}",
            file=sys.stderr,
        )
        if args.coverage:
            listed = ", ".join(f"{n} {k}" for k, n in kinds.items())
            print(
                f"{prog}: {sum(kinds.values())} findings of the translation checks"
                + (f" ({listed})" if listed else ""),
                file=sys.stderr,
            )
    return 1 if counts["error"] else 0
