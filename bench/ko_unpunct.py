"""Text without full stops (Korean, and Chinese): sentence boundaries, speed, alignment end to end.

usage: python bench/ko_unpunct.py [--data DIR] [--parts seeds,editorial,speed,bible,zh] [--books 001,...]

- ``seeds``: the Korean of the five seeds with every sentence's final mark
  removed (the ., ? or ! before any closing quote), split again; boundary
  precision, recall and F1 inside paragraphs against the hand-checked split
  of the punctuated text (``tests/data/seeds-ko.sentences``). Rows: bitext
  before this path (kss's punct backend, what ``split`` did), kss's mecab
  backend alone, bitext (final endings read with mecab), and bitext without
  mecab (the fallback: spelling alone).
- ``speed``: the morphology path's cost per sentence on the Korean Bible
  (``bible-zh-ko``, each chapter one paragraph), with mecab and without, kss's
  mecab backend on one book, and kss's punct path on the punctuated seeds
  beside it, all timed in this process.
- ``editorial``: the seed editorial, its Korean without final marks, aligned
  to the Chinese: strict F1 against the hand-checked gold.
- ``bible``: ``bible-zh-ko`` end to end. The verses of each chapter are
  joined into one paragraph on both sides (Chinese without spaces, Korean
  with one), bitext splits and aligns the two texts, each sentence is mapped
  back to the verses it overlaps by character offsets (beads that share a
  verse merge), and the verse beads are scored with
  ``../shared/tools/unit_score.py``. Also the ceiling of each split (the F1
  of the best alignment its sentence ends allow: a gold bead can be found
  only where both sides have a sentence end at its verse ends) and the
  verses given one a line (``--presplit``) for reference.
- ``zh``: Chinese without full stops: MAC-Dev zh-en with its Chinese 。！？
  made commas, each chapter one paragraph a side.

``DIR`` is the shared evaluation data (default ``../shared/eval-data``
beside the repository).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import bitext  # noqa: E402
from bitext.text import ko_endings, optional_cuts  # noqa: E402
from bitext.text.segment import Sentence, _kss_split, _locate, _split_ko_punct, _split_zh, split  # noqa: E402

SHARED = ROOT.parent / "shared"
_FINAL = ".!?…。！？"
_CLOSE = "”’」』）)》〉】］]\"'"


# --- the seeds ---------------------------------------------------------------


def seed_gold():
    """``[(seed name, its Korean text, [(sentence, start, end, marked)])]`` from
    the hand-checked file; ``marked``: a sentence kss's split got wrong."""
    docs, cur = {}, None
    for line in (ROOT / "tests/data/seeds-ko.sentences").read_text("utf-8").splitlines():
        if line.startswith("## "):
            cur = docs.setdefault(line[3:], [])
        elif line and not line.startswith("# "):
            cur.append((line[2:], True) if line.startswith("! ") else (line, False))
    out = []
    for name, sents in docs.items():
        text = (ROOT / "seeds" / name).read_text("utf-8")
        if name.startswith("000"):
            text = text[: text.index("社评")]  # its Korean part
        located, pos = [], 0
        for s, marked in sents:
            at = text.index(s, pos)
            located.append((s, at, at + len(s), marked))
            pos = at + len(s)
        out.append((name, text, located))
    return out


def without_final_marks(text: str, located) -> tuple[str, set[int], list[tuple[int, int]]]:
    """``text`` with each sentence's final ., ?, ! or … (before its closing
    quotes) removed, the offsets in it of the sentence ends inside
    paragraphs, and each sentence's ``(start, end)`` in it."""
    drop = set()
    for _, a, b, _ in located:
        e = b
        while e > a and text[e - 1] in _CLOSE:
            e -= 1
        while e > a and text[e - 1] in _FINAL:
            e -= 1
            drop.add(e)
    new_at, kept = [0] * (len(text) + 1), []
    for i, c in enumerate(text):
        new_at[i] = len(kept)
        if i not in drop:
            kept.append(c)
    new_at[len(text)] = len(kept)
    ends = set()
    for (_, a, b, _), (_, na, _, _) in zip(located, located[1:]):
        if "\n" not in text[b:na]:
            while b > a and b - 1 in drop:
                b -= 1
            ends.add(new_at[b])
    return "".join(kept), ends, [(new_at[a], new_at[b]) for _, a, b, _ in located]


