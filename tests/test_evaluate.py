"""Tests for bitext.aligner.evaluate: hand-made cases, the reference scorer, the CLI."""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path

import pytest

from bitext.aligner.evaluate import (
    Bead,
    BeadFormatError,
    format_table,
    main,
    parse_beads,
    read_beads,
    score,
    score_files,
)

DATA = Path(__file__).resolve().parent / "data"
PROJECT_GOLD = DATA / "global-times-editorial.zh-ko.beads"
SHARED = Path(__file__).resolve().parents[2] / "shared"
REF_SCORER = SHARED / "tools" / "score.py"
EVAL_DATA = SHARED / "eval-data"
MAC_GOLD = [EVAL_DATA / "mac-dev-zh-en" / "gold" / f"{i:03d}" for i in range(1, 7)]
BERG_GOLD = [EVAL_DATA / "text+berg-de-fr" / "gold" / f"{i:03d}" for i in range(1, 8)]


def beads(text: str) -> list[Bead]:
    return parse_beads(text.split())


def metrics(result: dict, kind: str) -> tuple[float, float, float]:
    m = result[kind]
    return m["precision"], m["recall"], m["f1"]


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


# ---------------------------------------------------------------- parsing


def test_parse_forms() -> None:
    lines = ["[0,1]:[2]\n", "\n", "  [2]:[]  \n", "[]:[3, 4]:0.873\n", "[3]:[5]:-1.5e-3", "[4]:[6]:nan", ""]
    assert parse_beads(lines) == [((0, 1), (2,)), ((2,), ()), ((), (3, 4)), ((3,), (5,)), ((4,), (6,))]


@pytest.mark.parametrize(
    "bad",
    ["[0]:[1", "0:1", "[a]:[1]", "[0]:[1]:x", "[0];[1]", "[0,]:[1]", "[0]:[1]:0.5:1", "[0]", "[-1]:[2]"],
)
def test_malformed_line_names_file_and_line(bad: str) -> None:
    with pytest.raises(BeadFormatError) as exc:
        parse_beads(["[0]:[0]", "", bad, "[1]:[1]"], name="some/file.beads")
    assert str(exc.value) == (
        f"some/file.beads:3: malformed bead line: '{bad}' (expected [i,j]:[k] or [i,j]:[k]:score)"
    )
    assert isinstance(exc.value, ValueError)


def test_read_beads_error_uses_path(tmp_path: Path) -> None:
    p = tmp_path / "x.beads"
    p.write_text("[0]:[0]\n[1]:[1]:oops\n", encoding="utf-8")
    with pytest.raises(BeadFormatError, match=rf"^{p}:2: malformed bead line: '\[1\]:\[1\]:oops'"):
        read_beads(p)


# ---------------------------------------------------------------- hand-made cases


def test_identical_scores_one() -> None:
    g = beads("[0]:[0] [1,2]:[1] [3]:[] []:[2] [4]:[3,4]")
    r = score([(g, list(g))])
    assert metrics(r, "strict") == (1.0, 1.0, 1.0)
    assert metrics(r, "lax") == (1.0, 1.0, 1.0)
    assert r["gold_beads"] == r["test_beads"] == 5


def test_merged_bead_is_lax_not_strict() -> None:
    gold = beads("[0]:[0] [1]:[1] [2]:[2]")
    test = beads("[0]:[0] [1,2]:[1,2]")
    r = score([(gold, test)])
    # strict: 1 of 2 test beads exact, 1 of 3 gold beads found
    assert metrics(r, "strict") == pytest.approx((1 / 2, 1 / 3, f1(1 / 2, 1 / 3)))
    assert metrics(r, "strict")[2] == pytest.approx(0.4)
    # lax: the merged bead overlaps gold on both sides, and it covers both gold beads
    assert metrics(r, "lax") == pytest.approx((1.0, 1.0, 1.0))
    assert list(r["by_type"]) == ["1-1", "2-2"]
    assert r["by_type"]["1-1"] == pytest.approx({"precision": 1.0, "recall": 1 / 3, "f1": 0.5, "gold": 3, "test": 1})
    assert r["by_type"]["2-2"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "gold": 0, "test": 1}


