"""A hostile user's trial (issue #26): data safety, and one line, never a traceback.

Each test is one reproduction of the trial, run on real files and the seed
editorial (as root, as the project runs: a read-only file must still be
refused). Subprocesses run where the case needs a real standard output (a
file opened for appending, a pipe that closes, a terminal) or a real
environment (PYTHONIOENCODING).
"""

import fcntl
import json
import os
import pty
import select
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS, one_error_line

import bitext
from bitext.cli import main

ZH = SEEDS / "global-times-editorial.zh.txt"
KO = SEEDS / "global-times-editorial.ko.txt"


def _env(**extra):
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + e.get("PYTHONPATH", "")
    e.update(extra)
    return e


def _cmd(*args):
    return [sys.executable, "-m", "bitext.cli", *map(str, args)]


def _sh(script: str, timeout=300, **env):
    """``script`` in bash, where ``$BITEXT`` stands for the command line of bitext."""
    return subprocess.run(
        ["bash", "-c", script.replace("$BITEXT", shlex.join(_cmd()))],
        capture_output=True,
        env=_env(**env),
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """The editorial's first paragraphs on each side: small, real, quick to align."""
    d = tmp_path_factory.mktemp("pair")
    zh = [l for l in ZH.read_text("utf-8").splitlines() if l.strip()][:4]
    ko = [l for l in KO.read_text("utf-8").splitlines() if l.strip()][:5]
    (d / "zh.txt").write_text("\n".join(zh) + "\n", "utf-8")
    (d / "ko.txt").write_text("\n".join(ko) + "\n", "utf-8")
    return d / "zh.txt", d / "ko.txt"


def _copy(pair, d: Path):
    d.mkdir(exist_ok=True)
    shutil.copy(pair[0], d / "zh.txt")
    shutil.copy(pair[1], d / "ko.txt")
    return d / "zh.txt", d / "ko.txt"


def _snapshot(d: Path) -> dict:
    return {
        p.name: (p.read_bytes() if p.is_file() and not p.is_symlink() else os.readlink(p) if p.is_symlink() else None)
        for p in d.iterdir()
    }


def _batch(d: Path, fmt="tsv"):
    """A manifest of one pair (a) in ``d`` and the folder a batch of it wrote."""
    (d / "m.tsv").write_text("a\tzh.txt\tko.txt\tzh\tko\n", "utf-8")
    out = d / "out"
    assert main(["batch", str(d / "m.tsv"), "-o", str(out), "-q", "--format", fmt]) == 0
    return d / "m.tsv", out


# --- data safety 1: every file a run reads is an input ---------------------------------------


def test_no_output_overwrites_a_glossary_fixed_file_or_batch_folder_file(pair, tmp_path, capsys):
    zh, ko = _copy(pair, tmp_path)
    glossary = tmp_path / "g.tsv"
    glossary.write_text("中国\t중국\tthe country\n人工智能\t인공지능\n", "utf-8")
    for command in ("coverage", "terms"):
        before = glossary.read_bytes()
        assert main([command, str(zh), str(ko), "--glossary", str(glossary), "-o", str(glossary), "-q"]) == 2
        one_error_line(capsys.readouterr().err, "g.tsv", "is an input of this run")
        assert glossary.read_bytes() == before
    glossary.chmod(0o444)  # root could write it; the input check comes first all the same
    assert main(["coverage", str(zh), str(ko), "--glossary", str(glossary), "-o", str(glossary), "-q"]) == 2
    one_error_line(capsys.readouterr().err, "is an input of this run")
    # --fixed: the beads a person approved
    fixed = tmp_path / "fixed.jsonl"
    assert main(["align", str(zh), str(ko), "-o", str(fixed), "--format", "jsonl", "-q"]) == 0
    before = fixed.read_bytes()
    assert main(["align", str(zh), str(ko), "--fixed", str(fixed), "-o", str(fixed), "-q"]) == 2
    one_error_line(capsys.readouterr().err, "fixed.jsonl", "is an input of this run")
    assert fixed.read_bytes() == before
    # terms --batch reads the folder's files: none of them is written, the summary included
    _, out = _batch(tmp_path)
    capsys.readouterr()
    before = _snapshot(out)
    for victim in ("summary.jsonl", "a.tsv"):
        assert main(["terms", "--batch", str(out), "-o", str(out / victim), "-q"]) == 2
        one_error_line(capsys.readouterr().err, victim, "is an input of this run")
    assert main(["terms", "--batch", str(out), "--glossary", str(glossary), "-o", str(glossary), "-q"]) == 2
    one_error_line(capsys.readouterr().err, "g.tsv", "is an input of this run")
    assert _snapshot(out) == before


# --- data safety 2: standard output onto an input ----------------------------------------------


# (`> zh.txt` empties the file before bitext starts: only >> and 1<> leave something to protect)
@pytest.mark.parametrize("redirect", [">> zh.txt", "-o - 1<> zh.txt", ">> link.txt", ">> hard.txt"])
def test_standard_output_onto_an_input_is_refused(pair, tmp_path, redirect):
    zh, ko = _copy(pair, tmp_path)
    (tmp_path / "link.txt").symlink_to("zh.txt")
    os.link(zh, tmp_path / "hard.txt")
    before = zh.read_bytes()
    r = _sh(f'cd "{tmp_path}" && $BITEXT align zh.txt ko.txt -q --no-cache {redirect}')
    assert r.returncode == 2
    one_error_line(r.stderr.decode(), "zh.txt", "input file is output file")
    assert zh.read_bytes() == before


# --- data safety 3: a user's file is never taken for a stale temporary ----------------------


def test_a_file_named_like_a_temporary_is_never_deleted(pair, tmp_path, capsys):
    zh, ko = _copy(pair, tmp_path)
    dead = subprocess.Popen(["true"])
    dead.wait()
    notes = [
        tmp_path / f".out.tsv.notes-2023.{dead.pid}.tmp",
        tmp_path / f".out.tsv.abcd1234.{dead.pid}.tmp",
        tmp_path / f".out.tsv.notes-2023.{dead.pid}.bitext.tmp",
    ]
    for n in notes:
        n.write_text("my notes\n", "utf-8")
    link = tmp_path / f".out.tsv.abcdefgh.{dead.pid}.bitext.tmp"  # named as ours, but a link: not ours
    link.symlink_to("zh.txt")
    assert main(["align", str(zh), str(ko), "-o", str(tmp_path / "out.tsv"), "-q"]) == 0
    assert all(n.read_text("utf-8") == "my notes\n" for n in notes)
    assert link.is_symlink()
    assert (tmp_path / "out.tsv").read_text("utf-8").startswith("src_ids\t")
    # the temporaries this run made are gone, each of them its own (O_EXCL), none left over
    ours = [p.name for p in tmp_path.iterdir() if p.name.endswith(".bitext.tmp") and p not in notes and p != link]
    assert ours == []


def test_batch_leaves_files_named_like_temporaries_alone(pair, tmp_path, capsys):
    _copy(pair, tmp_path)
    manifest, out = _batch(tmp_path)
    mine = out / ".a.tsv.draft.tmp"
    mine.write_text("draft\n", "utf-8")
    stale = out / ".a.tsv.k1ll3d00.1.bitext.tmp"  # a killed batch's (pid 1 lives: the folder's lock says it is stale)
    stale.write_text("half", "utf-8")
    assert main(["batch", str(manifest), "-o", str(out), "-q", "--force"]) == 0
    assert mine.read_text("utf-8") == "draft\n" and not stale.exists()


# --- data safety 4: no link is followed out of a batch folder ------------------------------------


@pytest.mark.parametrize("name", ["summary.jsonl", "a.tsv", ".bitext-batch.lock"])
def test_batch_follows_no_link_out_of_its_folder(pair, tmp_path, capsys, name):
    _copy(pair, tmp_path)
    (tmp_path / "m.tsv").write_text("a\tzh.txt\tko.txt\tzh\tko\n", "utf-8")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", "utf-8")
    victim.chmod(0o444)  # read-only: root could write it through the link
    out = tmp_path / "out"
    out.mkdir()
    (out / name).symlink_to("../victim.txt")
    for force in ([], ["--force"]):
        assert main(["batch", str(tmp_path / "m.tsv"), "-o", str(out), "-q", *force]) == 2
        one_error_line(capsys.readouterr().err, name, "symbolic link")
    assert victim.read_text("utf-8") == "precious\n"
    assert (out / name).is_symlink() and sorted(p.name for p in out.iterdir()) == [name]


def test_batch_refuses_a_fifo_in_its_folder(pair, tmp_path, capsys):
    _copy(pair, tmp_path)
    (tmp_path / "m.tsv").write_text("a\tzh.txt\tko.txt\tzh\tko\n", "utf-8")
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "summary.jsonl")  # appending to it would block
    assert main(["batch", str(tmp_path / "m.tsv"), "-o", str(out), "-q", "--force"]) == 2
    one_error_line(capsys.readouterr().err, "summary.jsonl", "not a regular file")


