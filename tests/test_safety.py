"""Never lose a user's data: outputs, encodings, pre-split ids, errors, processes (issue #16).

Every case runs the real command on real text (the seed editorial, or its
opening paragraphs) and checks what is on disk afterwards. Permission cases
run without root's power to override file modes (setpriv drops
CAP_DAC_OVERRIDE), as a user would meet them.
"""

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS
from conftest import one_error_line as _one_error_line

import bitext
from bitext.cli import main

ZH = SEEDS / "global-times-editorial.zh.txt"
KO = SEEDS / "global-times-editorial.ko.txt"
NO_DAC = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search"]


def _env():
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + e.get("PYTHONPATH", "")
    return e


def bitext_cmd(*args):
    return [sys.executable, "-m", "bitext.cli", *map(str, args)]


def run(*args, prefix=(), **kw):
    return subprocess.run([*prefix, *bitext_cmd(*args)], capture_output=True, text=True, env=_env(), timeout=300, **kw)


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """The editorial's first four paragraphs on each side: small, real, quick to align."""
    d = tmp_path_factory.mktemp("pair")
    zh = [l for l in ZH.read_text("utf-8").splitlines() if l.strip()][:4]
    ko = [l for l in KO.read_text("utf-8").splitlines() if l.strip()][:5]
    (d / "zh.txt").write_text("\n".join(zh) + "\n", "utf-8")
    (d / "ko.txt").write_text("\n".join(ko) + "\n", "utf-8")
    return d / "zh.txt", d / "ko.txt"


def _copy_pair(pair, d):
    d.mkdir(exist_ok=True)
    zh, ko = d / "zh.txt", d / "ko.txt"
    shutil.copy(pair[0], zh)
    shutil.copy(pair[1], ko)
    return zh, ko


def _no_temp_files(d: Path):
    assert not [p.name for p in d.iterdir() if p.name.endswith(".tmp")]


def _can_drop_dac() -> bool:
    if shutil.which("setpriv") is None or os.geteuid() != 0:
        return False
    return subprocess.run([*NO_DAC, "true"], capture_output=True).returncode == 0


# --- 1. an output never destroys anything of the user's ------------------------------


@pytest.mark.parametrize("command", ["align", "coverage"])
def test_output_that_is_an_input_is_refused(pair, tmp_path, capsys, command):
    zh, ko = _copy_pair(pair, tmp_path)
    before = zh.read_bytes()
    (tmp_path / "link.txt").symlink_to(zh)
    os.link(zh, tmp_path / "hard.txt")
    for out in (zh, tmp_path / "link.txt", tmp_path / "hard.txt", tmp_path / "." / "zh.txt"):
        assert main([command, str(zh), str(ko), "-o", str(out), "-q"]) == 2
        _one_error_line(capsys.readouterr().err, str(out), "is an input of this run")
    assert zh.read_bytes() == before and (tmp_path / "link.txt").is_symlink()
    _no_temp_files(tmp_path)


def test_read_only_output_is_refused_even_for_root(pair, tmp_path, capsys):
    zh, ko = _copy_pair(pair, tmp_path)
    out = tmp_path / "keep.tsv"
    out.write_text("precious\n", "utf-8")
    out.chmod(0o444)
    assert main(["align", str(zh), str(ko), "-o", str(out), "-q"]) == 2
    _one_error_line(capsys.readouterr().err, "keep.tsv", "read-only")
    assert out.read_text("utf-8") == "precious\n" and stat.S_IMODE(out.stat().st_mode) == 0o444


@pytest.mark.skipif(not _can_drop_dac(), reason="needs root and setpriv to drop CAP_DAC_OVERRIDE")
def test_permissions_are_respected_as_open_would(pair, tmp_path):
    zh, ko = _copy_pair(pair, tmp_path)
    theirs = tmp_path / "theirs.tsv"  # another user's file, writable only by them
    theirs.write_text("not yours\n", "utf-8")
    os.chown(theirs, 65534, 65534)
    theirs.chmod(0o644)
    r = run("align", zh, ko, "-o", theirs, "-q", "--no-cache", prefix=NO_DAC)
    assert r.returncode == 2
    _one_error_line(r.stderr, "theirs.tsv", "Permission denied")
    assert theirs.read_text("utf-8") == "not yours\n" and theirs.stat().st_uid == 65534
    locked = tmp_path / "locked"  # a folder the user may not write into
    locked.mkdir()
    os.chown(locked, 65534, 65534)
    locked.chmod(0o755)
    r = run("align", zh, ko, "-o", locked / "out.tsv", "-q", "--no-cache", prefix=NO_DAC)
    assert r.returncode == 2
    _one_error_line(r.stderr, "out.tsv", "cannot write")
    assert list(locked.iterdir()) == []