def test_insertion_deletion() -> None:
    gold = beads("[0]:[0] [1]:[] []:[1] [2]:[2]")
    test = beads("[0]:[0] [1]:[1] [2]:[2]")
    r = score([(gold, test)])
    # precision: 2 of 3 test beads; recall: 2 of 4 gold beads (1-0 and 0-1 missed)
    p, rc = 2 / 3, 2 / 4
    assert metrics(r, "strict") == pytest.approx((p, rc, 4 / 7))
    # lax gives nothing more: gold [1]:[] maps source 1 to no target, and the
    # 0-1 gold bead has no source to overlap with
    assert metrics(r, "lax") == pytest.approx((p, rc, 4 / 7))
    assert list(r["by_type"]) == ["0-1", "1-0", "1-1"]
    assert r["by_type"]["0-1"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "gold": 1, "test": 0}
    assert r["by_type"]["1-1"] == pytest.approx({"precision": 2 / 3, "recall": 1.0, "f1": 0.8, "gold": 2, "test": 3})


def test_zero_one_bead_counts_lax_only_when_exact() -> None:
    gold = beads("[0]:[0,1]")
    test = beads("[0]:[0] []:[1]")
    r = score([(gold, test)])
    assert metrics(r, "strict") == (0.0, 0.0, 0.0)
    # [0]:[0] overlaps the gold bead; []:[1] has no source side, so not lax
    assert metrics(r, "lax") == pytest.approx((1 / 2, 1.0, 2 / 3))

    gold = beads("[0]:[0] []:[1]")
    r = score([(gold, list(gold))])
    assert metrics(r, "strict") == (1.0, 1.0, 1.0)
    assert metrics(r, "lax") == (1.0, 1.0, 1.0)


def test_empty_beads_ignored() -> None:
    gold = beads("[0]:[0] []:[] [1]:[1]")
    test = beads("[]:[] [0]:[0] [1]:[2] []:[]")
    r = score([(gold, test)])
    assert r["gold_beads"] == 2 and r["test_beads"] == 2
    assert metrics(r, "strict") == pytest.approx((0.5, 0.5, 0.5))
    assert "0-0" not in r["by_type"]


def test_nothing_to_score_is_zero() -> None:
    r = score([([], [])])
    assert metrics(r, "strict") == (0.0, 0.0, 0.0)
    assert r["by_type"] == {}


def test_micro_average_sums_counts() -> None:
    # pair 1: 1 of 1 test exact, 1 of 1 gold found; pair 2: 0 of 3 test, 0 of 1 gold
    pair1 = (beads("[0]:[0]"), beads("[0]:[0]"))
    pair2 = (beads("[0]:[0]"), beads("[0]:[1] [1]:[] []:[2]"))
    r = score([pair1, pair2])
    # micro: P = 1/4, R = 1/2 (a macro average would give P = 1/2)
    assert metrics(r, "strict") == pytest.approx((1 / 4, 1 / 2, f1(1 / 4, 1 / 2)))
    assert r["gold_beads"] == 2 and r["test_beads"] == 4


def test_by_type_order() -> None:
    g = beads("[0,1,2]:[0] [3]:[1,2] [4,5]:[3] [6]:[] []:[4] [7]:[5] [8,9]:[6,7]")
    assert list(score([(g, g)])["by_type"]) == ["0-1", "1-0", "1-1", "1-2", "2-1", "2-2", "3-1"]  # by (x + y, x)


