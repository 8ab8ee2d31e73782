"""No sentence, span or batch grows without bound: the splitter cuts sentences
over MAX_SENTENCE_CHARS (at clause marks, then whitespace, then anywhere) and
says on which line; the model reads at most MAX_INPUT_CHARS of a text."""

import re
import warnings

import pytest
from conftest import SEEDS

import bitext
from bitext.cli import main
from bitext.embed import load_model, use
from bitext.embed.embedder import MAX_INPUT_CHARS, TextEmbedder
from bitext.text import segment
from bitext.text.segment import MAX_SENTENCE_CHARS, LongSentenceWarning, split

CLAUSE_MARKS = "，、；：,;:"


def _check_offsets(text, sents):
    for s in sents:
        assert text[s.start : s.end] == s.text


def _split_warned(text, lang):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sents = split(text, lang, workers=1)
    return sents, [w.message for w in caught if isinstance(w.message, LongSentenceWarning)]


@pytest.fixture(scope="module")
def unpunctuated_zh():
    """The editorial's Chinese as one line without 。！？ (its clause marks kept), about 300 KB."""
    zh = (SEEDS / "global-times-editorial.zh.txt").read_text("utf-8")
    body = re.sub("[。！？!?]", "", "".join(line.strip() for line in zh.splitlines() if line.strip()))
    return body * 80


@pytest.fixture
def cap_alone(monkeypatch):
    """The cap as the last safety net: the splitters' own cuts of text without
    full stops (Chinese at clause marks, Korean at final endings) switched off,
    so that what reaches the cap is one sentence a line."""
    monkeypatch.setattr(segment, "_zh_unpunctuated", lambda par: False)
    monkeypatch.setattr(segment.ko_endings, "unpunctuated", lambda par: False)


def test_a_long_line_without_sentence_ends_is_cut_at_clause_marks(unpunctuated_zh, cap_alone):
    line = unpunctuated_zh
    assert len(line.encode("utf-8")) > 200_000
    text = "社评:第一行。\n\n" + line + "\n最后一行。\n"
    sents, warned = _split_warned(text, "zh")
    _check_offsets(text, sents)
    middle = [s for s in sents if s.paragraph == 1]
    assert [s.paragraph for s in sents] == [0] + [1] * len(middle) + [2]
    assert max(len(s.text) for s in middle) <= MAX_SENTENCE_CHARS
    # every piece but the last ends at a clause mark, and none is short
    assert all(s.text[-1] in CLAUSE_MARKS + "”’」』）)》" for s in middle[:-1])
    assert min(len(s.text) for s in middle[:-1]) >= MAX_SENTENCE_CHARS // 2
    # the pieces are the line, in order, with nothing lost
    assert "".join(s.text for s in middle) == line
    [w] = warned
    assert w.line == 3  # the file's line number (a blank line before it), not the paragraph's index
    assert (w.chars, w.pieces, w.cap, w.punctuated) == (len(line), len(middle), MAX_SENTENCE_CHARS, False)
    assert str(w) == (
        f"line 3: a sentence of {len(line):,} characters without sentence punctuation was cut "
        f"into {len(middle):,} pieces of at most {MAX_SENTENCE_CHARS:,} characters"
    )


def test_the_splitter_cuts_text_without_full_stops_before_the_cap(unpunctuated_zh):
    """Without the cap's help: a long Chinese line with clause marks but no 。！？ is
    cut at its clause marks by the splitter itself, every piece under the cap."""
    sents, warned = _split_warned(unpunctuated_zh[:20000], "zh")
    _check_offsets(unpunctuated_zh[:20000], sents)
    assert warned == [] and len(sents) > 100
    assert max(len(s.text) for s in sents) <= MAX_SENTENCE_CHARS
    assert "".join(s.text for s in sents) == unpunctuated_zh[:20000]


def test_text_without_marks_or_spaces_is_cut_hard():
    zh = (SEEDS / "global-times-editorial.zh.txt").read_text("utf-8")
    han = "".join(c for c in zh if "\u4e00" <= c <= "\u9fff")  # the editorial's Chinese characters alone
    line = (han * 10)[: 5 * MAX_SENTENCE_CHARS + 123]
    sents, [w] = _split_warned("一。\n" + line, "zh")
    _check_offsets("一。\n" + line, sents)
    assert [len(s.text) for s in sents[1:]] == [MAX_SENTENCE_CHARS] * 5 + [123]
    assert w.line == 2 and w.pieces == 6


def test_words_without_punctuation_are_cut_between_words(cap_alone):
    ko = (SEEDS / "global-times-editorial.ko.txt").read_text("utf-8")
    words = re.sub(r"[^\uac00-\ud7a3 ]", "", " ".join(ko.splitlines())).split()  # Hangul words, no marks
    line = " ".join(words * 3)
    sents, [w] = _split_warned(line, "ko")
    _check_offsets(line, sents)
    assert max(len(s.text) for s in sents) <= MAX_SENTENCE_CHARS
    assert " ".join(s.text for s in sents) == line  # cut only at spaces: every word whole
    assert w.line == 1 and w.pieces == len(sents) > 3


def test_real_sentences_are_not_cut(editorial):
    for text, lang in zip(editorial, ("zh", "ko")):
        _, warned = _split_warned(text, lang)
        assert warned == []


