"""The two collections to match: :func:`collect` turns a side (a folder, a JSONL file
of documents, or documents given in Python) into :class:`Document` references.

A document is read only when a worker needs it (:meth:`Document.read`): the
driver holds its id and where it is, never its text, so a side of a million
files or JSON lines costs a few hundred bytes a document. What can be checked
before any work is checked here, each problem naming the file and line
(:class:`MatchError`): a folder with no files, a JSONL line that is not an
object with a string ``id`` and ``text``, a duplicate id. Whether a file can be
read (missing, empty, binary, undecodable) is the worker's to find.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..text.read import InputError, read_text

__all__ = ["Document", "MatchError", "collect", "MAX_LISTED"]

MAX_LISTED = 5  # problems named in one message; the rest are counted


class MatchError(ValueError):
    """The documents cannot be matched as given (an empty folder, a malformed JSONL line, duplicate ids,
    documents that cannot be read); the message names the file (and line)."""


@dataclass(frozen=True)
class Document:
    """One document of a side: its ``id`` and where its text is.

    ``path``: its file (folder input), or the JSONL file whose line at byte
    ``offset`` holds it; ``text``: the text itself (given in Python).
    ``where`` names it in messages (``zh/a.txt``, ``docs.jsonl:12``).
    """

    id: str
    path: str | None = None
    offset: int = -1
    text: str | None = None
    where: str = ""

    @property
    def has_file(self) -> bool:
        """Whether the text is a file of its own (which a manifest can name)."""
        return self.path is not None and self.offset < 0

    def read(self, encoding: str | None = None, lang: str | None = None) -> str:
        """The text; :class:`~bitext.text.read.InputError` naming the file (and line) if it cannot be used."""
        if self.text is not None:
            if not self.text.strip():
                raise InputError(f"{self.where}: document is empty")
            return self.text
        if self.path is None:
            raise InputError(f"{self.where}: no text and no file")
        if self.offset < 0:
            return read_text(self.path, encoding, lang)
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                line = f.readline()
        except OSError as e:
            raise InputError(f"{self.where}: cannot read: {e.strerror or e}") from None
        try:
            text = json.loads(line)["text"]
        except (ValueError, KeyError, TypeError):
            raise InputError(f"{self.where}: the line changed since it was read; run again") from None
        if not isinstance(text, str) or not text.strip():
            raise InputError(f"{self.where}: document is empty")
        return text.replace("\r\n", "\n").replace("\r", "\n")


def collect(side, name: str = "side") -> list[Document]:
    """The documents of one side, in a stable order; :class:`MatchError` if there are none
    or the side is malformed.

    ``side``: a folder (every file under it, hidden files and folders left
    out; ids are the paths relative to it, ``sub/a.txt``), a JSONL file (one
    ``{"id": ..., "text": ...}`` a line; ids as given), a mapping from ids to
    texts, or a list of texts (ids ``0``, ``1``, ...), of ``(id, text)``
    pairs or of ``{"id", "text"}`` dicts. ``name`` names the side in messages.
    """
    if isinstance(side, (str, os.PathLike)):
        p = Path(side)
        try:
            st = os.stat(p)
        except FileNotFoundError:
            raise MatchError(f"{p}: no such file or folder") from None
        except OSError as e:
            raise MatchError(f"{p}: cannot read: {e.strerror or e}") from None
        if stat.S_ISDIR(st.st_mode):
            return _folder(p)
        return _jsonl(p)
    if isinstance(side, Mapping):
        items = list(side.items())
    elif isinstance(side, Iterable) and not isinstance(side, (bytes, bytearray)):
        items = []
        for n, x in enumerate(side):
            if isinstance(x, str):
                items.append((str(n), x))
            elif isinstance(x, Mapping) and "id" in x and "text" in x:
                items.append((x["id"], x["text"]))
            elif isinstance(x, (tuple, list)) and len(x) == 2:
                items.append(tuple(x))
            else:
                raise TypeError(
                    f"{name}[{n}]: expected a text, an (id, text) pair or a dict with id and text, "
                    f"got {type(x).__name__}"
                )
    else:
        raise TypeError(
            f"{name}: expected a folder, a JSONL file, a mapping of ids to texts or a list of texts, "
            f"got {type(side).__name__}"
        )
    docs: list[Document] = []
    seen: dict[str, int] = {}
    problems: list[str] = []
    for n, (pid, text) in enumerate(items):
        problem = _not_a_document(pid, text)
        if problem:
            problems.append(f"{name}[{n}]: {problem}")
            continue
        pid = str(pid)
        if pid in seen:
            problems.append(f"{name}[{n}]: duplicate id {pid!r}; first at {name}[{seen[pid]}]")
            continue
        seen[pid] = n
        docs.append(Document(pid, text=text, where=f"{name} document {pid!r}"))
    _raise(problems)
    if not docs:
        raise MatchError(f"{name}: no documents")
    return docs


def _raise(problems: list[str]) -> None:
    if problems:
        more = len(problems) - MAX_LISTED
        raise MatchError("; ".join(problems[:MAX_LISTED]) + (f"; and {more} more" if more > 0 else ""))


def _folder(root: Path) -> list[Document]:
    docs = []
    for d, dirs, files in os.walk(root, onerror=_walk_error):
        dirs[:] = sorted(x for x in dirs if not x.startswith("."))
        for f in sorted(files):
            if f.startswith("."):
                continue
            path = os.path.join(d, f)
            if "\t" in path or "\n" in path or "\r" in path:
                raise MatchError(f"{path!r}: a tab or a line break in the name cannot go into a manifest; rename it")
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            docs.append(Document(rel, path=os.path.abspath(path), where=path))
    if not docs:
        raise MatchError(f"{root}: no documents in this folder")
    return docs


def _walk_error(e: OSError) -> None:
    raise MatchError(f"{e.filename}: cannot read the folder: {e.strerror or e}")


def _not_a_document(pid, text) -> str | None:
    """Why an id and a text of a side (a JSONL line, an item of a list or a mapping) are no
    document, or None."""
    if not isinstance(pid, (str, int)) or isinstance(pid, bool) or str(pid) == "":
        got = repr(pid) if isinstance(pid, str) else type(pid).__name__
        return f"the id must be a non-empty string or a number, got {got}"
    if not isinstance(text, str):
        return f"the text of {pid!r} must be a string, got {type(text).__name__}"
    return None


def _jsonl(path: Path) -> list[Document]:
    """Ids and line offsets of a JSONL file of documents (each line is parsed once, here)."""
    docs: list[Document] = []
    seen: dict[str, int] = {}
    problems: list[str] = []
    try:
        f = open(path, "rb")
    except IsADirectoryError:
        raise MatchError(f"{path}: is a directory") from None
    except OSError as e:
        raise MatchError(f"{path}: cannot read: {e.strerror or e}") from None
    with f:
        head = f.read(4096)
        if b"\x00" in head:
            raise MatchError(f"{path}: looks like a binary file, not a folder or a JSONL file of documents")
        f.seek(0)
        offset, n = 0, 0
        for raw in f:
            n += 1
            at, offset = offset, offset + len(raw)
            if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
                at += 3
            if not raw.strip():
                continue
            where = f"{path}:{n}"
            try:
                obj = json.loads(raw)
            except UnicodeDecodeError:
                problems.append(f"{where}: not UTF-8")
                continue
            except json.JSONDecodeError as e:
                hint = (
                    ""
                    if n > 1 or raw.lstrip()[:1] in (b"{", b"[")
                    else ' (a side is a folder of text files or a JSONL file of {"id": ..., "text": ...} lines)'
                )
                problems.append(f"{where}: not a JSON line: {e.msg}{hint}")
                continue
            if not isinstance(obj, dict) or "id" not in obj or "text" not in obj:
                problems.append(f'{where}: expected an object with "id" and "text"')
                continue
            pid, text = obj["id"], obj["text"]
            problem = _not_a_document(pid, text)
            if problem:
                problems.append(f"{where}: {problem}")
                continue
            pid = str(pid)
            if pid in seen:
                problems.append(f"{where}: duplicate id {pid!r}; first at line {seen[pid]}")
                continue
            seen[pid] = n
            docs.append(Document(pid, path=os.path.abspath(path), offset=at, where=where))
    _raise(problems)
    if not docs:
        raise MatchError(f"{path}: no documents in this file")
    return docs
