"""The command line end to end, and bad input."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import DATA, ROOT, SEEDS, one_error_line

from bitext.cli import main

ZH = str(SEEDS / "global-times-editorial.zh.txt")
KO = str(SEEDS / "global-times-editorial.ko.txt")


def run_cli(*args, env=None):
    e = dict(os.environ, **(env or {}))
    e["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + e.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "bitext.cli", *args], capture_output=True, text=True, env=e, timeout=300
    )


def test_align_tsv_end_to_end_offline(tmp_path):
    out = tmp_path / "pairs.tsv"
    # no network: the default model loads from the installed package
    r = run_cli("align", ZH, KO, "-o", str(out), "--quiet", env={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""  # --quiet: no progress bar
    rows = out.read_text("utf-8").splitlines()
    assert rows[0] == "src_ids\ttgt_ids\tscore\tsrc\ttgt"
    cells = [row.split("\t") for row in rows[1:]]
    assert all(len(c) == 5 for c in cells)
    # the 1-4 bead, and the footnote as a target-only row
    assert ["12", "19,20,21,22"] in [c[:2] for c in cells]
    foot = [c for c in cells if c[1] == "34"][0]
    assert foot[0] == "" and foot[3] == "" and foot[4].startswith("* 垓字")
    assert not list(tmp_path.glob(".*tmp"))


def test_align_formats_stdout(capsys):
    assert main(["align", ZH, KO, "--format", "beads", "-q"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("[0]:[0]:")
    assert "[]:[34]:" in "\n".join(lines)
    assert main(["align", ZH, KO, "--format", "jsonl", "-q"]) == 0
    header, *rec = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert header["src_lang"] == "zh" and header["tgt_lang"] == "ko" and "src_sha256" in header
    assert rec[0]["src_ids"] == [0] and rec[0]["tgt_ids"] == [0]
    assert {"src", "tgt", "score"} <= set(rec[0])


def test_presplit_ids_are_line_numbers(tmp_path, capsys):
    src = tmp_path / "src.txt"
    tgt = tmp_path / "tgt.txt"
    src.write_text("今天天气很好。\n我们去公园散步吧。\n公园里有很多人。\n", "utf-8")
    tgt.write_text("오늘은 날씨가 좋다.\n공원에 산책하러 가자. 지금 바로.\n공원에는 사람이 많다.\n", "utf-8")
    assert main(["align", str(src), str(tgt), "--presplit", "--format", "beads", "-q"]) == 0
    got = [l.rsplit(":", 1)[0] for l in capsys.readouterr().out.splitlines()]
    assert got == ["[0]:[0]", "[1]:[1]", "[2]:[2]"]


def _err_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def test_missing_file(tmp_path, capsys):
    out = tmp_path / "o.tsv"
    assert main(["align", str(tmp_path / "nope.txt"), KO, "-o", str(out)]) == 2
    line = _err_line(capsys)
    assert "nope.txt" in line and "no such file" in line
    assert not out.exists()


def test_empty_file(tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n", "utf-8")
    assert main(["align", ZH, str(empty), "-o", str(tmp_path / "o.tsv")]) == 2
    line = _err_line(capsys)
    assert "empty.txt" in line and "empty" in line
    assert not (tmp_path / "o.tsv").exists()


def test_binary_file(tmp_path, capsys):
    binf = tmp_path / "model.bin"
    binf.write_bytes(bytes(range(256)) * 40)
    assert main(["align", str(binf), KO]) == 2
    line = _err_line(capsys)
    assert "model.bin" in line and "binary" in line


def test_legacy_encodings_are_detected(tmp_path, capsys):
    zh = tmp_path / "zh.gb18030.txt"
    ko = tmp_path / "ko.cp949.txt"
    zh.write_bytes(Path(ZH).read_text("utf-8").encode("gb18030"))
    # CP949 cannot hold every Hanja gloss of the seed: keep the Korean body lines that it can
    lines = [l for l in Path(KO).read_text("utf-8").splitlines() if _encodable(l, "cp949")]
    ko.write_bytes("\n".join(lines).encode("cp949"))
    from bitext.text.read import read_text

    assert read_text(zh) == Path(ZH).read_text("utf-8")
    assert read_text(ko) == "\n".join(lines)
    assert main(["align", str(zh), str(ko), "--format", "beads", "-q"]) == 0
    out = capsys.readouterr().out
    src_ids = [i for line in out.splitlines() for i in line.split(":")[0].strip("[]").split(",") if i]
    assert src_ids == [str(i) for i in range(27)]


def _encodable(s, enc):
    try:
        s.encode(enc)
        return True
    except UnicodeEncodeError:
        return False


def test_undecodable_file_is_refused(tmp_path, capsys):
    bad = tmp_path / "noise.txt"
    import random

    rnd = random.Random(1)
    bad.write_bytes(bytes(rnd.choice(range(0x80, 0x100)) for _ in range(300)))
    assert main(["align", str(bad), KO, "-o", str(tmp_path / "o.tsv")]) == 2
    line = _err_line(capsys)
    assert "noise.txt" in line
    assert not (tmp_path / "o.tsv").exists()


def test_unknown_language_names_the_flag(tmp_path, capsys):
    dates = tmp_path / "dates.txt"
    dates.write_text("2025-02-12 10:00\n2025-02-13 11:30\n", "utf-8")
    assert main(["align", str(dates), KO]) == 2
    line = _err_line(capsys)
    assert "dates.txt" in line and "cannot tell the language" in line and "--src-lang" in line


def test_other_languages_are_detected(tmp_path, capsys):
    """English and German, no language given: detected, split, aligned 1-1,
    written as TMX with their codes, and no warning (USE reads both)."""
    out = tmp_path / "en-de.tmx"
    opening = DATA / "opening"
    assert main(["align", str(opening / "en.txt"), str(opening / "de.txt"), "-q", "-o", str(out)]) == 0
    assert capsys.readouterr().err == ""
    import xml.etree.ElementTree as ET

    root = ET.parse(out).getroot()
    assert root.find("header").get("srclang") == "en"
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    units = [{tuv.get(lang): tuv.find("seg").text for tuv in tu.findall("tuv")} for tu in root.iter("tu")]
    assert len(units) == 3
    assert units[1]["en"].startswith("Sam Altman, chief") and units[1]["de"].startswith("Sam Altman, der Chef")
    assert units[2]["en"].startswith("At the Paris") and units[2]["de"].startswith("Auf dem gerade")


def test_language_the_model_does_not_read_warns(capsys):
    """Vietnamese is not among USE's languages: the alignment still runs (on
    lengths), with a warning that names the language and the model that reads it."""
    opening = DATA / "opening"
    assert main(["align", str(opening / "en.txt"), str(opening / "vi.txt"), "-q", "--format", "beads"]) == 0
    captured = capsys.readouterr()
    assert "warning: the model does not read vi:" in captured.err and "multilingual-e5-small" in captured.err
    assert captured.out.splitlines()[0].startswith("[0]:[0]")


def test_same_language_warns(capsys):
    assert main(["align", KO, KO, "-q", "--format", "beads"]) == 0
    captured = capsys.readouterr()
    assert "same language" in captured.err


def test_no_sentence_punctuation_still_works(tmp_path, capsys):
    zh = tmp_path / "zh.txt"
    ko = tmp_path / "ko.txt"
    strip = str.maketrans("", "", "。！？!?.")
    zh.write_text(Path(ZH).read_text("utf-8").translate(strip), "utf-8")
    ko.write_text(Path(KO).read_text("utf-8").translate(strip), "utf-8")
    assert main(["align", str(zh), str(ko), "--format", "beads", "-q"]) == 0
    beads = capsys.readouterr().out.splitlines()
    # one sentence per paragraph now: 8 Chinese paragraphs, 20 Korean
    assert beads[0].startswith("[0]:[0]")
    assert sum(1 for b in beads if not b.startswith("[]")) >= 7


def test_output_is_written_atomically(tmp_path, capsys, monkeypatch):
    out = tmp_path / "keep.tsv"
    out.write_text("precious", "utf-8")
    import bitext.formats.output as bio

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(bio.os, "replace", boom)
    assert main(["align", ZH, KO, "-o", str(out), "-q"]) == 130  # Ctrl-C: one line, exit 130
    assert capsys.readouterr().err.strip() == "bitext: interrupted"
    assert out.read_text("utf-8") == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.tsv"]


def test_bad_model_is_one_line(tmp_path, capsys):
    assert main(["align", ZH, KO, "--model", str(tmp_path / "no-such-model")]) == 2
    line = _err_line(capsys)
    assert "no-such-model" in line


def _tmx_units(text):
    import xml.etree.ElementTree as ET

    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "tmx" and root.get("version") == "1.4"
    header = root.find("header")
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    units = []
    for tu in root.find("body").findall("tu"):
        props = {p.get("type"): p.text for p in tu.findall("prop")}
        segs = {tuv.get(lang): tuv.find("seg").text for tuv in tu.findall("tuv")}
        units.append((props, segs))
    return header, units


def test_align_tmx(tmp_path, capsys):
    """TMX for CAT tools: one translation unit per bead with both sides, in the
    languages of the pair, with the bead's text, ids and confidence."""
    out = tmp_path / "pairs.tmx"
    assert main(["align", ZH, KO, "-o", str(out), "-q"]) == 0  # the format from the extension
    header, units = _tmx_units(out.read_text("utf-8"))
    assert header.get("srclang") == "zh" and header.get("segtype") == "sentence"
    assert main(["align", ZH, KO, "--format", "jsonl", "-q"]) == 0
    beads = [json.loads(x) for x in capsys.readouterr().out.splitlines()[1:]]  # after the header
    paired = [b for b in beads if b["src_ids"] and b["tgt_ids"]]
    assert len(units) == len(paired) == 27  # every zh sentence; the footnote (0-1) is no unit
    for (props, segs), b in zip(units, paired):
        assert segs == {"zh": b["src"], "ko": b["tgt"]}
        assert props["x-bitext-src-ids"] == ",".join(map(str, b["src_ids"]))
        assert props["x-bitext-tgt-ids"] == ",".join(map(str, b["tgt_ids"]))
        assert abs(float(props["x-bitext-score"]) - b["score"]) < 1e-4
    # the 1-4 bead: four Korean sentences joined with spaces
    (four,) = [segs["ko"] for props, segs in units if props["x-bitext-tgt-ids"] == "19,20,21,22"]
    assert "선언했다. 또 몇몇" in four and "발표했다. 또한" in four