def test_a_long_punctuated_paragraph_splits_the_same_in_blocks(editorial, monkeypatch):
    """A paragraph over BLOCK_CHARS goes to the splitter in blocks cut at
    sentence ends: the sentences are those of the whole paragraph."""
    zh, _ = editorial
    line = "".join(line.strip() for line in zh.splitlines() if line.strip()) * 4
    whole = [(s.start, s.end) for s in split(line, "zh")]
    monkeypatch.setattr(segment, "BLOCK_CHARS", 1500)
    assert [(s.start, s.end) for s in split(line, "zh")] == whole
    # without sentence ends the blocks join again before the cap cuts: as without blocks
    bare = re.sub("[。！？!?]", "", line)
    cut = [(s.start, s.end) for s in _split_warned(bare, "zh")[0]]
    monkeypatch.setattr(segment, "BLOCK_CHARS", 10**9)
    assert [(s.start, s.end) for s in _split_warned(bare, "zh")[0]] == cut


def test_kss_forgets_long_paragraphs(editorial):
    """kss memoizes its last 500 texts whole; bitext clears those memos after a
    long paragraph, so a long Korean line does not stay in memory 500 times."""
    import sys

    paragraphs = [line for line in editorial[1].splitlines() if line.strip()]
    long_par = " ".join(paragraphs[1:6])  # five paragraphs as one line, 1,137 characters
    assert len(long_par) > segment._KSS_FORGET_CHARS
    split(long_par, "ko", workers=1)
    memo = sys.modules["kss._modules.sentences.split_sentences"]._split_sentences
    assert memo.cache_info().currsize == 0
    split(paragraphs[2], "ko", workers=1)  # a short one stays memoized
    assert memo.cache_info().currsize > 0


def test_the_cli_names_the_file_and_line(unpunctuated_zh, tmp_path, capsys, monkeypatch, cap_alone):
    monkeypatch.setattr(segment, "MAX_SENTENCE_CHARS", 400)  # fewer pieces to embed: a quick test
    zh = (SEEDS / "global-times-editorial.zh.txt").read_text("utf-8").splitlines()
    zh.insert(2, unpunctuated_zh[:4000])
    (tmp_path / "zh.txt").write_text("\n".join(zh) + "\n", "utf-8")
    ko = SEEDS / "global-times-editorial.ko.txt"
    pieces = len(_split_warned(unpunctuated_zh[:4000], "zh")[0])
    assert pieces >= 10
    assert main(["align", str(tmp_path / "zh.txt"), str(ko), "-q", "-o", str(tmp_path / "out.tsv")]) == 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "cut into" in line]
    assert lines == [
        f"bitext align: warning: {tmp_path / 'zh.txt'}:3: a sentence of 4,000 characters without "
        f"sentence punctuation was cut into {pieces} pieces of at most 400 characters"
    ]
    # the same warning when the split comes from the cache
    assert main(["align", str(tmp_path / "zh.txt"), str(ko), "-q", "-o", str(tmp_path / "out2.tsv")]) == 0
    assert [line for line in capsys.readouterr().err.splitlines() if "cut into" in line] == lines
    assert (tmp_path / "out.tsv").read_text("utf-8") == (tmp_path / "out2.tsv").read_text("utf-8")


def test_presplit_with_a_very_long_line_aligns(unpunctuated_zh, editorial, monkeypatch):
    """--presplit input is not cut: the model reads the start of a long line."""
    monkeypatch.setattr(use, "MAX_INPUT_CHARS", 300)  # what the default model reads
    monkeypatch.setattr(use, "MAX_INPUT_TOKENS", 64)
    zh = split(editorial[0], "zh")
    ko = split(editorial[1], "ko")
    src = [s.text for s in zh[:10]] + [unpunctuated_zh] + [s.text for s in zh[10:]]
    model = load_model(None, cache=False)
    a = bitext.align("\n".join(src), "\n".join(s.text for s in ko), "zh", "ko", model=model, presplit=True, cache=False)
    assert sorted(i for b in a.beads for i in b.src_ids) == list(range(len(src)))
    assert len(a.src_sentences[10].text) == len(unpunctuated_zh)
    # the long line's vector is that of its first MAX_INPUT_CHARS characters, cut to MAX_INPUT_TOKENS tokens
    pooled = model.pooled([unpunctuated_zh, unpunctuated_zh[:300]])
    assert pooled["len"].tolist() == [64, 64]
    v = model.encode([unpunctuated_zh, unpunctuated_zh[:300]])
    assert float(v[0] @ v[1]) > 0.99999


def test_other_models_read_at_most_max_input_chars(editorial):
    seen = []

    class Recorder:
        """A real encoder (USE's own) that notes the longest text it was given."""

        def __init__(self):
            self.use = load_model(None, cache=False)._use

        def encode(self, texts):
            seen.append(max(map(len, texts)))
            return self.use.encode(texts)

    sents = [s.text for s in split(editorial[0], "zh")]
    long = sents[:3] + ["长" * (3 * MAX_INPUT_CHARS)] + sents[3:]
    TextEmbedder(Recorder(), use_cache=False).spans(long, 3)
    assert max(seen) == MAX_INPUT_CHARS