def inner_ends(sents) -> set[int]:
    """The end offsets of the sentences that are not the last of their paragraph."""
    return {s.end for s, n in zip(sents, sents[1:]) if s.paragraph == n.paragraph}


def by_paragraph(text: str, spans_of) -> list[Sentence]:
    """Sentences of ``text`` from ``spans_of(paragraph) -> [(start, end)]``, trimmed, one paragraph a line."""
    out, offset = [], 0
    for k, line in enumerate(text.split("\n")):
        if line.strip():
            for a, b in spans_of(line):
                while a < b and line[a].isspace():
                    a += 1
                while b > a and line[b - 1].isspace():
                    b -= 1
                if b > a:
                    out.append(Sentence(line[a:b], offset + a, offset + b, k))
        offset += len(line) + 1
    return out


SEED_SPLITTERS = {
    "bitext before (kss punct)": lambda t: by_paragraph(t, _split_ko_punct),
    "kss alone (mecab backend)": lambda t: by_paragraph(t, lambda p: _locate(p, _kss_split()(p, backend="mecab"))),
    "bitext (final endings, mecab)": lambda t: split(t, "ko", workers=1),
    "bitext without mecab (spelling alone)": lambda t: without_mecab(split, t, "ko", workers=1),
}


def without_mecab(fn, *args, **kw):
    """``fn(*args, **kw)`` as on a machine without python-mecab-ko (its warning silenced)."""
    import warnings

    saved = sys.modules.get("mecab")
    sys.modules["mecab"] = None  # import mecab raises ImportError
    ko_endings._analyser.cache_clear()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return fn(*args, **kw)
    finally:
        if saved is None:
            sys.modules.pop("mecab", None)
        else:
            sys.modules["mecab"] = saved
        ko_endings._analyser.cache_clear()


def seeds_part() -> None:
    docs = seed_gold()
    print("## Seeds without final marks: sentence boundaries inside paragraphs")
    print(f"{sum(len(d[2]) for d in docs)} sentences; boundary P / R / F1 per setting, and F1 per seed (000-004)\n")
    print("| setting | P | R | F1 | " + " | ".join(name[:3] for name, _, _ in docs) + " |")
    print("|---|---|---|---|" + "---|" * len(docs))
    for label, splitter in SEED_SPLITTERS.items():
        hit = found = gold = 0
        per = []
        for _, text, located in docs:
            bare, ends, _ = without_final_marks(text, located)
            got = inner_ends(splitter(bare))
            h = len(got & ends)
            hit, found, gold = hit + h, found + len(got), gold + len(ends)
            per.append(2 * h / (len(got) + len(ends)) if got or ends else 1.0)
        p, r = hit / found if found else 0.0, hit / gold
        f = 2 * p * r / (p + r) if p + r else 0.0
        print(f"| {label} | {p:.3f} | {r:.3f} | **{f:.3f}** | " + " | ".join(f"{x:.3f}" for x in per) + " |")
    print(f"\n({gold} boundaries inside paragraphs)\n")


def editorial_part(tool: Path) -> None:
    """The seed editorial with the Korean's final marks removed, aligned to
    the Chinese; strict F1 against the hand-checked gold, each output
    sentence mapped back to the gold's sentences by character offsets."""
    from bitext.aligner.evaluate import read_beads, score

    zh = (ROOT / "seeds/global-times-editorial.zh.txt").read_text("utf-8")
    ko = (ROOT / "seeds/global-times-editorial.ko.txt").read_text("utf-8")
    gold = read_beads(ROOT / "tests/data/global-times-editorial.zh-ko.beads")
    zh_units = [(s.start, s.end, i) for i, s in enumerate(split(zh, "zh"))]
    located = [(s.text, s.start, s.end, False) for s in split(ko, "ko")]
    bare, _, spans = without_final_marks(ko, located)
    ko_units = [(a, b, i) for i, (a, b) in enumerate(spans)]
    print("## The seed editorial, its Korean without final marks (strict F1 against its gold, 28 beads)")
    print(
        "| setting | Korean sentences the aligner saw | sentences after it | strict F1 (lax) | unit-merged (unit_score.py) |"
    )
    print("|---|---|---|---|---|")
    for label, tgt in (
        ("punctuated (as in bench/accuracy.py)", ko),
        ("splitting alone", split(bare, "ko")),
        ("alignment decides (optional cuts)", bare),
    ):
        units = [(s.start, s.end, i) for i, s in enumerate(split(ko, "ko"))] if tgt is ko else ko_units
        a = bitext.align(zh, tgt, "zh", "ko")
        seen = len(tgt) if isinstance(tgt, list) else "-"
        test = verse_beads(a, zh_units, units)
        r = score([(gold, test)])
        unit = (
            unit_score(tool, [ROOT / "tests/data/global-times-editorial.zh-ko.beads"], [test]) if tool.exists() else "-"
        )
        print(
            f"| {label} | {seen} | {len(a.tgt_sentences)} | {r['strict']['f1']:.3f} ({r['lax']['f1']:.3f}) | {unit} |"
        )
    print()


