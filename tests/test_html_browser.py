"""The HTML coverage report in a real browser: headless Chromium renders the seed's
report; the screenshot has the window's size and is not blank, and the DOM holds one
table row a bead.

Skipped when no Chromium binary is found (``apt-get install -y chromium
fonts-noto-cjk`` on Debian/Ubuntu).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest

import bitext
from bitext.check.coverage import coverage

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
WIDTH, HEIGHT = 1400, 2000


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    for path in ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium"):
        if os.access(path, os.X_OK):
            return path
    return None


CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium binary on PATH (apt-get install -y chromium fonts-noto-cjk)"
)


def chromium(*args: str, profile: Path, timeout: int = 90) -> subprocess.CompletedProcess:
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, timeout=timeout)


def read_png(path: Path) -> np.ndarray:
    """Decode an 8-bit RGB/RGBA PNG into an (h, w, channels) uint8 array (stdlib zlib + numpy)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        tag = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if tag == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif tag == b"IDAT":
            idat.append(body)
        elif tag == b"IEND":
            break
        pos += 12 + length
    w, h, depth, ctype, _, _, interlace = ihdr
    assert depth == 8 and ctype in (2, 6) and interlace == 0, ihdr
    bpp = 3 if ctype == 2 else 4
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), np.uint8).reshape(h, 1 + w * bpp)
    out = np.zeros((h, w * bpp), np.uint8)
    prev = np.zeros(w * bpp, np.int32)
    for y in range(h):
        f, line = raw[y, 0], raw[y, 1:].astype(np.int32)
        if f == 0:
            cur = line
        elif f == 1:  # Sub: running sum per channel
            cur = np.cumsum(line.reshape(w, bpp), axis=0).reshape(-1) % 256
        elif f == 2:  # Up
            cur = (line + prev) % 256
        else:  # Average, Paeth: byte by byte
            cur = np.zeros_like(line)
            for x in range(w * bpp):
                a = cur[x - bpp] if x >= bpp else 0
                b = prev[x]
                if f == 3:
                    cur[x] = (line[x] + (a + b) // 2) % 256
                else:
                    c = prev[x - bpp] if x >= bpp else 0
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                    cur[x] = (line[x] + pred) % 256
        out[y] = cur
        prev = cur.astype(np.int32)
    return out.reshape(h, w, bpp)


def load_png(path: Path) -> np.ndarray:
    try:
        import matplotlib.image as mpimg
    except ImportError:
        return read_png(path)
    img = mpimg.imread(str(path))
    return np.round(img * 255).astype(np.uint8) if img.dtype != np.uint8 else img


def test_png_reader_roundtrip(tmp_path):
    """The stdlib decoder reads what bitext.views.report.png_bytes writes."""
    from bitext.views.report import png_bytes

    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (7, 5, 3), dtype=np.uint8)
    p = tmp_path / "x.png"
    p.write_bytes(png_bytes(img))
    assert np.array_equal(read_png(p), img)


@pytest.fixture(scope="module")
def seed_page(tmp_path_factory):
    from bitext.embed import load_model

    zh = (SEEDS / "global-times-editorial.zh.txt").read_text("utf-8")
    ko = (SEEDS / "global-times-editorial.ko.txt").read_text("utf-8")
    a = bitext.align(zh, ko, "zh", "ko", model=load_model(None))
    report = coverage(a)
    d = tmp_path_factory.mktemp("html")
    page = d / "report.html"
    page.write_text(report.to_html(), "utf-8")
    return page, report, d


