"""Command line: ``bitext align``, ``bitext eval`` (and the subcommands other modules add)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import warnings

from .._version import __version__
from ..formats.beads import FORMATS
from ..formats.document import MissingExtra
from ..formats.output import OutputError, check_output, shown, write_output
from ..formats.registry import OUTPUT_FORMATS, FormatError, output_format
from ..text.read import InputError

__all__ = [
    "main",
    "build_parser",
    "Parser",
    "COMMANDS",
    "EXIT_USAGE",
    "EXIT_INTERRUPTED",
    "lang_code",
    "encoding_name",
    "add_fixed",
    "load_pair",
    "resolve_langs",
    "run_align_command",
    "write_result",
    "add_command",
    "fail",
    "warn",
    "unit_interval",
    "format_of",
    "summary_line",
    "inputs_of",
]

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def fail(prog: str, msg: str) -> int:
    """``prog: error: msg`` on stderr, one line (control characters of file
    names and texts shown as escapes, :func:`bitext.formats.output.shown`); the exit
    status of bad input (2)."""
    print(f"{prog}: error: {shown(msg)}", file=sys.stderr)
    return EXIT_USAGE


def warn(prog: str, msg: str) -> None:
    """``prog: warning: msg`` on stderr, one line (as :func:`fail`)."""
    print(f"{prog}: warning: {shown(msg)}", file=sys.stderr)


class Parser(argparse.ArgumentParser):
    """Usage errors in one line, naming the help to read."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {shown(message)} (see {self.prog} --help)\n")


def lang_code(value: str) -> str:
    """argparse type of ``--src-lang``/``--tgt-lang``: a language code."""
    from ..text.segment import check_lang

    why = check_lang(value)
    if why:
        raise argparse.ArgumentTypeError(why)
    return value


def encoding_name(value: str) -> str:
    """argparse type of ``--encoding``: a codec Python knows."""
    from ..text.encoding import check_encoding

    try:
        return check_encoding(value)
    except LookupError as e:
        why = str(e) if "text" in str(e) else f"unknown encoding {value!r}"
        raise argparse.ArgumentTypeError(f"{why} (e.g. utf-8, cp949, gb18030, big5, cp1252)") from None


def _add_common(p: argparse.ArgumentParser) -> None:
    from ..embed import MODEL_HELP

    p.add_argument(
        "src",
        help="source document: text (one paragraph a line), .docx, .html, .md, .srt, .vtt, "
        ".epub or .pdf (docs/formats.md)",
    )
    p.add_argument(
        "tgt",
        nargs="?",
        help="target document (its translation); coverage and review also take one "
        "bilingual file (.tmx, .xlf, .tsv, .jsonl, .xlsx) as SRC alone",
    )
    p.add_argument("-o", "--output", help="output file ('-' or none: standard output); never one of the inputs")
    p.add_argument("--src-lang", type=lang_code, help="source language code (default: detected)")
    p.add_argument("--tgt-lang", type=lang_code, help="target language code (default: detected)")
    p.add_argument(
        "--encoding",
        type=encoding_name,
        help="encoding of both input files (default: UTF-8, or a legacy encoding detected with confidence)",
    )
    p.add_argument("--presplit", action="store_true", help="inputs hold one sentence per line; ids are line numbers")
    p.add_argument("--model", help=MODEL_HELP)
    add_device(p)
    p.add_argument("--no-cache", action="store_true", help="do not read or write the embedding cache")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def device_name(value: str) -> str:
    """``--device``: cpu, cuda, cuda:N, mps, ..."""
    import re

    from ..embed import DEVICE_PATTERN

    if not re.fullmatch(DEVICE_PATTERN, value):
        raise argparse.ArgumentTypeError(f"not a device: {value!r} (expected cpu, cuda, cuda:N, mps, ...)")
    return value


