"""Documents in: the seed editorial as DOCX, HTML, Markdown, subtitles, EPUB and PDF gives the text,
and so the beads, of the plain text; bad files get one error line and nothing is written.

The files are built from the seed with the libraries made for each format (tests/formats_build.py).
"""

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS, one_error_line
from formats_build import seed_paragraphs, write_docx, write_epub, write_html, write_markdown, write_srt, write_vtt

import bitext
from bitext.cli import main
from bitext.formats.document import MissingExtra
from bitext.formats.registry import read_document
from bitext.text.read import InputError

ZH = SEEDS / "global-times-editorial.zh.txt"
KO = SEEDS / "global-times-editorial.ko.txt"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    d = tmp_path_factory.mktemp("formats")
    zh, ko = seed_paragraphs("zh"), seed_paragraphs("ko")
    return {
        "zh": zh,
        "ko": ko,
        "docx": (write_docx(zh, d / "zh.docx", box=True, footnote=True), write_docx(ko, d / "ko.docx")),
        "html": (write_html(zh, d / "zh.html"), write_html(ko, d / "ko.html")),
        "md": (write_markdown(zh, d / "zh.md"), write_markdown(ko, d / "ko.md")),
        "srt": (write_srt(zh, d / "zh.srt"), write_srt(ko, d / "ko.srt")),
        "vtt": (write_vtt(zh, d / "zh.vtt"), write_vtt(ko, d / "ko.vtt")),
        "epub": (write_epub(zh, d / "zh.epub", "zh"), write_epub(ko, d / "ko.epub", "ko")),
    }


@pytest.mark.parametrize("fmt", ["docx", "html", "md", "srt", "vtt", "epub"])
def test_each_format_reads_the_paragraphs_of_the_plain_text(built, fmt):
    for side, path in zip(("zh", "ko"), built[fmt]):
        doc = read_document(path)
        assert doc.format == fmt
        assert [p.text for p in doc.paragraphs] == built[side], (fmt, side)
        assert doc.text == "\n".join(built[side])


def test_docx_reading_order_and_positions(built):
    """Heading, split runs joined, the table cell in its place, the empty paragraph skipped, the text
    box once (not its VML copy too), the footnote after the body; each paragraph knows its number and kind."""
    doc = read_document(built["docx"][0])
    where = [p.where for p in doc.paragraphs]
    assert where[0] == {"paragraph": 1, "kind": "heading"}
    assert where[1] == {"paragraph": 2}
    assert where[2] == {"paragraph": 3, "kind": "table cell"}
    assert where[-2] == {"paragraph": len(where) - 1, "kind": "text box"}
    assert where[-1] == {"paragraph": len(where), "kind": "footnote"}
    assert sum(p.text == built["zh"][-2] for p in doc.paragraphs) == 1


def test_html_leaves_out_script_style_navigation_and_footer(built):
    doc = read_document(built["html"][0])
    text = doc.text
    for gone in ("不应出现", "脚本", "首页", "版权所有", "环球时报网", "margin"):
        assert gone not in text
    assert doc.paragraphs[0].where == {"paragraph": 1, "kind": "heading"}


def test_markdown_leaves_out_code_and_keeps_lines(built):
    doc = read_document(built["md"][1])
    assert "print" not in doc.text and "代码" not in doc.text
    assert doc.paragraphs[0].where == {"paragraph": 1, "line": 1, "kind": "heading"}
    assert [p.where["line"] for p in doc.paragraphs[:3]] == [1, 3, 5]


def test_subtitles_keep_each_cue_timing(built):
    srt_doc, vtt_doc = read_document(built["srt"][1]), read_document(built["vtt"][1])
    assert srt_doc.paragraphs[2].where == {"cue": 3, "id": "3", "start": "00:00:08,000", "end": "00:00:11,500"}
    assert vtt_doc.paragraphs[2].where == {"cue": 3, "start": "00:00:08.000", "end": "00:00:11.500"}


def test_epub_chapters_in_spine_order(built):
    doc = read_document(built["epub"][0])
    chapters = [p.where["chapter"] for p in doc.paragraphs]
    assert chapters == sorted(chapters) and set(chapters) == {1, 2}
    assert doc.paragraphs[0].where["file"] == "z1.xhtml"  # the spine's first, though it sorts last by name