def test_tmx_escapes_markup_and_drops_control_characters():
    from bitext.formats.beads import beads_to_tmx
    from bitext.pipeline import Bead

    beads = [Bead((0,), (0,), 'A <b>&amp;</b> "x"\x07', "Ein <i>Test</i> & 'y'", 0.9), Bead((1,), (), "only", "", 0.5)]
    _, units = _tmx_units(beads_to_tmx(beads, "en", "de"))
    assert units == [
        (
            {"x-bitext-score": "0.9000", "x-bitext-src-ids": "0", "x-bitext-tgt-ids": "0"},
            {"en": 'A <b>&amp;</b> "x"', "de": "Ein <i>Test</i> & 'y'"},
        )
    ]


def test_sentences_join_by_language():
    from bitext.text.segment import join_sentences

    assert join_sentences(["今天天气很好。", "我们去公园吧。"], "zh") == "今天天气很好。我们去公园吧。"
    assert join_sentences(["今日は晴れ。", "公園へ行こう。"], "ja") == "今日は晴れ。公園へ行こう。"
    assert join_sentences(["오늘은 날씨가 좋다.", "공원에 가자."], "ko") == "오늘은 날씨가 좋다. 공원에 가자."


def test_format_follows_the_output_extension(tmp_path, capsys):
    for name, fmt_opt, first in (
        ("a.tmx", [], "<?xml"),
        ("a.JSONL", [], '{"bitext": '),  # the header line, then the beads
        ("a.beads", [], "[0]:[0]:"),
        ("a.xlf", [], "<?xml"),
        ("b.tmx", ["--format", "tsv"], "src_ids\ttgt_ids"),  # an explicit --format wins
        ("a.txt", ["--format", "tsv"], "src_ids\ttgt_ids"),
    ):
        out = tmp_path / name
        assert main(["align", ZH, KO, "-o", str(out), "-q", *fmt_opt]) == 0
        assert out.read_text("utf-8").startswith(first), name