def _number(value: str, parse, noun: str, ok, bound: str):
    """``parse(value)`` if ``ok`` holds for it, else an argparse type error naming ``noun`` or ``bound``."""
    try:
        v = parse(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a {noun}: {value!r}") from None
    if not ok(v):
        raise argparse.ArgumentTypeError(f"must be {bound}, got {value}")
    return v


def positive_int(value: str) -> int:
    """argparse type of a count (``--workers``, ``--batch-size``): a whole number of at least 1."""
    return _number(value, int, "whole number", lambda v: v >= 1, "at least 1")


def add_device(p: argparse.ArgumentParser) -> None:
    """``--device`` and ``--batch-size``: where and how a sentence-transformers model encodes."""
    p.add_argument(
        "--device",
        type=device_name,
        help="where a sentence-transformers model runs: cpu, cuda, cuda:N, mps "
        "(default: what sentence-transformers picks, a GPU where there is one)",
    )
    p.add_argument(
        "--batch-size",
        type=positive_int,
        metavar="N",
        help="texts per encoding batch of models other than the default (default 64)",
    )


def model_options(args) -> dict:
    """The ``load_model`` keywords that a command's ``--device`` and ``--batch-size`` give."""
    return {"device": getattr(args, "device", None), "batch_size": getattr(args, "batch_size", None)}


def add_fixed(p: argparse.ArgumentParser) -> None:
    """``--fixed FILE``: beads to keep (align, review)."""
    p.add_argument(
        "--fixed",
        metavar="JSONL",
        help="keep the beads marked approved or edited in this JSONL file (bitext align --format jsonl, "
        "or a review download) and re-align only the stretches between them",
    )


def format_of(path: str | None, formats=FORMATS, default: str = "tsv", aliases: dict | None = None) -> str:
    """The output format that an output file's extension names (one of ``formats``,
    or by ``aliases``, e.g. ``{"htm": "html"}``); ``default`` otherwise."""
    ext = os.path.splitext(path or "")[1].lower().lstrip(".")
    ext = (aliases or {}).get(ext, ext)
    return ext if ext in formats else default


# formats whose files are text a person may name a text report after (report.md, report.tsv)
_TEXT_FORMATS = ("txt", "md", "tsv", "jsonl", "beads")


def report_format_of(path: str | None, formats, default: str, aliases: dict | None = None, choose: bool = True) -> str:
    """The format of a report (``bitext coverage``, ``terms``, ``review``) that an ``-o`` file's
    extension names, as :func:`format_of`; :class:`FormatError` for an extension that names
    another file format bitext knows that other tools open as such (``-o report.xlsx``, ``-o
    terms.xlf``, ``-o report.pdf``): the report would be text in a file named as something else.
    Text formats (``.txt``, ``.md``, ``.tsv``, ``.jsonl``) and unknown extensions get ``default``. ``choose``: the command has ``--format`` (the message says so)."""
    from ..formats.registry import FORMATS as FILE_FORMATS

    fmt = format_of(path, formats, "", aliases)
    if fmt:
        return fmt
    ext = os.path.splitext(path or "")[1].lower().lstrip(".")
    known = {e: f for f in FILE_FORMATS if f.name not in _TEXT_FORMATS for e in f.extensions}
    if ext in known:
        exts = [f".{e}" for e in sorted({*formats, *(aliases or {})} - {"text", "htm", "xhtml"})]
        writes = ", ".join(formats[:-1]) + (" or " if len(formats) > 1 else "") + formats[-1]
        raise FormatError(
            f"{shown(path)}: .{ext} is the {known[ext].name} format, and this command writes {writes}: "
            f"name the file {', '.join(exts[:-1]) + (' or ' if len(exts) > 1 else '') + exts[-1]}"
            + (", or give --format" if choose else "")
        )
    return default


def summary_line(prog: str, output: str | None, alignment) -> str:
    """What a command wrote: the beads by kind, the coverage, the output
    (``bitext align: 28 beads (1-1: 14, 1-2: 9, ...), coverage 100.0% (27/27 source sentences), written to pairs.tsv``).

    The coverage is that of :func:`bitext.coverage` without its leave-one-out
    test and its clause check, which encode text again (``bitext coverage`` runs them)."""
    from collections import Counter

    from ..check.coverage import coverage

    kinds = Counter(b.kind for b in alignment.beads)
    by_kind = ", ".join(f"{k}: {v:,}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]))
    r = coverage(alignment, loo_gain=None, clauses=False)
    where = "standard output" if output in (None, "-") else output
    return (
        f"{prog}: {len(alignment.beads):,} beads ({by_kind or 'none'}), coverage {100 * r.coverage:.1f}% "
        f"({r.covered_sentences:,}/{r.src_sentences:,} source sentences), written to {where}"
    )


def build_parser() -> argparse.ArgumentParser:
    ap = Parser(prog="bitext", description="Align a text with its translation, sentence by sentence.")
    ap.add_argument("--version", action="version", version=f"bitext {__version__}")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("align", help="align two files and write the beads")
    _add_common(p)
    for a in p._actions:  # align needs both documents
        if a.dest == "tgt":
            a.nargs, a.required, a.help = None, True, "target document (its translation)"
    p.add_argument(
        "--format",
        choices=OUTPUT_FORMATS,
        default=None,
        help="output format (default: from the -o file's extension: .tsv .jsonl .beads .tmx .xlf .xlsx; "
        "standard output: tsv); moses writes -o PREFIX.<src_lang> and PREFIX.<tgt_lang>",
    )
    add_fixed(p)

    p = sub.add_parser("eval", help="score alignments against gold beads (strict and lax P/R/F1)", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)

    for extra in _extra_commands():
        extra(sub, _add_common)
    return ap


# the modules that define the other subcommands, each with add_cli(sub, add_common)
COMMANDS = (
    "bitext.cli.coverage",
    "bitext.cli.batch",
    "bitext.cli.match",
    "bitext.cli.review",
    "bitext.cli.terms",
)


def _extra_commands():
    """The ``add_cli`` of each module in :data:`COMMANDS`."""
    out = []
    for mod in COMMANDS:
        try:
            m = __import__(mod, fromlist=["add_cli"])
        except ImportError:
            continue
        if hasattr(m, "add_cli"):
            out.append(m.add_cli)
    return out


def load_pair(args, prog: str = "bitext"):
    """Read both input documents (:func:`bitext.read_document`: text, DOCX, HTML, Markdown,
    subtitles, EPUB, PDF); raises :class:`InputError` naming the file (and the line). A
    reader's warnings (a PDF's layout) go to stderr."""
    from ..formats.registry import read_document
    from ..text.segment import BlankLineError, split_lines

    docs = []
    for path, lang in ((args.src, args.src_lang), (args.tgt, args.tgt_lang)):
        try:
            doc = read_document(path, getattr(args, "encoding", None), lang)
        except MissingExtra as e:
            raise InputError(f"{path}: {e}") from None
        if args.presplit:
            try:
                split_lines(doc.text)
            except BlankLineError as e:
                raise InputError(f"{path}:{e.line}: {e}") from None
        for w in doc.warnings:
            warn(prog, f"{path}: {w}")
        docs.append(doc)
    return tuple(docs)


def inputs_of(args) -> list[str]:
    """Every file a command reads: SRC, TGT, ``--fixed``, ``--glossary``. No
    output may be one of them (:func:`bitext.formats.output.check_output`)."""
    return [p for p in (getattr(args, k, None) for k in ("src", "tgt", "fixed", "glossary")) if p]


def resolve_langs(args, src: str, tgt: str, prog: str | None = None):
    """The languages of both sides: given, or detected (:class:`InputError` when
    they cannot be told). With ``prog``, a language given that the text's script
    contradicts (``--src-lang ja`` on Chinese) is warned about."""
    from ..text.segment import LanguageError, detect_lang, script_conflict

    langs = []
    for name, text, flag, given in (
        (args.src, src, "--src-lang", args.src_lang),
        (args.tgt, tgt, "--tgt-lang", args.tgt_lang),
    ):
        if given:
            conflict = script_conflict(text, given) if prog else None
            if prog and conflict:
                warn(prog, f"{name}: {flag} {given}: {conflict}")
            langs.append(given)
            continue
        try:
            langs.append(detect_lang(text))
        except LanguageError as e:
            raise InputError(f"{name}: {e}; give the language with {flag}") from None
    return langs


# lines of one file named in warnings about cut sentences; the rest are counted
_LONG_LINES_SHOWN = 3


def _warn_long_sentences(prog: str, args, caught) -> None:
    """One stderr line per line where the splitter cut a too-long sentence (a
    few per file, then a count)."""
    for side, path in (("src", args.src), ("tgt", args.tgt)):
        mine = [w for w in caught if w.side == side]
        for w in mine[:_LONG_LINES_SHOWN]:
            warn(prog, f"{path}:{w.line}: {w.detail}")
        if len(mine) > _LONG_LINES_SHOWN:
            warn(
                prog,
                f"{path}: {len(mine) - _LONG_LINES_SHOWN:,} more lines with sentences cut "
                f"at {mine[0].cap:,} characters",
            )


def _bilingual(args, prog: str, render) -> int:
    """``coverage FILE`` and ``review FILE``: the units of one bilingual file are the beads."""
    from ..bilingual import units_alignment
    from ..embed import load_model
    from ..embed.embedder import ModelLoadError
    from ..formats.registry import read_units

    for flag, given in (("--fixed", getattr(args, "fixed", None)), ("--presplit", args.presplit)):
        if given:
            return fail(prog, f"{flag} needs SRC and TGT, not one bilingual file")
    try:
        check_output("-" if args.output is None else args.output, (args.src,))
        units = read_units(args.src, None, args.src_lang, args.tgt_lang)
    except MissingExtra as e:
        return fail(prog, f"{args.src}: {e}")
    except (InputError, OutputError) as e:
        return fail(prog, str(e))
    if args.quiet:
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        model = load_model(args.model, cache=not args.no_cache, **model_options(args))
    except ModelLoadError as e:
        return fail(prog, str(e))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = units_alignment(units, args.src_lang, args.tgt_lang, model=model, cache=not args.no_cache)
    except (InputError, ValueError) as e:
        return fail(prog, str(e))
    try:
        out = render(result)
    except InputError as e:
        return fail(prog, str(e))
    return write_result(prog, args.output, out, (args.src,))


def run_align_command(args, prog: str, render, bilingual: bool = False, summary: bool = False) -> int:
    """Shared by ``align``, ``coverage``, ``review`` and ``terms``: read, align, ``render(alignment)``
    (a text, or ``({path: text or bytes}, notes)``), write safely; with ``summary``, then
    :func:`summary_line` on stderr unless ``--quiet``. With ``bilingual``, SRC alone may be a
    bilingual file (TMX, XLIFF, TSV, JSONL, XLSX) whose units are the beads."""
    from ..aligner.fixed import CommentMovedWarning
    from ..embed import language_warning, load_model
    from ..embed.embedder import ModelLoadError
    from ..pipeline import align
    from ..text.segment import LongSentenceWarning

    if args.tgt is None:
        if bilingual:
            return _bilingual(args, prog, render)
        return fail(prog, "give SRC and TGT: a document and its translation")
    fixed = getattr(args, "fixed", None)
    inputs = inputs_of(args)
    try:
        check_output("-" if args.output is None else args.output, inputs)
        src, tgt = load_pair(args, prog)
        if fixed:
            from ..aligner.fixed import read_jsonl

            read_jsonl(fixed)  # a malformed file fails before the model loads
        src_lang, tgt_lang = resolve_langs(args, src.text, tgt.text, prog)
    except (InputError, OutputError) as e:
        return fail(prog, str(e))
    if src_lang == tgt_lang:
        warn(prog, f"both sides are in the same language ({src_lang}); is the target a translation?")
    if args.quiet:  # sentence-transformers' own loading bars too
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        model = load_model(args.model, cache=not args.no_cache, **model_options(args))
    except ModelLoadError as e:
        return fail(prog, str(e))
    unread = language_warning(model, src_lang, tgt_lang)
    if unread:
        warn(prog, unread)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore")
        warnings.simplefilter("always", LongSentenceWarning)
        warnings.simplefilter("always", CommentMovedWarning)
        try:
            result = align(
                src,
                tgt,
                src_lang,
                tgt_lang,
                model=model,
                presplit=args.presplit,
                cache=not args.no_cache,
                progress=not args.quiet,
                fixed=fixed,
            )
        except ValueError as e:
            return fail(prog, str(e))
    _warn_long_sentences(prog, args, [w.message for w in caught if isinstance(w.message, LongSentenceWarning)])
    for w in caught:  # a comment whose bead was re-aligned away: where it went
        if isinstance(w.message, CommentMovedWarning):
            print(f"{prog}: warning: {fixed}:{w.message.line}: {w.message.detail}", file=sys.stderr)
    try:
        out = render(result)
    except InputError as e:
        return fail(prog, str(e))
    status = write_result(prog, args.output, out, inputs)
    if status == 0 and summary and not args.quiet:
        print(summary_line(prog, args.output, result), file=sys.stderr)
    return status


def _warn_comments_left_out(args, fmt: str, alignment) -> None:
    """A line on stderr when the output format has no place for some reviewers' comments:
    ``beads`` and ``moses`` for any, ``tmx`` for those of one-sided beads (a TMX unit has both sides)."""
    commented = [b for b in alignment.beads if getattr(b, "comment", "")]
    lost = (
        commented
        if fmt in ("beads", "moses")
        else [b for b in commented if not (b.src_ids and b.tgt_ids)]
        if fmt == "tmx"
        else []
    )
    if lost:
        where = "standard output" if args.output in (None, "-") else args.output
        why = "has no comments" if fmt in ("beads", "moses") else "holds no 1-0 or 0-1 beads"
        print(
            f"bitext align: warning: {len(lost)} of the reviewers' comments are not in {where}: the {fmt} format "
            f"{why} (jsonl and tsv keep every comment)",
            file=sys.stderr,
        )


def write_result(prog: str, output: str | None, text, inputs=()) -> int:
    """Write a command's result to ``output`` (``None`` or ``-``: standard output)
    with :func:`bitext.formats.output.write_output`: 0, or 2 with one error line. ``text`` may
    also be ``({path: text or bytes}, notes)``, files written all or none (the
    notes go to stderr)."""
    from ..formats.output import write_files

    try:
        if isinstance(text, tuple):
            files, notes = text
            write_files(files, inputs)
            for note in notes:
                print(f"{prog}: {shown(note)}", file=sys.stderr)
        else:
            write_output("-" if output is None else output, text, inputs)
    except OutputError as e:
        return fail(prog, str(e))
    except OSError as e:
        if output and output != "-":
            return fail(prog, f"{output}: cannot write: {e.strerror or e}")
        _stdout_gone()
        return fail(prog, f"standard output: cannot write: {e.strerror or e}")
    return 0


def _stdout_gone() -> None:
    """After a write to a closed pipe: point stdout at /dev/null, so that Python's
    own flush at exit does not print a second error."""
    if sys.stdout is None:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    """``bitext ...``: the exit status. Errors are one line on stderr: 2 for bad
    input or usage, 130 for Ctrl-C (143 for SIGTERM); never a traceback."""
    old = signal.signal(signal.SIGTERM, _terminate) if _in_main_thread() else None
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("\nbitext: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _stdout_gone()
        print("bitext: error: standard output was closed before the output was written", file=sys.stderr)
        return EXIT_USAGE
    finally:
        if old is not None:
            signal.signal(signal.SIGTERM, old)


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _terminate(signum, frame):
    # unwinds like Ctrl-C, so temporary files are removed on the way out
    raise SystemExit(128 + signum)


def _main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["eval"]:
        from ..aligner.evaluate import main as eval_main

        return eval_main(argv[1:])
    ap = build_parser()
    args = ap.parse_args(argv)
    if args.command == "align":
        return _run_align(args)
    return args.func(args)


def _run_align(args) -> int:
    """``bitext align``: the output format from ``--format`` or the -o file's extension (never a guess)."""
    from ..formats.registry import render

    prog = "bitext align"
    inputs = tuple(x for x in (args.src, args.tgt, args.fixed) if x)
    try:
        check_output("-" if args.output is None else args.output, inputs)  # an input is never an output
        fmt = output_format(args.output, args.format)
    except (FormatError, OutputError) as e:
        return fail(prog, str(e))

    def write(alignment):
        _warn_comments_left_out(args, fmt.name, alignment)
        report = None
        if fmt.wants_report:
            from ..check.coverage import coverage

            report = coverage(alignment, progress=not args.quiet)
        try:
            return render(alignment, args.output, fmt, report)
        except MissingExtra as e:
            raise InputError(str(e)) from None

    return run_align_command(args, prog, write, summary=True)


# --------------------------------------------------------------------------
# for the subcommands' modules (bitext/cli/<command>.py)


def add_command(sub, add_common, name: str, run, help: str, description: str) -> argparse.ArgumentParser:
    """A subcommand that reads SRC and TGT: its parser in ``sub``, with the common
    arguments (``add_common``) and ``run(args) -> exit status`` as its runner."""
    p = sub.add_parser(name, help=help, description=description)
    add_common(p)
    p.set_defaults(func=run)
    return p


def unit_interval(value: str) -> float:
    """argparse type of ``--threshold``: a number from 0 to 1."""
    return _number(value, float, "number", lambda v: 0.0 <= v <= 1.0, "between 0 and 1")
