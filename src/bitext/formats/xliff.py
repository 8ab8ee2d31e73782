"""XLIFF, the exchange format of CAT tools, through translate-toolkit.

Read: XLIFF 1.0 to 1.2 (each ``<trans-unit>`` a unit, those marked
``translate="no"`` left out) and 2.x (each ``<segment>`` a unit), the
languages from the file unless given; a file that is not well-formed is
refused naming its line.

Written: XLIFF 1.2 that validates against the OASIS strict schema, one
``<trans-unit>`` a bead: the source, the target (none for a source sentence
left untranslated; an empty source for a sentence the translation added), a
note with the confidence, and a ``<context-group name="bitext-N">`` with the
sentence ids, the score and, where the inputs were documents with positions,
the position of the bead's first sentence on each side (paragraph, cue and
timing, chapter, page). Reading it back gives the same beads.
"""

from __future__ import annotations

from ..text.read import InputError
from .document import Unit, UnitFile, position_label
from .positions import POSITION_KEYS
from .xmlparts import local_name, segment_text, xml_error, xml_safe
from .zipped import check_size

__all__ = ["read_units", "write", "NAMESPACE"]

NAMESPACE = "urn:oasis:names:tc:xliff:document:1.2"
_GROUP = "bitext"


def _ids(ids) -> str:
    return ",".join(str(i) for i in ids)


def _parse_ids(s: str | None):
    if not s:
        return ()
    try:
        return tuple(int(x) for x in s.split(",") if x.strip())
    except ValueError:
        return None


def _score(x) -> float | None:
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def _bitext_context(el) -> dict:
    """The contexts of the ``<context-group name="bitext">`` of a trans-unit."""
    for group in el:
        if local_name(group) == "context-group" and (group.get("name") or "").startswith(_GROUP + "-"):
            return {c.get("context-type"): (c.text or "") for c in group if local_name(c) == "context"}
    return {}


def read_units(path, fmt: str | None = None, src_lang: str | None = None, tgt_lang: str | None = None) -> UnitFile:
    """The units of the XLIFF file at ``path`` (1.x or 2.x)."""
    p = check_size(path)
    from lxml import etree
    from translate.storage import xliff, xliff2

    with open(p, "rb") as f:
        data = f.read()
    try:
        from translate.misc.xml_helpers import parse_xml

        root = parse_xml(data)
    except etree.XMLSyntaxError as e:
        raise xml_error(p, e, "XLIFF") from None
    if local_name(root) != "xliff":
        raise InputError(f"{p}: not an XLIFF file (its root element is <{local_name(root)}>)")
    version = (root.get("version") or "").strip()
    v2 = version.startswith("2") or (root.tag.startswith("{") and ":2." in root.tag)
    try:
        store = (xliff2.Xliff2File if v2 else xliff.xlifffile).parsestring(data)
    except (AssertionError, ValueError, etree.XMLSyntaxError) as e:
        raise InputError(f"{p}: not a readable XLIFF {version or ''} file ({e})") from None
    units = []
    for u in store.units:
        el = u.xmlelement
        if (el.get("translate") or "").lower() == "no":
            continue
        source = next((c for c in el if local_name(c) == "source"), None)
        target = next((c for c in el if local_name(c) == "target"), None)
        ctx = {} if v2 else _bitext_context(el)
        where = {"line": el.sourceline}
        for key in POSITION_KEYS:
            for side in ("src", "tgt"):
                if f"x-{side}-{key}" in ctx:
                    where[f"{side}_{key}"] = ctx[f"x-{side}-{key}"]
        if "x-src-ids" in ctx:
            where["src_ids"] = _parse_ids(ctx["x-src-ids"])
            where["tgt_ids"] = _parse_ids(ctx.get("x-tgt-ids"))
        units.append(Unit(segment_text(source), segment_text(target), _score(ctx.get("x-score")), el.get("id"), where))
    if not units:
        raise InputError(f"{p}: an XLIFF file without translation units")
    s = src_lang or store.getsourcelanguage() or None
    t = tgt_lang or store.gettargetlanguage() or None
    return UnitFile(units, s, t, "xliff", str(p))


def _store_class():
    from translate.storage import xliff

    class Unit12(xliff.xliffunit):
        namespace = NAMESPACE

    class File12(xliff.xlifffile):
        namespace = NAMESPACE
        UnitClass = Unit12
        XMLskeleton = xliff.xlifffile.XMLskeleton.replace("1.1", "1.2")

    return File12


def write(alignment, fmt: str | None = None) -> str:
    """XLIFF 1.2 of the alignment: one ``<trans-unit>`` a bead (see the module's doc)."""
    from .._version import __version__
    from .positions import bead_position

    store = _store_class()(sourcelanguage=alignment.src_lang or "und", targetlanguage=alignment.tgt_lang or "und")
    src_doc = getattr(alignment, "src_doc", None)
    store.setfilename(store.getfilenode("NoName"), (src_doc.path if src_doc is not None and src_doc.path else "bitext"))
    for n, b in enumerate(alignment.beads, start=1):
        u = store.UnitClass(xml_safe(b.src))
        store.addunit(u)
        u.setid(str(n))
        if b.tgt_ids:
            u.target = xml_safe(b.tgt)
        approved = bool(getattr(b, "approved", False))
        u.xmlelement.set("approved", "yes" if approved else "no")
        target = next((c for c in u.xmlelement if local_name(c) == "target"), None)
        if target is not None:
            target.set("state", "final" if approved else "translated")
        if not b.tgt_ids:
            u.addnote("no translation found for this source text", origin="bitext")
        elif not b.src_ids:
            u.addnote("added in the translation, no source text", origin="bitext")
        else:
            u.addnote(f"confidence {b.score:.2f}", origin="bitext")
        contexts = [("x-src-ids", _ids(b.src_ids)), ("x-tgt-ids", _ids(b.tgt_ids)), ("x-score", f"{b.score:.4f}")]
        for side in ("src", "tgt"):
            where = bead_position(alignment, b, side)
            for key in POSITION_KEYS:
                if key in where:
                    contexts.append((f"x-{side}-{key}", xml_safe(str(where[key]))))
            if where and side == "src":
                label = position_label(where)
                if label:
                    u.addnote(f"source: {label}", origin="bitext")
        u.createcontextgroup(f"{_GROUP}-{n}", contexts, purpose="information")  # names are unique in a file
    data = bytes(store)
    header = f'<header><tool tool-id="bitext" tool-name="bitext" tool-version="{__version__}"/></header>'
    text = data.decode("utf-8")
    return text.replace("<body>", header + "\n    <body>", 1)