def test_score_files_needs_pairs(tmp_path: Path) -> None:
    p = tmp_path / "a"
    p.write_text("[0]:[0]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="GOLD TEST pairs"):
        score_files([])
    with pytest.raises(ValueError, match="GOLD TEST pairs"):
        score_files([str(p), str(p), str(p)])
    assert score_files([str(p), str(p)])["strict"]["f1"] == 1.0


# ---------------------------------------------------------------- project gold file


def test_project_gold_file() -> None:
    gold = read_beads(PROJECT_GOLD)
    assert len(gold) == len([ln for ln in PROJECT_GOLD.read_text(encoding="utf-8").splitlines() if ln.strip()])
    assert gold[3] == ((3,), (3, 4))
    r = score([(gold, gold)])
    assert r["strict"]["f1"] == 1.0 and r["lax"]["f1"] == 1.0

    # split [3]:[3,4] into [3]:[3] and []:[4]
    test = gold[:3] + [((3,), (3,)), ((), (4,))] + gold[4:]
    r = score([(gold, test)])
    n = len(gold)
    assert r["test_beads"] == n + 1
    assert metrics(r, "strict") == pytest.approx(((n - 1) / (n + 1), (n - 1) / n, f1((n - 1) / (n + 1), (n - 1) / n)))
    assert r["strict"]["f1"] < 1.0
    # [3]:[3] overlaps gold [3]:[3,4]; []:[4] has no source, so it stays wrong
    assert metrics(r, "lax") == pytest.approx((n / (n + 1), 1.0, f1(n / (n + 1), 1.0)))


# ---------------------------------------------------------------- reference scorer


def load_reference():
    if not REF_SCORER.is_file() or not all(p.is_file() for p in MAC_GOLD + BERG_GOLD):
        pytest.skip(f"reference scorer or eval data not found under {SHARED}")
    spec = importlib.util.spec_from_file_location("_reference_score", REF_SCORER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def perturb(gold: list[Bead], seed: int) -> list[Bead]:
    """A deterministic, plausibly wrong alignment derived from ``gold``."""
    rng = random.Random(seed)
    out: list[Bead] = []
    i = 0
    while i < len(gold):
        src, tgt = gold[i]
        x = rng.random()
        if x < 0.08 and i + 1 < len(gold):  # merge with the next bead
            nsrc, ntgt = gold[i + 1]
            out.append((src + nsrc, tgt + ntgt))
            i += 2
            continue
        if x < 0.20 and len(src) + len(tgt) > 2:  # split a multi-sentence bead
            out.append((src[:1], tgt[:1]))
            out.append((src[1:], tgt[1:]))
        elif x < 0.25:  # drop it
            pass
        elif x < 0.30 and src and tgt:  # deletion + insertion
            out.append((src, ()))
            out.append(((), tgt))
        else:
            out.append((src, tgt))
        i += 1
    return out


def write_beads(path: Path, bs: list[Bead], rng: random.Random) -> None:
    lines = []
    for src, tgt in bs:
        sep = rng.choice([",", ", "])
        line = f"[{sep.join(map(str, src))}]:[{sep.join(map(str, tgt))}]"
        if rng.random() < 0.3:
            line += f":{rng.random():.3f}"
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def make_pairs(golds: list[Path], seed: int, tmp_path: Path) -> list[str]:
    paths: list[str] = []
    rng = random.Random(seed)
    for k, g in enumerate(golds):
        t = tmp_path / f"{g.parent.parent.name}-{g.name}-{seed}.test"
        write_beads(t, perturb(read_beads(g), seed * 100 + k), rng)
        paths += [str(g), str(t)]
    return paths


def reference_scores(ref, paths: list[str]) -> tuple[tuple[float, ...], tuple[float, ...], int, int]:
    tot = [0] * 7
    for g, t in zip(paths[::2], paths[1::2]):
        c = ref.counts(ref.read_beads(g), ref.read_beads(t))
        tot = [a + b for a, b in zip(tot, c)]
    tps, fps, tpl, fpl, rs, rl, n = tot
    return ref.prf(tps, fps, rs, n), ref.prf(tpl, fpl, rl, n), n, tps + fps


@pytest.mark.parametrize(
    "gold_files", [MAC_GOLD, BERG_GOLD, MAC_GOLD + BERG_GOLD], ids=["mac-dev", "text+berg", "both"]
)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_agrees_with_reference_micro(gold_files: list[Path], seed: int, tmp_path: Path) -> None:
    ref = load_reference()
    paths = make_pairs(gold_files, seed, tmp_path)
    strict, lax, n, m = reference_scores(ref, paths)
    r = score_files(paths)
    assert metrics(r, "strict") == pytest.approx(strict, abs=1e-3)
    assert metrics(r, "lax") == pytest.approx(lax, abs=1e-3)
    assert (r["gold_beads"], r["test_beads"]) == (n, m)
    # the perturbation must actually hurt, and lax must be more forgiving
    assert r["strict"]["f1"] < r["lax"]["f1"] < 1.0
    assert sum(v["test"] for v in r["by_type"].values()) == m
    assert sum(v["gold"] for v in r["by_type"].values()) == n


@pytest.mark.parametrize("gold", MAC_GOLD + BERG_GOLD, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_agrees_with_reference_per_file(gold: Path, tmp_path: Path) -> None:
    ref = load_reference()
    assert read_beads(gold) == ref.read_beads(gold)
    paths = make_pairs([gold], 7, tmp_path)
    strict, lax, _, _ = reference_scores(ref, paths)
    r = score_files(paths)
    assert metrics(r, "strict") == pytest.approx(strict, abs=1e-3)
    assert metrics(r, "lax") == pytest.approx(lax, abs=1e-3)


def test_agrees_with_reference_printed_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ref = load_reference()
    paths = make_pairs(MAC_GOLD, 11, tmp_path)
    ref.main(paths)
    line = capsys.readouterr().out.strip()
    r = score_files(paths)
    expected = (
        f"strict P={r['strict']['precision']:.3f} R={r['strict']['recall']:.3f} F1={r['strict']['f1']:.3f}"
        f" | lax P={r['lax']['precision']:.3f} R={r['lax']['recall']:.3f} F1={r['lax']['f1']:.3f}"
        f" | gold beads={r['gold_beads']}"
    )
    assert line == expected


# ---------------------------------------------------------------- command line


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    gold = tmp_path / "gold.beads"
    test = tmp_path / "test.beads"
    gold.write_text("[0]:[0]\n[1]:[1]\n[2]:[2]\n", encoding="utf-8")
    test.write_text("[0]:[0]:0.9\n[1,2]:[1,2]:0.4\n", encoding="utf-8")
    return gold, test


def test_main_table(pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    gold, test = pair
    assert main([str(gold), str(test)]) == 0
    out = capsys.readouterr().out
    assert out == format_table(score_files([gold, test])) + "\n"
    rows = {ln.split()[0]: ln.split()[1:] for ln in out.splitlines() if ln.strip()}
    assert rows["strict"] == ["0.500", "0.333", "0.400"]
    assert rows["lax"] == ["1.000", "1.000", "1.000"]
    assert rows["1-1"] == ["3", "1", "1.000", "0.333", "0.500"]
    assert rows["2-2"] == ["0", "1", "0.000", "0.000", "0.000"]


def test_main_json(pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    gold, test = pair
    assert main([str(gold), str(test), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"strict", "lax", "by_type", "gold_beads", "test_beads"}
    for kind in ("strict", "lax"):
        assert set(data[kind]) == {"precision", "recall", "f1"}
    assert set(data["by_type"]["1-1"]) == {"precision", "recall", "f1", "gold", "test"}
    assert data["strict"]["f1"] == pytest.approx(0.4)
    assert (data["gold_beads"], data["test_beads"]) == (3, 2)


def test_main_malformed(pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    gold, test = pair
    test.write_text("[0]:[0]\n\n[1,2]:[1,2\n", encoding="utf-8")
    assert main([str(gold), str(test)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0] == (
        f"bitext eval: error: {test}:3: malformed bead line: '[1,2]:[1,2' (expected [i,j]:[k] or [i,j]:[k]:score)"
    )


def test_main_missing_file(pair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold, _ = pair
    missing = tmp_path / "no-such.beads"
    assert main([str(gold), str(missing)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("bitext eval: error: ") and str(missing) in lines[0]
    assert captured.out == ""


def test_main_odd_count(pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    gold, test = pair
    assert main([str(gold), str(test), str(gold)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("bitext eval: error: ")
