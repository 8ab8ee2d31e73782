"""Take the screenshots of the README and the docs: the coverage report and the review page
of the seed editorial, in headless Chromium (Debian's ``chromium``, driven by playwright).

    python docs/screenshots.py          # writes docs/img/coverage-html.png and docs/img/review.png

Needs the test extra (playwright) and ``apt-get install -y chromium fonts-noto-cjk``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "docs" / "img"
ZH = ROOT / "seeds" / "global-times-editorial.zh.txt"
KO = ROOT / "seeds" / "global-times-editorial.ko.txt"


def main() -> int:
    from playwright.sync_api import sync_playwright

    from bitext.cli import main as bitext

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("no chromium on PATH: apt-get install -y chromium fonts-noto-cjk", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        report, review = Path(tmp) / "report.html", Path(tmp) / "review.html"
        assert bitext(["coverage", str(ZH), str(KO), "-o", str(report), "-q"]) == 0
        assert bitext(["review", str(ZH), str(KO), "-o", str(review), "-q"]) == 0
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1200, "height": 1300})
            page.goto(report.as_uri())
            page.screenshot(path=str(IMG / "coverage-html.png"))
            page = browser.new_page(viewport={"width": 1280, "height": 1250})
            page.goto(review.as_uri())
            page.wait_for_selector("#beads.complete")
            page.keyboard.press("m")  # the title and the first sentence: one bead, edited by hand
            page.keyboard.press("a")  # approved, and on to the next bead
            page.keyboard.press("c")
            page.keyboard.type("OpenAI CEO: 올트먼 (표기 확인)")
            page.keyboard.press("Enter")
            page.keyboard.press("j")
            page.keyboard.press("}")  # the last target sentence of (3)-(3,4) to the next bead
            page.keyboard.press("j")
            page.keyboard.press("j")
            page.keyboard.press("j")
            page.keyboard.press("j")  # the suspect pair, current
            # the findings, the bar and the first beads, the suspect pair current with its buttons
            page.evaluate("window.scrollTo(0, document.querySelector('.findings').getBoundingClientRect().top"
                          " + window.scrollY - 8)")
            page.screenshot(path=str(IMG / "review.png"))
            browser.close()
    print(f"wrote {IMG / 'coverage-html.png'} and {IMG / 'review.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