@pytest.mark.parametrize("fmt", ["docx", "html", "md"])
def test_documents_give_the_beads_of_the_plain_text(built, embedder, editorial_alignment, fmt):
    """The done criterion: the same beads and texts as the plain text."""
    zh, ko = (read_document(p) for p in built[fmt])
    a = bitext.align(zh, ko, model=embedder)
    plain = editorial_alignment
    assert [(b.src_ids, b.tgt_ids, b.src, b.tgt) for b in a] == [(b.src_ids, b.tgt_ids, b.src, b.tgt) for b in plain]
    assert a.src_doc is zh and a.tgt_doc is ko


def test_cli_aligns_documents_and_xliff_carries_the_cue_timing(built, tmp_path):
    zh, ko = built["srt"]
    out = tmp_path / "subs.xlf"
    assert main(["align", str(zh), str(ko), "-o", str(out), "-q"]) == 0
    units = bitext.formats.registry.read_units(out).units
    first = units[0].where
    assert first["src_cue"] == "1" and first["src_start"] == "00:00:00,000" and first["tgt_end"] == "00:00:03,500"
    from lxml import etree

    notes = etree.parse(str(out)).getroot().iter("{urn:oasis:names:tc:xliff:document:1.2}note")
    assert "source: cue 1 (00:00:00,000 --> 00:00:03,500)" in [n.text for n in notes]
    from test_formats_out import XSD, _schema

    if XSD.exists():  # the positions' contexts keep it valid XLIFF 1.2 (strict)
        schema = _schema()
        assert schema.validate(etree.parse(str(out))), schema.error_log


def test_plain_text_is_read_as_ever(editorial):
    doc = read_document(ZH)
    assert doc.format == "txt" and doc.text == editorial[0]
    assert doc.paragraphs[1].where == {"paragraph": 2, "line": 2}


def test_format_by_content_when_the_extension_says_nothing(built, tmp_path):
    for fmt in ("docx", "html", "epub", "vtt", "srt"):
        plain = tmp_path / f"file-{fmt}.dat"
        shutil.copy(built[fmt][1], plain)
        assert read_document(plain).format == fmt


# --- PDF -------------------------------------------------------------------------------------------


def _chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None, reason="no chromium to print a PDF (apt-get install chromium)")
def test_pdf_with_a_text_layer_is_read_with_a_warning(built, tmp_path):
    pdf = tmp_path / "ko.pdf"
    r = subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--print-to-pdf={pdf}",
            built["html"][1].as_uri(),
        ],
        capture_output=True,
        timeout=120,
    )
    assert pdf.exists(), r.stderr[-2000:]
    doc = read_document(pdf)
    assert doc.format == "pdf" and doc.warnings and "layout" in doc.warnings[0]
    assert all(p.where["page"] >= 1 for p in doc.paragraphs)
    flat = "".join(doc.text.split())  # PDF text comes with spaces where the glyph runs change
    found = [x for x in built["ko"] if "".join(x.split()) in flat]
    assert len(found) >= len(built["ko"]) - 2, doc.text[:500]  # whole paragraphs survive the page layout
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "bitext.cli",
            "align",
            str(pdf),
            str(KO),
            "-o",
            str(tmp_path / "p.tsv"),
            "-q",
            "--tgt-lang",
            "ko",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=_env(),
    )
    assert r.returncode == 0, r.stderr
    assert "warning" in r.stderr and "layout" in r.stderr


@pytest.mark.skipif(_chromium() is None, reason="no chromium to print a PDF (apt-get install chromium)")
def test_chinese_pdf_reads_as_the_text_without_stray_spaces(built, tmp_path):
    """pypdf puts spaces where the glyph runs change (社评 : 中国 AI“ 拥抱开源 ”) and gives radical forms
    for some characters (网⺠): every paragraph of the seed comes back as it is."""
    d = tmp_path / "zh"
    d.mkdir()
    page = write_html(built["zh"], d / "zh.html")
    pdf = d / "zh.pdf"
    subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={d / 'profile'}",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
    )
    texts = [p.text for p in read_document(pdf).paragraphs]
    assert [x for x in built["zh"] if x not in texts] == []


def _env():
    import os

    return dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))


