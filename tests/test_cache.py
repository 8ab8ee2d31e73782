"""The on-disk cache (span vectors and sentence splits) heals itself: an entry
that cannot be read or does not verify is a miss, dropped and recomputed with
one warning; a write that fails leaves nothing behind and never fails a run."""

import errno
import multiprocessing as mp
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, SEEDS

import bitext
from bitext.aligner.core import AlignParams
from bitext.embed import cache as disk_cache
from bitext.embed import load_model
from bitext.embed.cache import DiskCache
from bitext.embed.embedder import MAX_INPUT_CHARS, MAX_INPUT_TOKENS
from bitext.pipeline import SPLIT_VERSION
from bitext.text import segment

WARNING = "bitext: warning: dropped a broken cache entry"


@pytest.fixture(scope="module")
def part():
    """The editorial's first three Chinese paragraphs and their four Korean ones."""
    zh = (SEEDS / "global-times-editorial.zh.txt").read_text("utf-8").splitlines()
    ko = (SEEDS / "global-times-editorial.ko.txt").read_text("utf-8").splitlines()
    return "\n".join(zh[:3]) + "\n", "\n".join(ko[:4]) + "\n"


@pytest.fixture(scope="module")
def reference(part):
    """The beads with every cache off."""
    return _beads(bitext.align(*part, "zh", "ko", model=load_model(None, cache=False), cache=False))


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh cache folder for splits and vectors, and a fresh once-a-process warning."""
    d = tmp_path / "cache"
    monkeypatch.setenv("BITEXT_CACHE_DIR", str(d))
    monkeypatch.setattr(disk_cache, "_warned", set())
    return d


def _beads(a):
    return [(b.src_ids, b.tgt_ids) for b in a.beads]


def _align(part):
    return _beads(bitext.align(*part, "zh", "ko", model=load_model(None)))


def _entries(d: Path, kind: str) -> list[Path]:
    """The entries of the span vectors (``usem3``) or of the splits (``split``)."""
    return sorted(p for p in d.rglob("*") if p.is_file() and p.parent.parent.name.startswith(kind))


def _warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(WARNING)]


def _truncate(p: Path):
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])


def _empty(p: Path):
    p.write_bytes(b"")


def _garble(p: Path):
    data = bytearray(p.read_bytes())
    for at in range(len(data) // 3, len(data), max(1, len(data) // 7)):
        data[at] ^= 0x5A
    p.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_truncate, _empty, _garble], ids=["truncated", "empty", "garbled"])
def test_broken_entries_are_recomputed_with_one_warning(part, reference, cache, capsys, damage):
    assert _align(part) == reference
    entries = _entries(cache, "usem3") + _entries(cache, "split")
    assert len(entries) == 4  # span vectors and a split per side
    for p in entries:
        damage(p)
    capsys.readouterr()
    assert _align(part) == reference
    err = capsys.readouterr().err
    assert len(_warnings(err)) == 1, err  # once a process, though four entries were broken
    assert "; recomputed" in _warnings(err)[0] and str(cache) in _warnings(err)[0]
    assert "Traceback" not in err
    # the broken entries were replaced by good ones: the next run reads them, silently
    disk_cache._warned.discard("broken")
    assert _align(part) == reference
    assert _warnings(capsys.readouterr().err) == []
    assert all(p.stat().st_size > 100 for p in entries)


def test_swapped_entries_are_misses(part, reference, cache, capsys):
    """An entry copied over another (a whole file of another key) gives no wrong beads."""
    assert _align(part) == reference
    for kind in ("usem3", "split"):
        a, b = _entries(cache, kind)
        da, db = a.read_bytes(), b.read_bytes()
        a.write_bytes(db)
        b.write_bytes(da)
    capsys.readouterr()
    assert _align(part) == reference
    [line] = _warnings(capsys.readouterr().err)
    assert "another key" in line


def test_entries_of_the_wrong_shape_are_misses(part, reference, cache, capsys):
    """Entries that verify against their key but do not hold what the caller
    expects (a row short, NaN, sentences outside the text) are misses too."""
    a = bitext.align(*part, "zh", "ko", model=load_model(None))
    p = AlignParams()
    k = min(p.max_side, p.max_bead - 1)
    model = load_model(None)
    vectors = DiskCache(cache, model.key)
    for side, sents in (("zh", a.src_sentences), ("ko", a.tgt_sentences)):
        texts = [s.text for s in sents]
        wrong = {f"k{j}": np.ones((len(texts) - j, 512), np.float32) for j in range(1, k + 1)}  # a row short
        if side == "ko":
            wrong = {f"k{j}": np.full((len(texts) - j + 1, 512), np.nan, np.float32) for j in range(1, k + 1)}
        kind = f"spans{k}-in{MAX_INPUT_CHARS}-{MAX_INPUT_TOKENS}"
        vectors.put(kind, texts, wrong)
        assert vectors.get(kind, texts) is not None  # well-formed: only the caller's check rejects it
    splits = DiskCache(cache, f"split-v{SPLIT_VERSION}")
    zh, ko = part
    kind = f"cap{segment.MAX_SENTENCE_CHARS}-block{segment.BLOCK_CHARS}"
    no_cuts = np.zeros((0, 6), np.int64)
    splits.put(f"zh-{kind}", [zh], {"spe": np.array([[0, len(zh) + 5, 0]], np.int64), "cut": no_cuts})
    splits.put(f"ko-{kind}", [ko], {"spe": np.array([[0, 10, 0], [5, 20, 0]], np.int64), "cut": no_cuts})
    capsys.readouterr()
    assert _align(part) == reference
    [line] = _warnings(capsys.readouterr().err)
    assert "shape" in line or "outside the text" in line
    disk_cache._warned.discard("broken")
    assert _align(part) == reference  # recomputed and stored again
    assert _warnings(capsys.readouterr().err) == []


def test_full_disk_leaves_no_files_and_the_run_succeeds(part, reference, cache, monkeypatch):
    real = disk_cache._write_entry

    def full_disk(f, key, arrays):
        real(f, key, arrays)  # the bytes go out ...
        raise OSError(errno.ENOSPC, "No space left on device")  # ... and the disk fills up before the end

    monkeypatch.setattr(disk_cache, "_write_entry", full_disk)
    for _ in range(2):
        assert _align(part) == reference
    assert [p for p in cache.rglob("*") if p.is_file()] == []


@pytest.fixture
def public_dir():
    """A folder other users can read (pytest's tmp_path is private to root)."""
    d = Path(tempfile.mkdtemp(prefix="bitext-cache-test-"))
    d.chmod(0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def _as_nobody(cmd: list[str]) -> list[str]:
    """``cmd`` as an ordinary user: the tests run as root, whom permissions do not stop."""
    if os.geteuid() != 0:
        return cmd
    if not shutil.which("setpriv"):
        pytest.skip("needs setpriv to drop root's privileges")
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd


def _cli(args, cache_dir: Path, cwd: Path, nobody=False):
    env = dict(os.environ, BITEXT_CACHE_DIR=str(cache_dir), PYTHONPATH=str(ROOT / "src"), HOME=str(cwd))
    cmd = [sys.executable, "-m", "bitext.cli", "align", *args, "-q"]
    return subprocess.run(_as_nobody(cmd) if nobody else cmd, cwd=cwd, env=env, capture_output=True, text=True)


def _write_part(d: Path, part) -> tuple[str, str]:
    (d / "zh.txt").write_text(part[0], "utf-8")
    (d / "ko.txt").write_text(part[1], "utf-8")
    for p in (d / "zh.txt", d / "ko.txt"):
        p.chmod(0o644)
    return "zh.txt", "ko.txt"


def test_cli_with_a_broken_entry_exits_0_without_traceback(part, public_dir):
    files = _write_part(public_dir, part)
    cache_dir = public_dir / "cache"
    first = _cli(files, cache_dir, public_dir)
    assert first.returncode == 0, first.stderr
    for p in _entries(cache_dir, "usem3")[:1] + _entries(cache_dir, "split")[:1]:
        _garble(p)
    again = _cli(files, cache_dir, public_dir)
    assert again.returncode == 0
    assert "Traceback" not in again.stderr
    assert len(_warnings(again.stderr)) == 1, again.stderr
    assert again.stdout == first.stdout


def test_read_only_cache_as_an_ordinary_user(part, public_dir):
    """A cache folder the user may not write: the run succeeds with the same
    beads and leaves nothing; a broken entry there it cannot delete is a miss."""
    files = _write_part(public_dir, part)
    cache_dir = public_dir / "cache"
    first = _cli(files, cache_dir, public_dir)  # as root: fills the cache
    assert first.returncode == 0, first.stderr
    before = sorted(p for p in cache_dir.rglob("*"))
    _garble(_entries(cache_dir, "usem3")[0])
    for p in [cache_dir, *before]:
        p.chmod(0o755 if p.is_dir() else 0o644)  # readable, writable by root only
    run = _cli(files, cache_dir, public_dir, nobody=True)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stdout == first.stdout
    assert len(_warnings(run.stderr)) == 1
    assert sorted(p for p in cache_dir.rglob("*")) == before  # nothing written, nothing deleted
    # and a cache folder that cannot even be made
    (public_dir / "ro").mkdir(mode=0o555)
    (public_dir / "ro").chmod(0o555)
    run = _cli(files, public_dir / "ro" / "cache", public_dir, nobody=True)
    assert run.returncode == 0 and "Traceback" not in run.stderr and run.stdout == first.stdout
    assert list((public_dir / "ro").iterdir()) == []


def _hammer(root: str, role: str, rounds: int, arrays: dict, q) -> None:
    cache = DiskCache(Path(root), "race")
    bad = 0
    for _ in range(rounds):
        if role == "write":
            cache.put("k", ["one text"], arrays)
        else:
            got = cache.get("k", ["one text"])
            if got is None or not all(np.array_equal(got[k], v) for k, v in arrays.items()):
                bad += 1
    q.put((role, bad, "broken" in disk_cache._warned))


def test_concurrent_writers_and_readers_never_see_part_of_an_entry(tmp_path):
    arrays = {"a": np.arange(300_000, dtype=np.float32), "b": np.ones((100, 512), np.float32)}
    DiskCache(tmp_path, "race").put("k", ["one text"], arrays)
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    q = ctx.Queue()
    procs = [
        ctx.Process(target=_hammer, args=(str(tmp_path), role, 40, arrays, q))
        for role in ("write", "write", "read", "read")
    ]
    for p in procs:
        p.start()
    results = [q.get(timeout=120) for _ in procs]
    for p in procs:
        p.join()
    assert sorted(r[0] for r in results) == ["read", "read", "write", "write"]
    assert all(bad == 0 and not warned for _, bad, warned in results), results
    assert [p.name for p in tmp_path.rglob("*.tmp")] == []


# ----------------------------------------------------------------- the cache is kept in bounds


def _all_entries(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name.endswith(f".v{disk_cache.CACHE_FORMAT}"))


def test_prune_removes_old_formats_and_killed_writers_files_and_nothing_else(part, cache):
    _align(part)
    entries = _all_entries(cache)
    assert entries, "aligning the seed writes entries"
    folder = entries[0].parent
    old = folder / (entries[0].name.split(".")[0] + ".v2")  # an entry of the format before
    old.write_bytes(b"bitext-cache\nold layout")
    killed = folder / "tmpab12cd34.tmp"  # a writer killed a day ago
    killed.write_bytes(b"half an entry")
    os.utime(killed, (time.time() - 2 * 86400,) * 2)
    fresh = folder / "tmpzz99yy88.tmp"  # a writer at work now
    fresh.write_bytes(b"half an entry")
    mine = [cache / "notes.txt", folder / "keep.v2", folder / ("0" * 64 + ".v2.bak")]  # not bitext's names
    for p in mine:
        p.write_text("the user's", "utf-8")
    counts = disk_cache.prune(cache, max_bytes=None)
    assert counts["stale"] == 1 and counts["temporary"] == 1 and counts["evicted"] == 0
    assert not old.exists() and not killed.exists() and fresh.exists()
    assert all(p.read_text("utf-8") == "the user's" for p in mine)
    assert _all_entries(cache) == entries
    assert _align(part) == _beads(bitext.align(*part, "zh", "ko", model=load_model(None)))


def test_prune_evicts_the_least_recently_used_entries_down_to_the_bound(part, cache):
    _align(part)
    entries = _all_entries(cache)
    assert len(entries) >= 3
    sizes = {p: p.stat().st_size for p in entries}
    # make the ages distinct, oldest first in list order; then use the oldest: it becomes the newest
    base = time.time() - 1000
    for k, p in enumerate(entries):
        os.utime(p, (base + k, base + k))
    used = entries[0]
    os.utime(used, (base + 999, base + 999))
    bound = sum(sizes.values()) - 1  # one byte too many
    counts = disk_cache.prune(cache, max_bytes=bound)
    left = set(_all_entries(cache))
    assert counts["evicted"] >= 1 and counts["bytes_left"] <= 0.9 * bound
    assert used in left and entries[1] not in left  # the least recently used went first
    assert sum(sizes[p] for p in left) == counts["bytes_left"]


def test_a_cache_hit_counts_as_a_use(part, cache):
    _align(part)
    entries = _all_entries(cache)
    for p in entries:
        os.utime(p, (1_000_000_000, 1_000_000_000))
    _align(part)  # all hits
    assert all(p.stat().st_mtime > 1_000_000_000 for p in _all_entries(cache) if p in entries)


def test_writing_looks_the_cache_over_at_most_once_an_hour(part, cache, monkeypatch):
    monkeypatch.setenv("BITEXT_CACHE_MAX_BYTES", "1")  # every entry is over the bound
    _align(part)
    stamp = cache / ".bitext-pruned"
    assert stamp.is_file()
    first = _all_entries(cache)
    assert first, "the entries written after the first look-over stay until the next one"

    def files():  # an entry written again under the same name is another file
        return {(p, p.stat().st_ino, p.stat().st_mtime_ns) for p in _all_entries(cache)}

    before = files()
    # within the hour, another write does not look the cache over
    bitext.align(part[0], part[1][: len(part[1]) // 2], "zh", "ko", model=load_model(None))
    assert set(first) <= set(_all_entries(cache))
    before = {f for f in files() if f[0] in first}
    # an hour later, the next write does, and the bound of one byte leaves nothing of before
    os.utime(stamp, (time.time() - 2 * 3600,) * 2)
    bitext.align(part[0][: len(part[0]) // 2], part[1], "zh", "ko", model=load_model(None))
    assert not before & files()
    assert time.time() - stamp.stat().st_mtime < 600


@pytest.mark.parametrize(
    "value, expected",
    [("", 4 << 30), ("none", None), ("0", None), ("512M", 512 << 20), ("2G", 2 << 30), ("1.5k", 1536)],
)
def test_the_bound_comes_from_the_environment(value, expected, monkeypatch, capsys):
    monkeypatch.setenv("BITEXT_CACHE_MAX_BYTES", value)
    assert disk_cache.max_cache_bytes() == expected


def test_a_bad_bound_is_the_default_with_one_warning(monkeypatch, capsys):
    monkeypatch.setattr(disk_cache, "_warned", set())
    monkeypatch.setenv("BITEXT_CACHE_MAX_BYTES", "lots")
    assert disk_cache.max_cache_bytes() == 4 << 30
    assert disk_cache.max_cache_bytes() == 4 << 30
    assert capsys.readouterr().err.count("BITEXT_CACHE_MAX_BYTES") == 1


def test_a_fifo_or_a_link_in_the_stamps_place_is_left_alone(part, cache, tmp_path, monkeypatch):
    """Nothing is opened through the stamp: a FIFO there would block a writer forever, a link
    would touch a file elsewhere. The cache is then not looked over at all."""
    monkeypatch.setenv("BITEXT_CACHE_MAX_BYTES", "1")
    cache.mkdir(parents=True)
    stamp = cache / ".bitext-pruned"
    os.mkfifo(stamp)
    os.utime(stamp, (time.time() - 2 * 3600,) * 2)
    _align(part)
    assert stat.S_ISFIFO(os.stat(stamp, follow_symlinks=False).st_mode)
    assert _all_entries(cache), "not looked over: nothing evicted"
    stamp.unlink()
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("the user's", "utf-8")
    os.utime(elsewhere, (1_000_000_000, 1_000_000_000))
    stamp.symlink_to(elsewhere)
    bitext.align(part[0][:200], part[1][:300], "zh", "ko", model=load_model(None))
    assert elsewhere.read_text("utf-8") == "the user's" and elsewhere.stat().st_mtime == 1_000_000_000


_BITEXT = [sys.executable, "-c", "import sys; from bitext.cli import main; sys.exit(main(sys.argv[1:]))"]


def test_no_cache_writes_nothing_in_the_cache_folder(tmp_path):
    """--no-cache: no embedding, no split, no table of jieba's names, no look-over stamp."""
    cache = tmp_path / "cache"
    env = dict(os.environ, BITEXT_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT / "src"))
    zh, ko = SEEDS / "global-times-editorial.zh.txt", SEEDS / "global-times-editorial.ko.txt"
    for cmd in (["align", str(zh), str(ko)], ["coverage", str(zh), str(ko)]):
        r = subprocess.run([*_BITEXT, *cmd, "--no-cache", "-q"], env=env, capture_output=True, timeout=300)
        assert r.returncode == 0, r.stderr
    assert not cache.exists() or not any(cache.rglob("*"))
    r = subprocess.run([*_BITEXT, "coverage", str(zh), str(ko), "-q"], env=env, capture_output=True, timeout=300)
    assert r.returncode == 0 and any(p.parent.parent.name.startswith("jieba-names") for p in cache.rglob("*.v*"))