# --- data safety 5: a rerun checks the hash, not size and time -----------------------------------


def test_batch_realigns_an_input_edited_with_size_and_time_restored(pair, tmp_path, capsys):
    _copy(pair, tmp_path)
    manifest, out = _batch(tmp_path)
    ko = tmp_path / "ko.txt"
    st = ko.stat()
    text = ko.read_text("utf-8")
    edited = text.replace("중국", "한국", 1)  # sed -i s/중국/한국/: as many bytes
    assert edited != text and len(edited.encode()) == st.st_size
    ko.write_text(edited, "utf-8")
    os.utime(ko, ns=(st.st_atime_ns, st.st_mtime_ns))  # touch -r: the old time back
    assert (ko.stat().st_size, ko.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    assert main(["batch", str(manifest), "-o", str(out), "-q"]) == 0
    rec = json.loads((out / "summary.jsonl").read_text("utf-8").splitlines()[0])
    assert rec["status"] == "ok"  # aligned again, not "skipped"
    assert "한국" in (out / "a.tsv").read_text("utf-8").split("\n")[1]
    # and an input only touched (same bytes, new time) is still skipped
    os.utime(ko, ns=(time.time_ns(), time.time_ns()))
    assert main(["batch", str(manifest), "-o", str(out), "-q"]) == 0
    assert json.loads((out / "summary.jsonl").read_text("utf-8").splitlines()[0])["status"] == "skipped"


# --- data safety 6: a long output name ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a" * 245 + ".tsv", "가" * 80 + ".tsv"])  # 249 bytes; 244 bytes of UTF-8
def test_a_long_valid_output_name_is_written(pair, tmp_path, capsys, name):
    zh, ko = _copy(pair, tmp_path)
    out = tmp_path / name
    assert len(os.fsencode(name)) <= 255
    assert main(["align", str(zh), str(ko), "-o", str(out), "-q"]) == 0
    assert out.read_text("utf-8").startswith("src_ids\t")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


# --- one line, never a traceback ------------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["undefined", "base64", "rot13"])
def test_an_encoding_that_is_no_text_encoding_is_one_line(pair, capsys, codec):
    with pytest.raises(SystemExit) as e:
        main(["align", str(pair[0]), str(pair[1]), "--encoding", codec, "-q"])
    assert e.value.code == 2
    one_error_line(capsys.readouterr().err, "--encoding", codec)
    from bitext.text.read import InputError, read_text

    with pytest.raises(InputError, match=codec):
        read_text(pair[0], codec)


def test_standard_output_that_cannot_encode_the_text_gets_utf8(pair):
    r = subprocess.run(
        _cmd("align", *pair, "-q", "--no-cache"), capture_output=True, env=_env(PYTHONIOENCODING="ascii"), timeout=300
    )
    assert r.returncode == 0, r.stderr.decode()
    assert b"Traceback" not in r.stderr
    out = r.stdout.decode("utf-8")
    assert out.startswith("src_ids\t") and "中国" in out and "중국" in out


def test_a_binary_or_endless_manifest_stops_at_a_bound(pair, tmp_path, capsys, monkeypatch):
    zh, ko = _copy(pair, tmp_path)
    assert main(["batch", "/dev/zero", "-o", str(tmp_path / "out"), "-q"]) == 2
    one_error_line(capsys.readouterr().err, "/dev/zero:1", "NUL")
    r = _sh(f"cd \"{tmp_path}\" && $BITEXT batch <(yes $'a\\tzh.txt\\tko.txt') -o out -q", timeout=120)
    err = r.stderr.decode()
    assert r.returncode == 2 and "Traceback" not in err and "stopped reading after 1,000 problems" in err
    r = _sh(f'cd "{tmp_path}" && $BITEXT batch <(yes "# a comment") -o out -q', timeout=120)
    one_error_line(r.stderr.decode(), "split the manifest")
    assert r.returncode == 2
    # distinct, valid pairs without end: the bound on pairs (made small here)
    import bitext.batch.manifest

    monkeypatch.setattr(bitext.batch.manifest, "MAX_PAIRS", 50)
    (tmp_path / "big.tsv").write_text("".join(f"p{i}\tzh.txt\tko.txt\n" for i in range(60)), "utf-8")
    assert main(["batch", str(tmp_path / "big.tsv"), "-o", str(tmp_path / "out"), "-q"]) == 2
    one_error_line(capsys.readouterr().err, "big.tsv:51", "more than 50 pairs")
    assert not (tmp_path / "out").exists()


def _deep(n=100_000) -> str:
    return "[" * n + "]" * n


def test_json_nested_too_deep_or_ids_too_long_are_one_line(pair, tmp_path, capsys):
    zh, ko = _copy(pair, tmp_path)
    fixed = tmp_path / "fixed.jsonl"
    assert main(["align", str(zh), str(ko), "-o", str(fixed), "--format", "jsonl", "-q"]) == 0
    header = fixed.read_text("utf-8").splitlines()[0]
    for bad, why in (
        (_deep(), "nested too deep"),
        ('{"src_ids": [' + "9" * 5000 + '], "tgt_ids": [0], "approved": true}', "digits"),
    ):
        f = tmp_path / "bad.jsonl"
        f.write_text(header + "\n" + bad + "\n", "utf-8")
        assert main(["align", str(zh), str(ko), "--fixed", str(f), "-q"]) == 2
        one_error_line(capsys.readouterr().err, "bad.jsonl:2:", why)
        with pytest.raises(ValueError, match="bad.jsonl:2:"):
            bitext.align(zh.read_text("utf-8"), ko.read_text("utf-8"), fixed=f)
    # a summary line nested 100,000 deep: a rerun and terms --batch take it as a line not theirs
    manifest, out = _batch(tmp_path)
    with open(out / "summary.jsonl", "a", encoding="utf-8") as s:
        s.write(_deep() + "\n")
    capsys.readouterr()
    assert main(["batch", str(manifest), "-o", str(out), "-q"]) == 0
    assert "Traceback" not in capsys.readouterr().err
    with open(out / "summary.jsonl", "a", encoding="utf-8") as s:
        s.write(_deep() + "\n")
    assert main(["terms", "--batch", str(out), "-q", "-o", str(tmp_path / "terms.tsv")]) == 0
    assert (tmp_path / "terms.tsv").read_text("utf-8").startswith("#")


def test_a_nul_late_in_an_input_is_refused_naming_its_line(pair, tmp_path, capsys):
    zh, ko = _copy(pair, tmp_path)
    lines = KO.read_text("utf-8").splitlines() * 12  # past the first 64 KiB
    assert len("\n".join(lines).encode()) > 65536
    lines[-3] = lines[-3][:5] + "\x00" + lines[-3][5:]
    ko.write_text("\n".join(lines) + "\n", "utf-8")
    out = tmp_path / "out.tsv"
    assert main(["align", str(zh), str(ko), "-o", str(out), "-q"]) == 2
    one_error_line(capsys.readouterr().err, f"ko.txt:{len(lines) - 2}:", "NUL")
    assert not out.exists()


def test_cache_entries_that_are_fifos_are_misses(pair, tmp_path):
    cache = tmp_path / "cache"
    first = subprocess.run(
        _cmd("align", *pair, "-q"), capture_output=True, env=_env(BITEXT_CACHE_DIR=str(cache)), timeout=300
    )
    assert first.returncode == 0
    entries = [p for p in cache.rglob("*") if p.is_file()]
    assert any("split" in str(p) for p in entries)
    for p in entries:  # every entry, the splits among them
        p.unlink()
        os.mkfifo(p)
    again = subprocess.run(
        _cmd("align", *pair, "-q"), capture_output=True, env=_env(BITEXT_CACHE_DIR=str(cache)), timeout=120
    )
    assert again.returncode == 0 and again.stdout == first.stdout
    assert b"Traceback" not in again.stderr


def test_the_cache_key_tells_where_a_nul_sits(tmp_path):
    import numpy as np

    from bitext.embed.cache import DiskCache

    c = DiskCache(tmp_path, "model")
    assert c._key("split", ["a\x00", "b"]) != c._key("split", ["a", "\x00b"])
    assert c._key("split", ["a", "b"]) != c._key("split", ["a\x00b"])
    c.put("split", ["a\x00", "b"], {"x": np.zeros(2, np.float32)})
    assert c.get("split", ["a", "\x00b"]) is None
    assert c.get("split", ["a\x00", "b"])["x"].shape == (2,)


def test_unpunctuated_korean_is_cut_in_near_linear_work(monkeypatch):
    """The optional cuts of a long Korean line without full stops: the same
    cuts as checking every sentence against every end, with mecab given
    chunks of bounded length (its cost is quadratic in the length it reads;
    bench/memory.py --modes cuts measures time and memory)."""
    from bitext.text import ko_endings, optional_cuts
    from bitext.text.segment import split

    body = " ".join(l.replace(".", "").strip() for l in KO.read_text("utf-8").splitlines() if l.strip())
    text = " ".join([body] * 20)  # one line of some 57,000 characters
    assert optional_cuts.needs_cuts(text, "ko")
    analyse = ko_endings._analyser()
    if analyse is None:
        pytest.skip("python-mecab-ko is not installed")
    read = []

    def recording(t):
        read.append(len(t))
        return analyse(t)

    ko_endings._ends.cache_clear()
    monkeypatch.setattr(ko_endings, "_analyser", lambda: recording)
    sents = split(text, "ko", workers=1)
    read.clear()
    ko_endings._ends.cache_clear()
    got = optional_cuts._inner_cuts(text, sents, "ko")
    assert read and max(read) <= 2000 and sum(read) > 2000
    ends = [(e, optional_cuts._CUT_WEIGHT.get(s, 0.0)) for e, s in ko_endings.sentence_ends(text)]
    assert got == [[(e, w) for e, w in ends if w and s.start < e < s.end] for s in sents]
    assert sum(map(len, got)) > 100


def test_a_reader_that_closes_standard_output_early_is_exit_2(tmp_path):
    zh = (ZH.read_text("utf-8").strip() + "\n") * 12
    ko = (KO.read_text("utf-8").strip() + "\n") * 12
    (tmp_path / "zh12.txt").write_text(zh, "utf-8")
    (tmp_path / "ko12.txt").write_text(ko, "utf-8")
    r = _sh(
        f'cd "{tmp_path}" && $BITEXT align zh12.txt ko12.txt -q -o full.tsv && wc -c < full.tsv && '
        '$BITEXT align zh12.txt ko12.txt -q | head -c 10 > /dev/null; echo "exit ${PIPESTATUS[0]}" >&2',
        timeout=600,
        BITEXT_CACHE_DIR=str(tmp_path / "cache"),
    )
    assert int(r.stdout.decode().split()[0]) > 100_000  # far more than a pipe holds
    lines = r.stderr.decode().strip().splitlines()
    assert lines[-1] == "exit 2", lines
    one_error_line("\n".join(lines[:-1]), "standard output", "Broken pipe")


def test_control_characters_in_file_names_are_escaped(pair, tmp_path, capsys):
    evil = tmp_path / "zh\x1b]0;pwned\x07\n.txt"
    evil.write_text("", "utf-8")
    assert main(["align", str(evil), str(pair[1]), "-q"]) == 2
    err = capsys.readouterr().err
    line = one_error_line(err, "file is empty")
    assert "\x1b" not in err and "\x07" not in err and "zh\\x1b]0;pwned\\x07\\n.txt" in line
    manifest = tmp_path / "m\x1b[31m.tsv"
    manifest.write_text("a b\n", "utf-8")
    assert main(["batch", str(manifest), "-o", str(tmp_path / "out"), "-q"]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "m\\x1b[31m.tsv:1" in err


def test_terms_batch_reads_no_file_outside_its_folder(pair, tmp_path, capsys, monkeypatch):
    import bitext.views.readback

    _copy(pair, tmp_path)
    _, out = _batch(tmp_path)
    rec = json.loads((out / "summary.jsonl").read_text("utf-8").splitlines()[0])
    secret = tmp_path / "secret.tsv"  # a bitext TSV outside the folder, named by an id batch refuses
    secret.write_text("src_ids\ttgt_ids\tscore\tsrc\ttgt\n0\t0\t0.9\t秘密武器的名字。\t비밀 무기의 이름.\n", "utf-8")
    with open(out / "summary.jsonl", "a", encoding="utf-8") as s:
        s.write(json.dumps({**rec, "id": "../secret"}) + "\n")
    read, real = [], bitext.views.readback.read_beads
    monkeypatch.setattr(
        bitext.views.readback, "read_beads", lambda path, *a, **k: read.append(Path(path)) or real(path, *a, **k)
    )
    capsys.readouterr()
    assert main(["terms", "--batch", str(out), "-q", "-o", str(tmp_path / "terms.json"), "--format", "json"]) == 0
    err = capsys.readouterr().err
    one_error_line(err, "warning", "'../secret'", "not an output of bitext batch")
    assert read == [out / "a.tsv"]
    assert "秘密" not in (tmp_path / "terms.json").read_text("utf-8")


def test_batch_reports_read_no_file_outside_the_folder(tmp_path):
    from bitext.views.frames import batch_reports

    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "secret.coverage.json").write_text('{"secret": true}', "utf-8")
    (out / "a.coverage.json").write_text('{"coverage": 1.0}', "utf-8")
    (out / "summary.jsonl").write_text(
        json.dumps({"id": "a", "status": "ok"}) + "\n" + json.dumps({"id": "../secret", "status": "ok"}) + "\n", "utf-8"
    )
    assert batch_reports(out) == {"a": {"coverage": 1.0}}


def test_terms_batch_on_beads_of_the_wrong_type_is_one_line(pair, tmp_path, capsys):
    _copy(pair, tmp_path)
    _, out = _batch(tmp_path, fmt="jsonl")
    lines = (out / "a.jsonl").read_text("utf-8").splitlines()
    bead = json.loads(lines[1])
    lines[1] = json.dumps({**bead, "src": 5})
    (out / "a.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    capsys.readouterr()
    assert main(["terms", "--batch", str(out), "-q"]) == 2
    one_error_line(capsys.readouterr().err, "a.jsonl:2:", "not a bitext JSON Lines bead")


def test_eval_on_a_device_or_a_huge_id_is_one_line_naming_the_file(pair, tmp_path, capsys):
    beads = tmp_path / "t.beads"
    beads.write_text("[0]:[0]\n[1]:[1,2]\n", "utf-8")
    assert main(["eval", "/dev/zero", str(beads)]) == 2
    one_error_line(capsys.readouterr().err, "/dev/zero", "NUL")
    huge = tmp_path / "huge.beads"
    huge.write_text("[0]:[0]\n[" + "9" * 5000 + "]:[1]\n", "utf-8")
    assert main(["eval", str(huge), str(beads)]) == 2
    one_error_line(capsys.readouterr().err, "huge.beads:2:", "5,000 digits")


def test_the_python_api_names_the_argument(pair, tmp_path, editorial):
    zh, ko = editorial
    for call, kind, msg in [
        (lambda: bitext.align("", ""), ValueError, "src is empty"),
        (lambda: bitext.align(zh, " \n"), ValueError, "tgt is empty"),
        (lambda: bitext.split(""), ValueError, "text is empty"),
        (lambda: bitext.split(None), TypeError, "text must be a str"),
        (
            lambda: bitext.align(zh[:50] + "\ud800" + zh[50:], ko),
            ValueError,
            r"src holds a lone surrogate \(U\+D800\) at offset 50",
        ),
        (lambda: bitext.align(zh, ["한국.", "\udcff"]), ValueError, r"tgt\[1\] holds a lone surrogate"),
        (lambda: bitext.split("中国\udc80。"), ValueError, "lone surrogate"),
        (lambda: bitext.coverage_report(None), TypeError, "alignment must be an Alignment"),
    ]:
        with pytest.raises(kind, match=msg):
            call()
    deep = tmp_path / "deep.jsonl"
    deep.write_text('{"bitext": "0.1.0", "src_sha256": "x"}\n' + _deep() + "\n", "utf-8")
    with pytest.raises(ValueError, match="deep.jsonl:2: .*nested too deep"):
        bitext.align(zh, ko, fixed=deep)


def test_terms_refuses_a_min_score_out_of_range(editorial_alignment):
    with pytest.raises(ValueError, match="min_score must be between 0 and 1, got 5"):
        bitext.terms(editorial_alignment, min_score=5)
    with pytest.raises(TypeError, match="min_score"):
        bitext.terms(editorial_alignment, min_score="0.5")
    with pytest.raises(TypeError, match="alignments"):
        bitext.terms(None)


def _on_a_terminal(args, timeout=300) -> bytes:
    """What ``bitext args`` writes to standard output when it is a terminal."""
    master, slave = pty.openpty()
    p = subprocess.Popen(_cmd(*args), stdout=slave, stderr=subprocess.PIPE, env=_env())
    os.close(slave)
    out, end = b"", time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([master], [], [], 1)
        if r:
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:  # the other side closed
                break
            if not chunk:
                break
            out += chunk
        elif p.poll() is not None:
            break
    p.wait(timeout=60)
    os.close(master)
    assert p.returncode == 0, p.stderr.read()
    return out


def test_terminal_sequences_in_the_text_are_escaped_on_a_terminal(pair, tmp_path):
    zh, ko = _copy(pair, tmp_path)
    lines = zh.read_text("utf-8").splitlines()
    lines.insert(2, "这是一段\x1b]0;pwned\x07没有翻译的话，\x1b[2J它不该清屏。")
    zh.write_text("\n".join(lines) + "\n", "utf-8")
    for command in (["coverage"], ["align"]):
        shown = _on_a_terminal([*command, zh, ko, "-q"])
        assert b"\x1b" not in shown and b"\x07" not in shown
        assert b"\\x1b]0;pwned\\x07" in shown
    # into a file or a pipe the text stays as it is: it is the data
    r = subprocess.run(_cmd("align", zh, ko, "-q"), capture_output=True, env=_env(), timeout=300)
    assert b"\x1b]0;pwned\x07" in r.stdout


def test_a_line_separator_in_a_glossary_note_keeps_line_numbers(pair, tmp_path, capsys):
    g = tmp_path / "g.tsv"
    g.write_text("中国\t중국\ta note\u2028on two lines\n人工智能\t인공지능\n开源\n", "utf-8")
    assert main(["coverage", str(pair[0]), str(pair[1]), "--glossary", str(g), "-q"]) == 2
    one_error_line(capsys.readouterr().err, "g.tsv:3:", "one field")


def test_a_second_batch_on_the_same_folder_exits_2(pair, tmp_path, capsys):
    _copy(pair, tmp_path)
    manifest, out = _batch(tmp_path)
    with open(out / ".bitext-batch.lock", "a") as held:  # another batch is writing here
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        before = _snapshot(out)
        assert main(["batch", str(manifest), "-o", str(out), "-q", "--force"]) == 2
        one_error_line(capsys.readouterr().err, "another bitext batch is writing to this folder")
        assert _snapshot(out) == before


def test_a_language_the_script_contradicts_is_warned_about(pair, capsys):
    zh, ko = pair
    assert main(["align", str(zh), str(ko), "--src-lang", "ja", "--tgt-lang", "de", "-q", "-o", os.devnull]) == 0
    err = [l for l in capsys.readouterr().err.splitlines() if l.strip()]
    assert len(err) == 2, err
    assert "zh.txt: --src-lang ja" in err[0] and "Chinese characters without kana" in err[0]
    assert "ko.txt: --tgt-lang de" in err[1] and "Hangul" in err[1]
    assert main(["align", str(zh), str(ko), "--src-lang", "zh", "--tgt-lang", "ko", "-q", "-o", os.devnull]) == 0
    assert capsys.readouterr().err == ""
    with pytest.warns(UserWarning, match="src_lang: .*kana"):
        bitext.align(zh.read_text("utf-8"), ko.read_text("utf-8"), src_lang="ja", tgt_lang="ko")