def test_an_unknown_output_extension_is_refused_not_written_as_tsv(tmp_path, capsys):
    """``-o pairs.txt`` or ``-o pairs.docx`` names no output format: one error line listing
    the formats, exit 2, nothing written (it used to write TSV under that name)."""
    from conftest import one_error_line

    for name in ("pairs.txt", "pairs.docx", "pairs"):
        out = tmp_path / name
        assert main(["align", ZH, KO, "-o", str(out), "-q"]) == 2
        line = one_error_line(
            capsys.readouterr().err, name, "names no output format", "xliff (.xlf, .xliff)", "xlsx (.xlsx)", "moses"
        )
        assert line.startswith("bitext align: error: ")
        assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_every_listed_command_loads(capsys):
    # the parser skips a module of cli.COMMANDS that fails to import: each must import and add its subcommand
    import importlib

    import pytest

    from bitext.cli import COMMANDS

    for name in COMMANDS:
        assert callable(importlib.import_module(name).add_cli), name
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    listed = capsys.readouterr().out
    for command in ("align", "eval", "coverage", "batch", "review", "terms"):
        assert f"\n    {command} " in listed, command
    # the library modules hold no command line
    for lib in ("bitext.check.terms", "bitext.views.review"):
        assert not hasattr(importlib.import_module(lib), "add_cli"), lib


# -- outputs, terminals and summaries (issue #26) ----------------------------------------------------