# --- the Bible -----------------------------------------------------------------


def chapters(data: Path, book: str, side: str) -> list[list[int]]:
    """The verse ids (line numbers of ``side``) of each chapter of ``book``, from its refs."""
    refs = (data / "bible-zh-ko/refs" / book).read_text("utf-8").splitlines()
    gold = [line.split(":") for line in (data / "bible-zh-ko/gold" / book).read_text().splitlines()]
    k = 0 if side == "zh" else 1
    chapter_of = {}
    for bead, ref in zip(gold, refs):
        for i in json.loads(bead[k]):
            chapter_of[i] = ref.split(".")[1]
    n = len((data / "bible-zh-ko" / side / book).read_text("utf-8").splitlines())
    out, last = [], None
    for i in range(n):
        c = chapter_of.get(i, last)
        if c != last or not out:
            out.append([])
        out[-1].append(i)
        last = c
    return out


def chapter_text(data: Path, book: str, side: str) -> tuple[str, list[tuple[int, int, int]]]:
    """One paragraph a chapter (verses joined without spaces in Chinese, with
    one in Korean), and ``(start, end, verse id)`` of each verse in it."""
    lines = (data / "bible-zh-ko" / side / book).read_text("utf-8").splitlines()
    sep = "" if side == "zh" else " "
    paragraphs, verses, offset = [], [], 0
    for ids in chapters(data, book, side):
        pos = offset
        for i in ids:
            verses.append((pos, pos + len(lines[i]), i))
            pos += len(lines[i]) + len(sep)
        paragraphs.append(sep.join(lines[i] for i in ids))
        offset += len(paragraphs[-1]) + 1
    return "\n".join(paragraphs), verses


def verse_beads(alignment, src_verses, tgt_verses) -> list[tuple[list[int], list[int]]]:
    """Each bead as the verses its sentences overlap; neighbouring beads that share a verse merge."""

    def verses(sents, ids, spans):
        return {v for i in ids for a, b, v in spans if a < sents[i].end and sents[i].start < b}

    out = []
    for bead in alignment.beads:
        z = verses(alignment.src_sentences, bead.src_ids, src_verses)
        k = verses(alignment.tgt_sentences, bead.tgt_ids, tgt_verses)
        if out and (z & out[-1][0] or k & out[-1][1]):
            out[-1] = (out[-1][0] | z, out[-1][1] | k)
        else:
            out.append((z, k))
    return [(sorted(z), sorted(k)) for z, k in out]


def unit_score(tool: Path, golds, tests) -> str:
    """``unit_score.py`` (``../shared/tools``) on test beads against gold files."""
    with tempfile.TemporaryDirectory() as tmp:
        args = []
        for k, (gold, beads) in enumerate(zip(golds, tests)):
            path = Path(tmp) / str(k)
            path.write_text(
                "".join(f"{json.dumps(list(z))}:{json.dumps(list(t))}\n".replace(" ", "") for z, t in beads)
            )
            args += [str(gold), str(path)]
        run = subprocess.run([sys.executable, str(tool), *args], capture_output=True, text=True)
    if run.returncode and "ZeroDivisionError" in run.stderr:
        return "P=0.000 R=0.000 F1=0.000 (no gold bead found)"
    return run.stdout.strip().replace("unit-merged strict ", "")