def test_pdf_without_a_text_layer_is_refused(tmp_path, capsys):
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(595, 842)
    scan = tmp_path / "scan.pdf"
    with open(scan, "wb") as f:
        w.write(f)
    out = tmp_path / "o.tsv"
    assert main(["align", str(scan), str(KO), "-o", str(out), "-q"]) == 2
    one_error_line(capsys.readouterr().err, "scan.pdf", "no text layer", "run OCR first")
    assert not out.exists()


def test_encrypted_pdf_is_refused(tmp_path):
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(595, 842)
    w.encrypt(user_password="secret", algorithm="RC4-128")
    locked = tmp_path / "locked.pdf"
    with open(locked, "wb") as f:
        w.write(f)
    with pytest.raises(InputError, match="encrypted PDF"):
        read_document(locked)


# --- bad files ----------------------------------------------------------------------------------


def _zip(path: Path, members: dict, encrypted: bool = False) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    if encrypted:  # zipfile writes no encrypted zips: set the "encrypted" flag bit in both headers
        data = bytearray(path.read_bytes())
        for sig, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            i = data.find(sig)
            while i >= 0:
                data[i + at] |= 0x1
                i = data.find(sig, i + 4)
        path.write_bytes(bytes(data))
    return path


BAD = {
    "not-a-zip.docx": (
        lambda p: p.write_bytes(b"This is not a zip at all, only text named .docx\n" * 20),
        "not a DOCX file",
    ),
    "empty-zip.docx": (lambda p: _zip(p, {"hello.txt": "hi"}), "not a readable DOCX"),
    "not-a-zip.epub": (lambda p: p.write_bytes(b"\x00\x01 garbage" * 50), "not an EPUB file"),
    "no-spine.epub": (lambda p: _zip(p, {"mimetype": "application/epub+zip"}), "not a readable EPUB"),
    "password.docx": (lambda p: p.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 600), "encrypted"),
    "encrypted.docx": (lambda p: _zip(p, {"word/document.xml": "<x/>"}, encrypted=True), "encrypted DOCX"),
    "bomb.docx": (lambda p: _zip(p, {"word/document.xml": b"\x00" * (8 << 20)}), "zip bomb"),
    "damaged.pdf": (lambda p: p.write_bytes(b"%PDF-1.4\n%garbage that is no PDF\n" * 3), "not a readable PDF"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_documents_get_one_error_line_and_nothing_is_written(name, tmp_path, capsys):
    make, needle = BAD[name]
    bad = tmp_path / name
    make(bad)
    out = tmp_path / "pairs.tsv"
    assert main(["align", str(bad), str(KO), "-o", str(out), "-q"]) == 2
    line = one_error_line(capsys.readouterr().err, name, needle)
    assert line.startswith("bitext align: error: ")
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_a_zip_that_unpacks_too_far_is_refused(tmp_path, monkeypatch):
    from bitext.formats import zipped

    monkeypatch.setattr(zipped, "MAX_UNPACKED_BYTES", 1 << 20)
    big = _zip(tmp_path / "big.docx", {f"word/part{i}.xml": bytes(range(256)) * 1500 for i in range(4)})
    with pytest.raises(InputError, match="unpacks to"):
        read_document(big)


def test_a_bilingual_file_is_not_a_document(tmp_path, capsys):
    tmx = tmp_path / "m.tmx"
    tmx.write_text('<?xml version="1.0"?><tmx version="1.4"><header srclang="zh"/><body/></tmx>', "utf-8")
    assert main(["align", str(tmx), str(KO), "-q"]) == 2
    one_error_line(capsys.readouterr().err, "m.tmx", "not a document", "bitext coverage")


def test_a_missing_library_names_the_extra(built, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "docx", None)  # import docx now fails, as without python-docx
    with pytest.raises(MissingExtra, match=r"pip install 'bitext\[formats\]'"):
        read_document(built["docx"][0])
    assert main(["align", str(built["docx"][0]), str(KO), "-q"]) == 2
    one_error_line(capsys.readouterr().err, "zh.docx", "bitext[formats]")


def test_reading_text_loads_no_format_library():
    """Readers load lazily: the command line and a plain-text read import none of their libraries."""
    code = (
        "import sys, bitext, bitext.cli; bitext.cli.build_parser(); bitext.read_document(sys.argv[1]); "
        "import json; print(json.dumps(sorted(m for m in ('docx', 'lxml', 'openpyxl', 'pypdf', 'ebooklib', "
        "'translate', 'markdown_it', 'srt', 'webvtt', 'bs4') if m in sys.modules)))"
    )
    r = subprocess.run([sys.executable, "-c", code, str(ZH)], capture_output=True, text=True, env=_env(), timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == []


def test_batch_reads_documents_and_writes_xliff_and_xlsx(built, tmp_path, capsys):
    """bitext batch takes documents too, writes one XLIFF (or XLSX) a pair, and read_batch reads them back."""
    from bitext.views.readback import read_batch

    manifest = tmp_path / "pairs.tsv"
    manifest.write_text(
        "".join(f"{fmt}\t{built[fmt][0]}\t{built[fmt][1]}\n" for fmt in ("docx", "html", "md")), "utf-8"
    )
    for fmt, ext in (("xliff", "xliff"), ("xlsx", "xlsx")):
        out = tmp_path / f"out-{fmt}"
        assert main(["batch", str(manifest), "-o", str(out), "--format", fmt, "-q"]) == 0, capsys.readouterr().err
        assert sorted(p.name for p in out.iterdir() if p.suffix == f".{ext}") == [
            f"{x}.{ext}" for x in ("docx", "html", "md")
        ]
        docs, skipped = read_batch(out)
        assert skipped == [] and sorted(docs) == ["docx", "html", "md"]
        first = [(b.src_ids, b.tgt_ids, b.src, b.tgt) for b in docs["docx"]]
        assert first == [(b.src_ids, b.tgt_ids, b.src, b.tgt) for b in docs["md"]] and len(first) > 20
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "out-xlsx" / "html.xlsx")["beads"]
    status = [row[5] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert status.count("ok") > 20 and "addition" in status  # each bead's coverage status


@pytest.mark.parametrize("fmt", ["docx", "srt"])
@pytest.mark.parametrize("out_ext", ["jsonl", "tmx"])
def test_jsonl_and_tmx_carry_where_each_bead_sits(built, editorial_alignment, tmp_path, fmt, out_ext):
    """Each bead's first sentence on each side: its DOCX paragraph (and kind), its SRT cue and timing,
    as the documents give them; read back with the units."""
    zh, ko = built[fmt]
    out = tmp_path / f"pairs.{out_ext}"
    assert main(["align", str(zh), str(ko), "-o", str(out), "-q"]) == 0
    docs = {"src": read_document(zh), "tgt": read_document(ko)}
    plain = editorial_alignment  # the same beads (test_documents_give_the_beads_of_the_plain_text)
    sents = {"src": plain.src_sentences, "tgt": plain.tgt_sentences}
    units = bitext.formats.registry.read_units(out).units
    beads = [b for b in plain if b.src_ids and b.tgt_ids] if out_ext == "tmx" else list(plain)
    assert [(u.where["src_ids"], u.where["tgt_ids"]) for u in units] == [(b.src_ids, b.tgt_ids) for b in beads]
    cues = set()
    for u, b in zip(units, beads):
        for side, ids in (("src", b.src_ids), ("tgt", b.tgt_ids)):
            if not ids:
                assert not any(k.startswith(side + "_") and k != f"{side}_ids" for k in u.where)
                continue
            par = docs[side].paragraphs[sents[side][ids[0]].paragraph]
            got = {k[len(side) + 1 :]: v for k, v in u.where.items() if k.startswith(side + "_") and k != f"{side}_ids"}
            assert {k: str(v) for k, v in got.items()} == {k: str(v) for k, v in par.where.items()}
            if fmt == "srt":
                n = int(got["cue"])
                assert got["start"] == f"00:{4 * (n - 1) // 60:02d}:{4 * (n - 1) % 60:02d},000"
                cues.add(n)
            else:
                assert int(got["paragraph"]) == sents[side][ids[0]].paragraph + 1
    if fmt == "srt":
        assert len(cues) > 10  # beads start in many cues, not all in the first
    if out_ext == "jsonl":  # JSON keeps the numbers as numbers
        first = json.loads(out.read_text("utf-8").split("\n")[1])
        assert first["src_position"]["paragraph" if fmt == "docx" else "cue"] == 1
    else:
        assert '<prop type="x-bitext-src-paragraph">1</prop>' in out.read_text("utf-8") or fmt == "srt"
