"""TMX translation memories: read with translate-toolkit, written by :func:`bitext.formats.beads.beads_to_tmx`.

Each ``<tu>`` is a unit. The two languages are those given, else the
header's ``srclang`` and the other language the units use; a unit that lacks
one of them is refused, naming its line and the languages it has. A
segment's inline codes (``<bpt>``, ``<ph>`` ...) are left out of its text. The
score bitext writes (``x-bitext-score``) is read back.
"""

from __future__ import annotations

from ..text.read import InputError
from .document import Unit, UnitFile
from .positions import POSITION_KEYS
from .xmlparts import languages_pair, local_name, segment_text, xml_error
from .zipped import check_size

__all__ = ["read_units", "write"]

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _score(x) -> float | None:
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def _ids(x: str | None) -> tuple[int, ...] | None:
    try:
        return tuple(int(i) for i in x.split(",") if i.strip()) if x else None
    except ValueError:
        return None


def read_units(path, fmt: str | None = None, src_lang: str | None = None, tgt_lang: str | None = None) -> UnitFile:
    """The units of the TMX file at ``path`` in ``src_lang`` and ``tgt_lang``."""
    p = check_size(path)
    from lxml import etree
    from translate.storage import tmx

    try:
        with open(p, "rb") as f:
            store = tmx.tmxfile(f)
    except etree.XMLSyntaxError as e:
        raise xml_error(p, e, "TMX") from None
    except (AssertionError, AttributeError, ValueError):
        raise InputError(f"{p}: not a TMX file (its root element is not <tmx>)") from None
    root = store.document.getroot()
    header = next((c for c in root if local_name(c) == "header"), None)
    header_src = header.get("srclang") if header is not None else None
    if header_src and header_src.lower() == "*all*":
        header_src = None
    rows, found = [], []
    for u in store.units:
        el = u.xmlelement
        segs: dict[str, str] = {}
        for tuv in el:
            if local_name(tuv) != "tuv":
                continue
            lang = tuv.get(_XML_LANG) or tuv.get("lang") or ""
            seg = next((c for c in tuv if local_name(c) == "seg"), None)
            segs[lang] = segment_text(seg)
            if lang not in found:
                found.append(lang)
        props = {c.get("type"): (c.text or "") for c in el if local_name(c) == "prop"}
        rows.append((el.sourceline, segs, props, el.get("tuid")))
    if not rows:
        raise InputError(f"{p}: a TMX file without translation units")
    s, t = languages_pair(found, src_lang or header_src, tgt_lang, p)
    units = []
    for line, segs, props, tuid in rows:
        missing = [x for x in (s, t) if x not in segs]
        if missing:
            raise InputError(
                f"{p}:{line}: a translation unit without {' and '.join(missing)} "
                f"(it has {', '.join(segs) or 'no language'})"
            )
        where = {"line": line}
        if tuid:
            where["tuid"] = tuid
        ids = _ids(props.get("x-bitext-src-ids")), _ids(props.get("x-bitext-tgt-ids"))
        if ids[0] is not None and ids[1] is not None:  # the sentence ids bitext writes
            where["src_ids"], where["tgt_ids"] = ids
        for side in ("src", "tgt"):  # the positions bitext writes (x-bitext-src-paragraph ...)
            for key in POSITION_KEYS:
                if f"x-bitext-{side}-{key}" in props:
                    where[f"{side}_{key}"] = props[f"x-bitext-{side}-{key}"]
        units.append(Unit(segs[s], segs[t], _score(props.get("x-bitext-score")), tuid, where))
    return UnitFile(units, s, t, "tmx", str(p))


def write(alignment, fmt: str | None = None) -> str:
    """TMX 1.4 of the alignment's beads with both sides (:func:`bitext.formats.beads.beads_to_tmx`)."""
    from .beads import beads_to_tmx
    from .positions import bead_positions

    return beads_to_tmx(alignment.beads, alignment.src_lang, alignment.tgt_lang, bead_positions(alignment))