def test_link_target_is_written_and_mode_kept(pair, tmp_path, capsys):
    zh, ko = _copy_pair(pair, tmp_path)
    real = tmp_path / "real.tsv"
    real.write_text("old\n", "utf-8")
    real.chmod(0o640)
    link = tmp_path / "pairs.tsv"
    link.symlink_to(real.name)
    assert main(["align", str(zh), str(ko), "-o", str(link), "-q"]) == 0
    assert link.is_symlink() and os.readlink(link) == "real.tsv"
    assert real.read_text("utf-8").startswith("src_ids\ttgt_ids")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    _no_temp_files(tmp_path)


def test_devices_and_fifos_are_written_as_streams(pair, tmp_path, capsys):
    zh, ko = _copy_pair(pair, tmp_path)
    assert main(["align", str(zh), str(ko), "-o", os.devnull, "-q"]) == 0
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)  # still the device, not a file
    fifo = tmp_path / "beads.fifo"
    os.mkfifo(fifo)
    got = {}
    reader = threading.Thread(target=lambda: got.update(text=fifo.read_text("utf-8")))
    reader.start()
    assert main(["align", str(zh), str(ko), "-o", str(fifo), "--format", "beads", "-q"]) == 0
    reader.join(30)
    assert got["text"].startswith("[0]:[0]:") and stat.S_ISFIFO(fifo.stat().st_mode)
    if os.path.exists("/dev/full"):  # a full disk: one line, exit 2
        assert main(["align", str(zh), str(ko), "-o", "/dev/full", "-q"]) == 2
        _one_error_line(capsys.readouterr().err, "/dev/full", "No space left on device")


def test_dash_is_standard_output(pair, capsys):
    assert main(["align", str(pair[0]), str(pair[1]), "-o", "-", "--format", "beads", "-q"]) == 0
    assert capsys.readouterr().out.startswith("[0]:[0]:")
    assert not Path("-").exists()


def _batch_corpus(pair, d: Path):
    zh, ko = _copy_pair(pair, d)
    (d / "doc.tsv").write_text("keep me\n", "utf-8")
    # a pair id naming an input: its output doc.tsv would replace it
    (d / "manifest.tsv").write_text("doc\tzh.txt\tdoc.tsv\tzh\tko\nmanifest\tzh.txt\tko.txt\n", "utf-8")
    return d / "manifest.tsv"