def test_screenshot_is_rendered(seed_page):
    page, report, d = seed_page
    png = d / "shot.png"
    r = chromium(f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={png}", page.as_uri(), profile=d / "profile1")
    assert png.exists(), r.stderr.decode(errors="replace")[-2000:]
    img = load_png(png)  # matplotlib when installed (fast), else the stdlib reader
    assert img.shape[:2] == (HEIGHT, WIDTH)
    rgb = img[..., :3].reshape(-1, 3)
    colours = np.unique(rgb[::7], axis=0)
    assert len(colours) > 200, len(colours)  # text, heatmap, status colours
    non_white = (rgb < 245).any(axis=1).mean()
    assert non_white > 0.05, non_white
    # the heatmap's dark blue (similar sentences on the alignment path) is on screen
    blue = ((rgb[:, 2] > 90) & (rgb[:, 0] < 40) & (rgb[:, 1] < 110)).sum()
    assert blue > 200, blue


def test_dom_has_one_row_a_bead(seed_page):
    page, report, d = seed_page
    r = chromium("--dump-dom", page.as_uri(), profile=d / "profile2")
    dom = r.stdout.decode("utf-8", errors="replace")
    assert "<svg" in dom, r.stderr.decode(errors="replace")[-2000:]
    assert dom.count('<tr id="b') == len(report.alignment.beads)
    assert "* 垓字" in dom
    assert dom.count('class="s-addition"') >= 1


@pytest.mark.parametrize("what", ["alignment", "report"])
def test_repr_html_renders(seed_page, what):
    """What a notebook shows for an Alignment and a report: the first 20 beads, a note of the rest."""
    page, report, d = seed_page
    obj = report.alignment if what == "alignment" else report
    frag = d / f"repr-{what}.html"
    frag.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>' + obj._repr_html_() + "</body></html>", "utf-8"
    )
    r = chromium("--dump-dom", frag.as_uri(), profile=d / f"profile-{what}")
    dom = r.stdout.decode("utf-8", errors="replace")
    assert 'class="bitext-beads"' in dom, r.stderr.decode(errors="replace")[-2000:]
    assert dom.count('<tr class="s-') == 20
    assert f"{len(report.alignment.beads) - 20} more beads not shown" in dom
    png = d / f"repr-{what}.png"
    chromium("--window-size=1200,900", f"--screenshot={png}", frag.as_uri(), profile=d / f"profile-{what}-shot")
    rgb = load_png(png)[..., :3].reshape(-1, 3)
    green = ((rgb[:, 1] > 100) & (rgb[:, 0] < 80) & (rgb[:, 2] < 80)).sum()  # the "ok" status colour
    assert green > 100, green


def test_glossary_status_renders(tmp_path):
    """A bead whose glossary term is not rendered gets the status "term": its row, colour and
    finding are in the rendered DOM, and the page still draws (screenshot not blank)."""
    from bitext.check.glossary import Glossary
    from bitext.embed import load_model
    from bitext.views.report import STATUS_COLOURS

    zh = (SEEDS / "global-times-editorial.zh.txt").read_text("utf-8")
    ko = (SEEDS / "global-times-editorial.ko.txt").read_text("utf-8")
    model = load_model(None)
    a = bitext.align(zh, ko, "zh", "ko", model=model)
    report = coverage(a, glossary=Glossary.of({"芯片": "반도체"}), model=model)
    assert "term" in report.statuses
    page = tmp_path / "report.html"
    page.write_text(report.to_html(), "utf-8")
    r = chromium("--dump-dom", page.as_uri(), profile=tmp_path / "profile")
    dom = r.stdout.decode("utf-8", errors="replace")
    assert dom.count('class="s-term"') == report.statuses.count("term"), r.stderr.decode(errors="replace")[-2000:]
    assert "glossary term not rendered" in dom and "glossary term 芯片: expected 반도체" in dom
    assert f"border-left-color:{STATUS_COLOURS['term']}" in dom
    png = tmp_path / "shot.png"
    chromium(
        f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={png}", page.as_uri() + "#b12", profile=tmp_path / "profile2"
    )
    img = load_png(png)
    assert img.shape[:2] == (HEIGHT, WIDTH) and len(np.unique(img[..., :3].reshape(-1, 3)[::7], axis=0)) > 100