def ceiling(data: Path, books, src_split, tgt_split) -> float:
    """The F1 of the best verse alignment the sentence ends allow: a gold
    bead can be output only where both sides have a sentence end at its last
    verse; consecutive gold beads between two such places come out as one."""
    hits = n_gold = n_out = 0
    for book in books:
        cut = []
        for side, splitter in (("zh", src_split), ("ko", tgt_split)):
            text, verses = chapter_text(data, book, side)
            ends = {s.end for s in splitter(text)} | {m.start() for m in re.finditer("\n", text)} | {len(text)}
            cut.append({v for a, b, v in verses if b in ends})
        gold = [
            [json.loads(x) for x in line.split(":")]
            for line in (data / "bible-zh-ko/gold" / book).read_text().splitlines()
        ]
        groups = singles = run = 0
        for g in gold:
            run += 1
            if (not g[0] or g[0][-1] in cut[0]) and (not g[1] or g[1][-1] in cut[1]):
                groups, singles, run = groups + 1, singles + (run == 1), 0
        hits, n_gold, n_out = hits + singles, n_gold + len(gold), n_out + groups + (run > 0)
    p, r = hits / n_out, hits / n_gold
    return 2 * p * r / (p + r) if p + r else 0.0


def bible_part(data: Path, books) -> None:
    print("## bible-zh-ko end to end (verse-level unit F1, ../shared/tools/unit_score.py)")
    tool, golds = data.parent / "tools/unit_score.py", [data / "bible-zh-ko/gold" / b for b in books]

    def zh_split(t):
        return split(t, "zh")

    def pieces(lang):
        return lambda t: optional_cuts.cut(t, split(t, lang), lang)[0]

    def ko_before(t):
        return by_paragraph(t, _split_ko_punct)

    def ko_split(t):
        return split(t, "ko")

    rows = [  # label, what the aligner gets for (zh, ko), the sentence ends behind the ceiling, mecab
        ("bitext before (Korean: kss punct)", (None, ko_before), (zh_split, ko_before), True),
        ("splitting alone (Korean: final endings)", (None, ko_split), (zh_split, ko_split), True),
        ("alignment decides (optional cuts, the default)", (None, None), (pieces("zh"), pieces("ko")), True),
        ("alignment decides, without mecab (spelling alone)", (None, None), (pieces("zh"), pieces("ko")), False),
    ]
    print("| setting | Korean sentences out | ceiling F1 | P / R / F1 | seconds |")
    print("|---|---|---|---|---|")

    def run(zh_in, ko_in, zh_cut, ko_cut):
        tests, n_ko = [], 0
        for book in books:
            zh, zh_verses = chapter_text(data, book, "zh")
            ko, ko_verses = chapter_text(data, book, "ko")
            a = bitext.align(zh_in(zh) if zh_in else zh, ko_in(ko) if ko_in else ko, "zh", "ko")
            n_ko += len(a.tgt_sentences)
            tests.append(verse_beads(a, zh_verses, ko_verses))
        return n_ko, unit_score(tool, golds, tests), ceiling(data, books, zh_cut, ko_cut)

    for label, (zh_in, ko_in), (zh_cut, ko_cut), mecab in rows:
        t0 = time.perf_counter()
        n_ko, score, top = (
            run(zh_in, ko_in, zh_cut, ko_cut) if mecab else without_mecab(run, zh_in, ko_in, zh_cut, ko_cut)
        )
        print(f"| {label} | {n_ko} | {top:.3f} | {score} | {time.perf_counter() - t0:.0f} |")
    t0 = time.perf_counter()
    tests = []
    for book in books:
        zh = (data / "bible-zh-ko/zh" / book).read_text("utf-8")
        ko = (data / "bible-zh-ko/ko" / book).read_text("utf-8")
        a = bitext.align(zh, ko, "zh", "ko", presplit=True)
        tests.append([(list(b.src_ids), list(b.tgt_ids)) for b in a.beads])
    print(
        f"| verses given one a line (--presplit) | | 1.000 | {unit_score(tool, golds, tests)} | {time.perf_counter() - t0:.0f} |"
    )
    print()


# --- Chinese without full stops -------------------------------------------------


def joined(lines: list[str], sep: str) -> tuple[str, list[tuple[int, int, int]]]:
    """``lines`` as one paragraph, and ``(start, end, line id)`` of each in it."""
    units, pos = [], 0
    for i, line in enumerate(lines):
        units.append((pos, pos + len(line), i))
        pos += len(line) + len(sep)
    return sep.join(lines), units