def test_report_and_term_formats_follow_the_output_extension(tmp_path, capsys):
    """As in align: coverage -o report.html writes HTML, .json JSON, .txt text; terms .json JSON."""
    for name, opts, check in (
        ("report.html", [], lambda t: t.startswith("<!DOCTYPE html>") and "<svg" in t),
        ("report.HTM", [], lambda t: t.startswith("<!DOCTYPE html>")),
        ("report.json", [], lambda t: json.loads(t)["counts"]["added_sentences"] == 1),
        ("report.txt", [], lambda t: t.startswith("Coverage report")),
        ("other.html", ["--format", "text"], lambda t: t.startswith("Coverage report")),  # --format wins
    ):
        out = tmp_path / name
        assert main(["coverage", ZH, KO, "-o", str(out), "-q", *opts]) == 0
        assert check(out.read_text("utf-8")), name
    out = tmp_path / "terms.json"
    assert main(["terms", ZH, KO, "-o", str(out), "-q"]) == 0
    assert {"src", "tgt", "score"} <= set(json.loads(out.read_text("utf-8"))[0])


def _on_a_terminal(args):
    """``bitext ARGS`` with its standard output on a pseudo-terminal: (exit status, what the terminal got, stderr)."""
    import pty
    import threading

    leader, follower = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    got = []

    def drain():  # a terminal is read as it is written: a page would not fit its buffer
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the other end closed
                return
            if not chunk:
                return
            got.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    proc = subprocess.run(
        [sys.executable, "-m", "bitext.cli", *args], stdout=follower, stderr=subprocess.PIPE, env=env, timeout=300
    )
    os.close(follower)
    reader.join(10)
    os.close(leader)
    return proc.returncode, b"".join(got).decode("utf-8", "replace"), proc.stderr.decode("utf-8")


def test_review_refuses_to_print_its_page_to_a_terminal(tmp_path):
    code, shown, err = _on_a_terminal(["review", ZH, KO, "-q"])
    assert code == 2 and shown == ""
    one_error_line(err, "bitext review: error:", "-o review.html")
    # to a pipe it writes the page as before
    proc = run_cli("review", ZH, KO, "-q")
    assert proc.returncode == 0 and proc.stdout.startswith("<!DOCTYPE html>")


def test_align_says_what_it_wrote_unless_quiet(tmp_path, capsys):
    out = tmp_path / "pairs.tsv"
    assert main(["align", ZH, KO, "-o", str(out)]) == 0
    line = one_error_line(capsys.readouterr().err)
    from collections import Counter

    rows = [r.split("\t") for r in out.read_text("utf-8").splitlines()[1:]]
    kinds = Counter(f"{len(s.split(',')) if s else 0}-{len(t.split(',')) if t else 0}" for s, t, *_ in rows)
    assert kinds["0-1"] == 1 and kinds["1-1"] > 10  # the footnote, and mostly 1-1
    by_kind = ", ".join(f"{k}: {v}" for k, v in kinds.most_common())
    assert line == (
        f"bitext align: {len(rows)} beads ({by_kind}), coverage 100.0% (27/27 source sentences), written to {out}"
    )
    assert main(["align", ZH, KO, "-o", str(out), "-q"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["align", ZH, KO, "--format", "beads"]) == 0
    out_text, err = capsys.readouterr()
    assert out_text.startswith("[0]:[0]:") and one_error_line(err).endswith("written to standard output")


def test_review_takes_the_options_of_coverage_and_shows_the_same_findings(tmp_path, capsys):
    """--glossary, --consistency, --unmatched-z and --loo-gain: the page lists what the report lists."""
    g = tmp_path / "g.tsv"
    g.write_text("芯片\t반도체\n云计算\t클라우드컴퓨팅\n", "utf-8")
    opts = ["--glossary", str(g), "--consistency", "--unmatched-z", "off", "--loo-gain", "0.05", "-q"]
    report = tmp_path / "report.json"
    page = tmp_path / "review.html"
    assert main(["coverage", ZH, KO, "-o", str(report), *opts]) == 0
    assert main(["review", ZH, KO, "-o", str(page), *opts]) == 0
    d = json.loads(report.read_text("utf-8"))
    html = page.read_text("utf-8")
    assert [m["term"] for m in d["term_misses"]] == ["芯片"] and d["inconsistent_terms"]
    data = json.loads(re.search(r'id="bitext-data">(.*?)</script>', html, re.S).group(1))
    assert [b["status"] for b in data["beads"]] == [b["status"] for b in d["beads"]]
    findings = html.split('<details class="findings"', 1)[1].split("</details>", 1)[0]
    assert findings.count('class="f-term"') == len(d["term_misses"])
    assert findings.count('class="f-inconsistent"') == len(d["inconsistent_terms"])
    assert "glossary term 芯片: expected 반도체" in findings