def test_batch_never_writes_over_its_inputs(pair, tmp_path, capsys):
    manifest = _batch_corpus(pair, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    # the folder holds files bitext did not write
    assert main(["batch", str(manifest), "-o", str(tmp_path), "-q"]) == 2
    _one_error_line(capsys.readouterr().err, "holds files bitext did not write", "--force")
    # --force writes beside them, but never over an input or the manifest
    assert main(["batch", str(manifest), "-o", str(tmp_path), "-q", "--force"]) == 2
    _one_error_line(capsys.readouterr().err, "is an input of this batch")
    (tmp_path / "manifest.tsv").write_text("manifest\tzh.txt\tko.txt\n", "utf-8")
    before["manifest.tsv"] = (tmp_path / "manifest.tsv").read_bytes()
    assert main(["batch", str(manifest), "-o", str(tmp_path), "-q", "--force", "--format", "tsv"]) == 2
    _one_error_line(capsys.readouterr().err, "manifest.tsv", "is an input of this batch")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_batch_output_path_that_is_a_file(pair, tmp_path, capsys):
    manifest = _batch_corpus(pair, tmp_path)
    assert main(["batch", str(manifest), "-o", str(tmp_path / "doc.tsv"), "-q"]) == 2
    _one_error_line(capsys.readouterr().err, "doc.tsv", "is not a folder")
    assert (tmp_path / "doc.tsv").read_text("utf-8") == "keep me\n"


# --- 4. no silent mojibake, no shifted ids ------------------------------------------------


def test_short_legacy_files_decode_right_or_are_refused(tmp_path, capsys):
    fr = tmp_path / "fr.txt"
    fr.write_bytes("Le café est très bon.".encode("latin-1"))
    en = tmp_path / "en.txt"
    en.write_text("The coffee is very good.\n", "utf-8")
    assert main(["align", str(fr), str(en), "--tgt-lang", "en", "-q"]) == 2
    line = _one_error_line(capsys.readouterr().err, "fr.txt", "--encoding")
    assert "très" in line and "trčs" in line  # the candidates, as each reads the text
    for flags in (["--encoding", "latin-1"], ["--src-lang", "fr"]):
        assert main(["align", str(fr), str(en), "--tgt-lang", "en", "-q", *flags]) == 0
        assert "Le café est très bon." in capsys.readouterr().out

    zh = tmp_path / "zh.txt"
    zh.write_bytes("中国。韩国。".encode("gb18030"))
    ko = tmp_path / "ko.txt"
    ko.write_bytes("중국. 한국.".encode("cp949"))  # four syllables: GB18030 reads them as 吝惫. 茄惫.
    assert main(["align", str(zh), str(ko), "-q"]) == 2
    line = _one_error_line(capsys.readouterr().err, "zh.txt", "--encoding")
    assert "中国。韩国。" in line and "gb18030" in line
    assert main(["align", str(zh), str(ko), "--src-lang", "zh", "-q"]) == 2
    _one_error_line(capsys.readouterr().err, "ko.txt", "cp949", "--encoding")
    assert main(["align", str(zh), str(ko), "--src-lang", "zh", "--tgt-lang", "ko", "-q", "--format", "jsonl"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()[1:]]  # after the header
    assert "".join(r["src"] for r in rows) == "中国。韩国。"
    assert " ".join(r["tgt"] for r in rows if r["tgt"]) == "중국. 한국."
    # a Korean sentence with its spaces is Korean to the detector, no language needed
    ko.write_bytes("중국과 한국은 이웃 나라입니다. 두 나라는 오래 교류했습니다.".encode("cp949"))
    assert main(["align", str(zh), str(ko), "--src-lang", "zh", "-q", "--format", "jsonl"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()[1:]]  # after the header
    assert " ".join(r["tgt"] for r in rows if r["tgt"]) == "중국과 한국은 이웃 나라입니다. 두 나라는 오래 교류했습니다."


def test_wrong_encoding_given_names_the_line(tmp_path, capsys):
    en = tmp_path / "en.txt"
    en.write_text("The first line.\nThe second line.\n", "utf-8")
    ko = tmp_path / "ko.txt"
    ko.write_text("The first line.\n둘째 줄입니다.\n", "utf-8")
    assert main(["align", str(en), str(ko), "--encoding", "ascii", "-q"]) == 2
    _one_error_line(capsys.readouterr().err, "ko.txt:2:", "not valid ascii")
    with pytest.raises(SystemExit) as e:
        main(["align", str(en), str(ko), "--encoding", "no-such-codec", "-q"])
    assert e.value.code == 2
    _one_error_line(capsys.readouterr().err, "--encoding", "unknown encoding")


def test_broken_utf8_names_the_line_of_its_first_bad_byte(pair, tmp_path, capsys):
    zh, ko = _copy_pair(pair, tmp_path)
    lines = zh.read_bytes().split(b"\n")
    lines[2] = lines[2][:6] + b"\xc3\x28" + lines[2][6:]  # a broken UTF-8 sequence on line 3
    zh.write_bytes(b"\n".join(lines))
    out = tmp_path / "out.tsv"
    assert main(["align", str(zh), str(ko), "-o", str(out), "-q"]) == 2
    _one_error_line(capsys.readouterr().err, "zh.txt:3:", "not UTF-8", "0xc3", "--encoding")
    assert not out.exists()


def test_a_block_device_is_never_an_output(pair, tmp_path, capsys):
    zh, ko = _copy_pair(pair, tmp_path)
    disk = tmp_path / "disk"
    try:  # a node of a loop device that does not exist: nothing could be written through it anyway
        os.mknod(disk, stat.S_IFBLK | 0o600, os.makedev(7, 250))
    except (OSError, AttributeError):
        pytest.skip("no permission to make a device node here")
    assert main(["align", str(zh), str(ko), "-o", str(disk), "--format", "tsv", "-q"]) == 2
    _one_error_line(capsys.readouterr().err, "disk", "block device")
    assert stat.S_ISBLK(os.lstat(disk).st_mode)
    _no_temp_files(tmp_path)


def test_presplit_ids_are_line_numbers_whatever_the_line_holds(tmp_path, capsys):
    zh_lines = [s for s in (l.strip() for l in ZH.read_text("utf-8").splitlines()) if s][1:5]
    ko_lines = [s for s in (l.strip() for l in KO.read_text("utf-8").splitlines()) if s][2:6]
    # pdftotext writes form feeds; U+2028 and U+0085 are line separators to str.splitlines, not here
    zh_lines[1] = zh_lines[1][:10] + "\f" + zh_lines[1][10:]
    ko_lines[2] = ko_lines[2][:12] + "\u2028" + ko_lines[2][12:] + "\x85"
    src, tgt = tmp_path / "zh.txt", tmp_path / "ko.txt"
    src.write_text("\n".join(zh_lines) + "\n", "utf-8")
    tgt.write_text("\r\n".join(ko_lines) + "\r\n\r\n", "utf-8")  # blank lines at the end are fine
    assert main(["align", str(src), str(tgt), "--presplit", "--format", "beads", "-q"]) == 0
    beads = capsys.readouterr().out.splitlines()
    ids = [[int(i) for i in side.strip("[]").split(",") if i] for b in beads for side in b.split(":")[:2]]
    assert sorted(i for side in ids[0::2] for i in side) == list(range(4))
    assert sorted(i for side in ids[1::2] for i in side) == list(range(4))
    assert main(["align", str(src), str(tgt), "--presplit", "-q"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert len(rows) == 1 + len(beads)  # a TSV row per bead: the separators became spaces

    tgt.write_text("\n".join(ko_lines[:2] + ["", *ko_lines[2:]]) + "\n", "utf-8")
    assert main(["align", str(src), str(tgt), "--presplit", "-q"]) == 2
    _one_error_line(capsys.readouterr().err, "ko.txt:3:", "blank")


# --- 5. errors are one line, everywhere -------------------------------------------------------


def test_bad_language_codes_are_refused(pair, capsys):
    with pytest.raises(SystemExit) as e:
        main(["align", str(pair[0]), str(pair[1]), "--src-lang", "zh ko"])
    assert e.value.code == 2
    _one_error_line(capsys.readouterr().err, "--src-lang", "'zh ko' is not a language code")
    with pytest.raises(ValueError, match="tgt_lang 'korean!'"):
        bitext.align("中国。", "한국.", tgt_lang="korean!")


def test_api_refuses_what_is_not_text(editorial):
    zh, ko = editorial
    cases = [
        (None, "src must be a text"),
        (zh.encode("utf-8"), "src is bytes"),
        (["中国。", 3], r"src\[1\] is int"),
        ((s for s in zh.splitlines()), "generator"),
    ]
    for bad, msg in cases:
        with pytest.raises(TypeError, match=msg):
            bitext.align(bad, ko)
    with pytest.raises(TypeError, match="tgt is bytes"):
        bitext.align(zh, ko.encode("utf-8"))


def test_closed_stdout_is_one_line(pair):
    cmd = " ".join(f"'{c}'" for c in bitext_cmd("align", pair[0], pair[1], "-q", "--no-cache"))
    r = subprocess.run(["bash", "-c", cmd + " >&-"], capture_output=True, text=True, env=_env(), timeout=300)
    assert r.returncode == 2
    _one_error_line(r.stderr, "standard output")


def _big_pair(d: Path, times: int):
    """The editorial many times over: long enough to be caught mid-run (Korean in kss workers)."""
    zh = (ZH.read_text("utf-8").strip() + "\n") * times
    ko = (KO.read_text("utf-8").strip() + "\n") * times
    (d / "big.zh").write_text(zh, "utf-8")
    (d / "big.ko").write_text(ko, "utf-8")
    return d / "big.zh", d / "big.ko"


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _wait_for_workers(p, timeout=120):
    end = time.time() + timeout
    while time.time() < end and p.poll() is None:
        if len(_children(p.pid)) >= 2:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_ctrl_c_and_kill_leave_nothing_running_or_behind(tmp_path):
    src, tgt = _big_pair(tmp_path, 25)  # 500 Korean paragraphs: split in worker processes
    out = tmp_path / "out.tsv"
    env = dict(_env(), BITEXT_CACHE_DIR=str(tmp_path / "cache"))
    # Ctrl-C, as a terminal sends it: to the whole process group
    p = subprocess.Popen(
        bitext_cmd("align", src, tgt, "-o", out, "-q"),
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert _wait_for_workers(p), "kss workers did not start"
    os.killpg(p.pid, signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130
    assert "Traceback" not in err and err.strip() == "bitext: interrupted"
    end = time.time() + 15  # the workers are stopped as the parent exits; on a loaded machine that takes a moment
    while time.time() < end and _group_alive(p.pid):
        time.sleep(0.1)
    assert not _group_alive(p.pid)
    # kill -9 of the parent alone: its workers exit too, and its temporary file goes with the next run
    p = subprocess.Popen(
        bitext_cmd("align", src, tgt, "-o", out, "-q"),
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert _wait_for_workers(p)
    workers = _children(p.pid)
    p.kill()
    p.wait()
    end = time.time() + 10
    while time.time() < end and any(Path(f"/proc/{w}").exists() for w in workers):
        time.sleep(0.1)
    assert not [w for w in workers if Path(f"/proc/{w}").exists()]
    assert not out.exists()


def test_stale_temp_files_of_dead_runs_are_removed(pair, tmp_path, capsys):
    zh, ko = _copy_pair(pair, tmp_path)
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f".out.tsv.a1b2c3d4.{dead.pid}.bitext.tmp"
    live = tmp_path / f".out.tsv.e5f6g7h8.{os.getpid()}.bitext.tmp"  # a run still writing it
    stale.write_text("half", "utf-8")
    live.write_text("half", "utf-8")
    assert main(["align", str(zh), str(ko), "-o", str(tmp_path / "out.tsv"), "-q"]) == 0
    assert not stale.exists() and live.exists()


# --- 6. batch notices inputs edited since ------------------------------------------------------------------------


def test_batch_recomputes_a_pair_whose_input_was_edited(pair, tmp_path, capsys):
    d = tmp_path / "in"
    zh, ko = _copy_pair(pair, d)
    shutil.copy(zh, d / "zh2.txt")
    shutil.copy(ko, d / "ko2.txt")
    (d / "m.tsv").write_text("a\tzh.txt\tko.txt\nb\tzh2.txt\tko2.txt\n", "utf-8")
    out = tmp_path / "out"
    assert main(["batch", str(d / "m.tsv"), "-o", str(out), "-q"]) == 0
    first = {r["id"]: r for r in map(json.loads, (out / "summary.jsonl").read_text("utf-8").splitlines())}
    assert first["a"]["src_file"]["size"] == zh.stat().st_size and len(first["a"]["src_file"]["sha256"]) == 64
    # b's Korean is edited in place (same size: one word swapped for another of its length); a's is only touched
    text = (d / "ko2.txt").read_text("utf-8")
    lines = text.splitlines()
    lines[0], lines[1] = lines[1], lines[0]
    (d / "ko2.txt").write_text("\n".join(lines) + "\n", "utf-8")
    assert (d / "ko2.txt").stat().st_size == ko.stat().st_size
    os.utime(ko, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert main(["batch", str(d / "m.tsv"), "-o", str(out), "-q"]) == 0
    second = {r["id"]: r for r in map(json.loads, (out / "summary.jsonl").read_text("utf-8").splitlines())}
    assert second["a"]["status"] == "skipped" and second["b"]["status"] == "ok"
    assert second["b"]["tgt_file"]["sha256"] != first["b"]["tgt_file"]["sha256"]
    assert (out / "b.tsv").read_text("utf-8").splitlines()[1].split("\t")[4] in lines[0] + lines[1]