def zh_part(data: Path) -> None:
    """MAC-Dev zh-en, each chapter one paragraph a side, its Chinese 。！？!?
    made commas (a stand-in for text without full stops); unit F1 against
    the gold sentences, each output sentence mapped back by offsets."""
    mac = data / "mac-dev-zh-en"
    books = sorted(p.name for p in (mac / "gold").iterdir())
    tool, golds = data.parent / "tools/unit_score.py", [mac / "gold" / b for b in books]
    print("## Chinese without full stops (MAC-Dev zh-en, chapters as paragraphs, unit F1)")
    print("| setting | Chinese sentences | P / R / F1 |")
    print("|---|---|---|")
    rows = [
        ("punctuated, for reference", False, None),
        ("without 。！？: bitext before (one sentence a paragraph)", True, lambda t: by_paragraph(t, _split_zh)),
        ("without 。！？: cut at clause marks (the default)", True, None),
    ]
    for label, bare, zh_in in rows:
        tests, n = [], 0
        for book in books:
            lines = (mac / "zh" / book).read_text("utf-8").splitlines()
            if bare:
                lines = [re.sub("[。！？!?]", "，", line) for line in lines]
            zh, zh_units = joined(lines, "")
            en, en_units = joined((mac / "en" / book).read_text("utf-8").splitlines(), " ")
            a = bitext.align(zh_in(zh) if zh_in else zh, en, "zh", "en")
            n += len(a.src_sentences)
            tests.append(verse_beads(a, zh_units, en_units))
        print(f"| {label} | {n} | {unit_score(tool, golds, tests)} |")
    print()


# --- speed ----------------------------------------------------------------------


def speed_part(data: Path, books) -> None:
    print("## Speed of the morphology path (this process; ratios are steadier than times)")
    ko = "\n".join(chapter_text(data, b, "ko")[0] for b in books)
    print("| splitter | text | sentences | seconds | ms a sentence |")
    print("|---|---|---|---|---|")

    def timed(label, what, fn, text):
        ko_endings._spelled_ends.cache_clear()  # each row reads the text afresh
        ko_endings._ends.cache_clear()
        t0 = time.perf_counter()
        n = len(fn(text))
        dt = time.perf_counter() - t0
        print(f"| {label} | {what} | {n} | {dt:.2f} | {1000 * dt / n:.3f} |")
        return dt / n

    split("먼저 불러 둔다 mecab을 읽는다", "ko", workers=1)  # load mecab outside the timing
    paragraphs = sum(1 for line in ko.splitlines() if line.strip())
    what = f"Korean Bible, {len(books)} books, {paragraphs} chapters"
    per = timed("bitext, mecab", what, lambda t: split(t, "ko", workers=1), ko)
    timed("bitext, spelling alone (no mecab)", what, SEED_SPLITTERS["bitext without mecab (spelling alone)"], ko)
    one = chapter_text(data, books[-1], "ko")[0]
    kss = timed("kss, mecab backend", f"book {books[-1]}", SEED_SPLITTERS["kss alone (mecab backend)"], one)
    seeds = "\n".join(text for _, text, _ in seed_gold())
    punct = timed("bitext, punctuated (kss punct)", "the five seeds", lambda t: split(t, "ko", workers=1), seeds)
    print(f"\nmorphology path: {per / punct:.3f}x the punct path's time a sentence, {per / kss:.3f}x kss mecab's\n")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(SHARED / "eval-data"), help="the shared evaluation data")
    ap.add_argument("--parts", default="seeds,editorial,speed,bible,zh")
    ap.add_argument("--books", default="001,002,003,004,005,006", help="bible-zh-ko books")
    args = ap.parse_args(argv)
    data, books, parts = Path(args.data), args.books.split(","), args.parts.split(",")
    print(f"mecab: {ko_endings.morphology_backend()}\n")
    if "seeds" in parts:
        seeds_part()
    if "editorial" in parts:
        editorial_part(data.parent / "tools/unit_score.py")
    if not (data / "bible-zh-ko").is_dir():
        print(f"{data / 'bible-zh-ko'} is not here: speed and bible skipped")
        return
    if "speed" in parts:
        speed_part(data, books)
    if "bible" in parts:
        bible_part(data, books)
    if "zh" in parts:
        zh_part(data)


if __name__ == "__main__":
    main()
