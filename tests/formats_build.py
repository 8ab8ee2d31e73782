"""The seed editorial written in other formats, with the libraries made for them, for the format tests.

Each builder takes the seed's paragraphs (its non-empty lines) and writes a
file a person could have made: a Word file with a heading, runs split by
editing, a table cell, an empty paragraph, a text box and a footnote; a web
page with a script, a style, navigation and a footer; Markdown with its
special characters escaped and a code block; subtitles; an e-book.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from conftest import SEEDS

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def seed_paragraphs(lang: str) -> list[str]:
    text = (SEEDS / f"global-times-editorial.{lang}.txt").read_text("utf-8")
    return [line for line in text.split("\n") if line.strip()]


def _text_box_run(text: str):
    """A run holding a text box, as Word writes it: the DrawingML box and its VML copy (same text)."""
    from docx.oxml import parse_xml

    xml = f"""<w:r xmlns:w="{W}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
      xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
      xmlns:v="urn:schemas-microsoft-com:vml">
      <mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx><w:txbxContent>
        <w:p><w:r><w:t>{html.escape(text)}</w:t></w:r></w:p>
      </w:txbxContent></wps:txbx></wps:wsp></w:drawing></mc:Choice>
      <mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>
        <w:p><w:r><w:t>{html.escape(text)}</w:t></w:r></w:p>
      </w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"""
    return parse_xml(xml)


def _add_footnote(doc, paragraph, text: str) -> None:
    """A footnote referenced at the end of ``paragraph`` (python-docx has no API for them: the part by hand)."""
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml

    blob = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes xmlns:w="{W}">
<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {html.escape(text)}</w:t></w:r></w:p></w:footnote>
</w:footnotes>""".encode()
    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, blob, doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)
    paragraph._p.append(parse_xml(f'<w:r xmlns:w="{W}"><w:footnoteReference w:id="1"/></w:r>'))


def write_docx(paragraphs: list[str], path: Path, box: bool = False, footnote: bool = False) -> Path:
    """Paragraph 0 a heading, 1 in three runs (the middle one bold), 2 in a table cell, an empty
    paragraph after it, the rest plain. ``box``: the second to last paragraph goes in a text box
    anchored in the paragraph before it; ``footnote``: the last one becomes a footnote of the first body paragraph."""
    import docx

    d = docx.Document()
    d.add_heading(paragraphs[0], level=1)
    p = d.add_paragraph()
    text = paragraphs[1]
    a, b = len(text) // 3, 2 * len(text) // 3
    p.add_run(text[:a])
    p.add_run(text[a:b]).bold = True
    p.add_run(text[b:])
    first_body = p
    table = d.add_table(rows=1, cols=1)
    table.cell(0, 0).text = paragraphs[2]
    d.add_paragraph("")
    rest = list(paragraphs[3:])
    note = rest.pop() if footnote else None
    boxed = rest.pop() if box else None
    for x in rest:
        last = d.add_paragraph(x)
    if boxed is not None:
        last._p.append(_text_box_run(boxed))
    if note is not None:
        _add_footnote(d, first_body, note)
    d.save(path)
    return path


def write_html(paragraphs: list[str], path: Path) -> Path:
    body = "\n".join(f"<p>{html.escape(x)}</p>" for x in paragraphs[1:])
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(paragraphs[0])} | 环球时报网</title>
<style>p {{ margin: 1em; }}</style>
<script>window.analytics = "不应出现的文字";</script></head>
<body>
<nav><ul><li><a href="/">首页 홈</a></li><li><a href="/world">国际</a></li></ul></nav>
<article>
<h1>{html.escape(paragraphs[0])}</h1>
{body}
</article>
<footer><p>版权所有 © 2025 저작권</p></footer>
<script>document.write("脚本");</script>
</body></html>
"""
    path.write_text(page, "utf-8")
    return path


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def write_markdown(paragraphs: list[str], path: Path) -> Path:
    """A heading, the paragraphs with Markdown's special characters escaped, a code block."""

    def esc(s: str) -> str:
        s = _MD_SPECIAL.sub(r"\\\1", s)
        return re.sub(r"^(\d+)([.)])", r"\1\\\2", re.sub(r"^([-+])", r"\\\1", s))

    body = "\n\n".join(esc(x) for x in paragraphs[1:])
    path.write_text(f"# {esc(paragraphs[0])}\n\n{body}\n\n```python\nprint('代码')\n```\n", "utf-8")
    return path


def _stamp(seconds: float, sep: str) -> str:
    ms = int(round(seconds * 1000))
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"


def write_srt(paragraphs: list[str], path: Path) -> Path:
    import datetime

    import srt

    subs = [
        srt.Subtitle(i + 1, datetime.timedelta(seconds=4 * i), datetime.timedelta(seconds=4 * i + 3.5), x)
        for i, x in enumerate(paragraphs)
    ]
    path.write_text(srt.compose(subs), "utf-8")
    return path


def write_vtt(paragraphs: list[str], path: Path) -> Path:
    import webvtt

    vtt = webvtt.WebVTT()
    for i, x in enumerate(paragraphs):
        text = x.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")  # "-->" ends a cue: escaped
        vtt.captions.append(webvtt.Caption(_stamp(4 * i, "."), _stamp(4 * i + 3.5, "."), text))
    vtt.save(str(path))
    return path


def write_epub(paragraphs: list[str], path: Path, lang: str) -> Path:
    """Two chapters: the title and the first half, then the rest (spine order differs from file order)."""
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("seed-" + lang)
    book.set_title(paragraphs[0])
    book.set_language(lang)
    half = len(paragraphs) // 2
    parts = [
        (
            "z1.xhtml",
            f"<h1>{html.escape(paragraphs[0])}</h1>" + "".join(f"<p>{html.escape(x)}</p>" for x in paragraphs[1:half]),
        ),
        ("a2.xhtml", "".join(f"<p>{html.escape(x)}</p>" for x in paragraphs[half:])),
    ]
    chapters = []
    for n, (name, content) in enumerate(parts, start=1):
        c = epub.EpubHtml(title=f"{n}", file_name=name, lang=lang)
        c.content = f"<html><body>{content}</body></html>"
        book.add_item(c)
        chapters.append(c)
    book.toc = chapters
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *chapters]  # the navigation document first, as e-book tools write it
    epub.write_epub(str(path), book)
    return path
