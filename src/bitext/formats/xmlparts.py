"""What the XML formats (TMX, XLIFF) share: a segment's text without its inline codes,
parse errors as one line naming the file and line, the characters XML cannot hold."""

from __future__ import annotations

import re

from ..text.read import InputError

__all__ = ["segment_text", "xml_error", "xml_safe", "local_name", "languages_pair", "base_lang"]

# inline elements whose content is native code (a tag of the original format), not text
_CODE = {"bpt", "ept", "ph", "it", "ut", "sub"}

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def local_name(el) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _raw_text(el) -> str:
    parts = [el.text or ""]
    for child in el:
        if local_name(child) not in _CODE:
            parts.append(_raw_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def segment_text(el) -> str:
    """The text of a ``<seg>``, ``<source>`` or ``<target>`` on one line: inline markup (``<g>``,
    ``<mrk>``, ``<hi>``, ``<pc>``) keeps its text, native codes (``<ph>``, ``<bpt>``, ``<ept>``,
    ``<it>``, ``<ut>``, ``<sub>``) are left out, line breaks joined as in a paragraph."""
    from .document import clean_paragraph

    return xml_safe(clean_paragraph(_raw_text(el))) if el is not None else ""


def xml_error(path, e, kind: str) -> InputError:
    """An :class:`InputError` for a parse error of ``kind`` (``"XLIFF"``, ``"TMX"``) at its line."""
    line = getattr(e, "lineno", None) or (getattr(e, "position", None) or (None,))[0]
    msg = getattr(e, "msg", None) or str(e)
    msg = re.sub(r",? line \d+, column \d+$", "", str(msg))
    where = f"{path}:{line}" if line else str(path)
    article = "an" if kind[0] in "AEIOUX" else "a"
    return InputError(f"{where}: not well-formed XML, so not {article} {kind} file ({msg})")


def xml_safe(s: str) -> str:
    """``s`` without the characters XML 1.0 cannot hold (control characters, lone surrogates)."""
    return _NOT_XML.sub("", s)


def base_lang(code: str | None) -> str | None:
    """``zh-CN`` -> ``zh``: the language bitext splits and checks by."""
    if not code:
        return None
    return code.replace("_", "-").split("-")[0].lower() or None


def languages_pair(found: list[str], src: str | None, tgt: str | None, path) -> tuple[str, str]:
    """The source and target language codes among those a file uses (``found``, in order of first use),
    with ``src``/``tgt`` given or named by the file; :class:`InputError` when they cannot be told."""

    def match(want):
        if want is None:
            return None
        for code in found:
            if code.lower() == want.lower():
                return code
        for code in found:
            if base_lang(code) == base_lang(want):
                return code
        return None

    s, t = match(src), match(tgt)
    if src and s is None:
        raise InputError(f"{path}: no text in {src} (the file has {', '.join(found) or 'no language'})")
    if tgt and t is None:
        raise InputError(f"{path}: no text in {tgt} (the file has {', '.join(found) or 'no language'})")
    rest = [c for c in found if c not in (s, t)]
    s = s or (rest.pop(0) if rest else None)
    t = t or (rest.pop(0) if rest else None)
    if s is None or t is None:
        raise InputError(f"{path}: one language only ({', '.join(found) or 'none'}); a bilingual file has two")
    return s, t
