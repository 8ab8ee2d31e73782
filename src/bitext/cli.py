"""Command line: ``bitext align``, ``bitext eval`` (and the subcommands other modules add)."""

from __future__ import annotations

import argparse
import os
import sys
import warnings

from . import __version__
from .io import FORMATS, InputError, read_text, write_atomic

EXIT_USAGE = 2


def _fail(prog: str, msg: str) -> int:
    print(f"{prog}: error: {msg}", file=sys.stderr)
    return EXIT_USAGE


def _add_common(p: argparse.ArgumentParser) -> None:
    from .embed import MODEL_HELP

    p.add_argument("src", help="source text file (one paragraph per line)")
    p.add_argument("tgt", help="target text file (its translation)")
    p.add_argument("-o", "--output", help="output file (default: standard output)")
    p.add_argument("--src-lang", help="source language code (default: detected)")
    p.add_argument("--tgt-lang", help="target language code (default: detected)")
    p.add_argument("--presplit", action="store_true", help="inputs hold one sentence per line; ids are line numbers")
    p.add_argument("--model", help=MODEL_HELP)
    p.add_argument("--no-cache", action="store_true", help="do not read or write the embedding cache")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _format_of(path: str | None) -> str:
    """The output format an output file's extension names (``tsv`` otherwise)."""
    ext = os.path.splitext(path or "")[1].lower().lstrip(".")
    return ext if ext in FORMATS else "tsv"


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="bitext", description="Align a text with its translation, sentence by sentence.")
    ap.add_argument("--version", action="version", version=f"bitext {__version__}")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("align", help="align two files and write the beads")
    _add_common(p)
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="output format (default: from the -o file's extension, .tsv .jsonl .beads .tmx; else tsv)")

    p = sub.add_parser("eval", help="score alignments against gold beads (strict and lax P/R/F1)", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)

    for extra in _extra_commands():
        extra(sub, _add_common)
    return ap


def _extra_commands():
    """Subcommands defined beside their modules (coverage, batch, terms)."""
    out = []
    for mod in ("coverage", "batch", "terms"):
        try:
            m = __import__(f"bitext.{mod}", fromlist=["add_cli"])
        except ImportError:
            continue
        if hasattr(m, "add_cli"):
            out.append(m.add_cli)
    return out


def load_pair(args):
    """Read both input files; raises :class:`InputError` naming the file."""
    src = read_text(args.src)
    tgt = read_text(args.tgt)
    return src, tgt


def resolve_langs(args, src: str, tgt: str):
    from .segment import LanguageError, detect_lang

    langs = []
    for name, text, flag, given in (
        (args.src, src, "--src-lang", args.src_lang),
        (args.tgt, tgt, "--tgt-lang", args.tgt_lang),
    ):
        if given:
            langs.append(given)
            continue
        try:
            langs.append(detect_lang(text))
        except LanguageError as e:
            raise InputError(f"{name}: {e}; give the language with {flag}") from None
    return langs


def run_align_command(args, prog: str, render) -> int:
    """Shared by ``align`` and ``coverage``: read, align, ``render(alignment)``, write atomically."""
    from .embed import ModelLoadError, language_warning, load_model
    from .pipeline import align

    try:
        src, tgt = load_pair(args)
        src_lang, tgt_lang = resolve_langs(args, src, tgt)
    except InputError as e:
        return _fail(prog, str(e))
    if src_lang == tgt_lang:
        print(f"{prog}: warning: both sides are in the same language ({src_lang}); is the target a translation?", file=sys.stderr)
    try:
        model = load_model(args.model, cache=not args.no_cache)
    except ModelLoadError as e:
        return _fail(prog, str(e))
    unread = language_warning(model, src_lang, tgt_lang)
    if unread:
        print(f"{prog}: warning: {unread}", file=sys.stderr)
    if args.output and os.path.isdir(args.output):
        return _fail(prog, f"{args.output}: is a directory; give a file name with -o")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = align(src, tgt, src_lang, tgt_lang, model=model, presplit=args.presplit,
                           cache=not args.no_cache, progress=not args.quiet)
        except ValueError as e:
            return _fail(prog, str(e))
    return write_output(prog, args.output, render(result))


def write_output(prog: str, output: str | None, text: str) -> int:
    """Write ``text`` atomically to ``output`` (standard output when None): 0, or 2 with an error line."""
    if output:
        try:
            write_atomic(output, text)
        except OSError as e:
            return _fail(prog, f"{output}: cannot write: {e.strerror or e}")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["eval"]:
        from .evaluate import main as eval_main

        return eval_main(argv[1:])
    ap = build_parser()
    args = ap.parse_args(argv)
    if args.command == "align":
        fmt = args.format or _format_of(args.output)
        return run_align_command(args, "bitext align", lambda a: a.format(fmt))
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
