"""Text embeddings for the similarity checks: the ``Embedder`` interface and the default model.

The default model is WordLlama's ``l2_supercat`` at 256 dimensions, from the ``embeddings``
extra (``pip install 'spyglass[embeddings]'``). Its weights (16 MB) and tokenizer ship inside
the ``wordllama`` wheel and are loaded from there with downloads disabled: no network, no
torch, about half a second once per process, then about 0.2 ms per sentence on one core. It
reads the first ``MAX_EMBED_CHARS`` characters of a text. It pools token embeddings, so it
knows what words and phrases mean but not word order; wordllama's own MTEB figures put it at
66.9 on STS against 78.9 for all-MiniLM-L6-v2. It is an English model.

Any other model plugs in. In a policy or an evaluation, ``model`` (with ``base_url`` and
``api_key``) names an embeddings model behind an OpenAI-compatible endpoint
(:class:`spyglass.llm.embeddings.EmbeddingModel`, extra ``evals``); without ``base_url`` and
``api_key`` it uses the judges' endpoint settings (``judge_base_url``, ``judge_api_key``) when
set, else the openai package's defaults. From Python, ``embedder``
takes any callable from a list of texts to one vector per text (a 2-D numpy array or a list of
float lists), e.g. a sentence-transformers model's ``encode``::

    from sentence_transformers import SentenceTransformer
    model = SentenceTransformer("/models/all-MiniLM-L6-v2")
    check = SemanticTopics(topics={...}, embedder=model.encode)
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spyglass.exceptions import CheckError, ConfigError, PolicyError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "EXTRA_HINT",
    "Embedder",
    "default_embedder",
    "embed",
    "has_default_model",
    "resolve_embedder",
    "similarities",
]

Embedder = Callable[[list[str]], Any]

EXTRA_HINT = "embedding similarity needs the extra: pip install 'spyglass[embeddings]'"
# The shipped model; only this one is inside the wheel (others would be downloaded).
_CONFIG = "l2_supercat"
_DIM = 256

_default: Embedder | None = None
_lock = threading.Lock()


# Characters of one text the shipped model reads. It pads a batch to its longest text and
# never truncates: one 2 KB base64 blob among 63 sentences took 215 MB. A pooled embedding
# of the first 8,000 characters says what a longer text is about.
MAX_EMBED_CHARS = 8_000
# Texts per call of the shipped model, sorted by length first so little is padding.
_BATCH = 64


def has_default_model() -> bool:
    """Whether the shipped model can load (the ``embeddings`` extra is installed)."""
    return find_spec("wordllama") is not None and find_spec("numpy") is not None


def _load_wordllama() -> Embedder:
    if not has_default_model():
        raise CheckError(EXTRA_HINT)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        import wordllama
    finally:
        # wordllama calls logging.basicConfig(level=INFO) on import, which would turn on the
        # host application's INFO logs on stderr; a library must not touch the root logger.
        root.handlers[:] = handlers
        root.setLevel(level)
    package = Path(wordllama.__file__).parent
    try:
        # The wheel keeps the weights in weights/ and the tokenizer in tokenizers/; the
        # latter is where wordllama looks for a cache directory's tokenizer, so the package
        # directory serves as the cache. disable_download: a missing file fails, never fetches.
        model = wordllama.WordLlama.load(
            config=_CONFIG, dim=_DIM, cache_dir=package, disable_download=True
        )
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise CheckError(f"the embedding model did not load from {package}: {exc}") from exc

    import numpy as np

    def encode(texts: list[str]) -> Any:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), _DIM), dtype=np.float32)
        for start in range(0, len(order), _BATCH):
            chunk = order[start : start + _BATCH]
            out[chunk] = model.embed(
                [texts[i][:MAX_EMBED_CHARS] for i in chunk], norm=False, batch_size=_BATCH
            )
        return out

    return encode


def default_embedder() -> Embedder:
    """The shipped WordLlama model, loaded once per process; CheckError without the extra."""
    global _default
    with _lock:
        if _default is None:
            _default = _load_wordllama()
        return _default


def embed(texts: Sequence[str], embedder: Embedder | None = None) -> npt.NDArray[np.float32]:
    """One unit-length row per text; a text with nothing to embed gets a zero row.

    A zero row has similarity 0 with everything, so an empty output never matches a topic
    or a reference by accident.
    """
    try:
        import numpy as np
    except ImportError as exc:
        raise CheckError(EXTRA_HINT) from exc
    items = list(texts)
    if not items:
        return np.zeros((0, 0), dtype=np.float32)
    encode = embedder or default_embedder()
    # Blank texts are not sent: some models fail on them, and they carry no meaning.
    todo = [i for i, t in enumerate(items) if t.strip()]
    raw = encode([items[i] for i in todo]) if todo else []
    try:
        # A value too large for float32 becomes inf, which the check below reports.
        with np.errstate(over="ignore", invalid="ignore"):
            vectors = np.asarray(raw, dtype=np.float32)
    except ValueError as exc:  # ragged rows, or values that are not numbers
        raise CheckError(
            f"the embedder must return one equal-length vector per text: {exc}"
        ) from exc
    if todo and (vectors.ndim != 2 or vectors.shape[0] != len(todo)):
        raise CheckError(
            f"the embedder returned shape {vectors.shape} for {len(todo)} texts; "
            "it must return one vector per text"
        )
    if not np.isfinite(vectors).all():
        # An infinite or NaN value would make every similarity NaN, which a threshold
        # cannot judge (and NaN clamped to 0-1 reads as a perfect match).
        raise CheckError("the embedder returned a vector with an infinite or NaN value")
    dim = vectors.shape[1] if todo else 1
    out = np.zeros((len(items), dim), dtype=np.float32)
    if todo:
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        # A text of unknown tokens only pools to a zero vector: keep it zero, not NaN.
        out[todo] = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    return out


def similarities(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Cosine similarity of every row of ``a`` with every row of ``b`` (rows from ``embed``)."""
    if a.shape[0] == 0 or b.shape[0] == 0:
        import numpy as np

        return np.zeros((a.shape[0], b.shape[0]), dtype=np.float32)
    if a.shape[1] != b.shape[1]:
        if not (a.any() and b.any()):  # all blank on one side: zero rows of a stand-in size
            import numpy as np

            return np.zeros((a.shape[0], b.shape[0]), dtype=np.float32)
        raise CheckError(f"embeddings of different sizes: {a.shape[1]} and {b.shape[1]}")
    result: npt.NDArray[np.float32] = a @ b.T
    return result


class _EndpointEmbedder:
    """An ``EmbeddingModel`` built on first use: a policy naming an endpoint loads without
    the openai package or a key, and a check run without them is unscored with the reason."""

    def __init__(self, model: str, base_url: str | None, api_key: str | None) -> None:
        self.model, self.base_url, self.api_key = model, base_url, api_key
        self._client: Embedder | None = None
        self._lock = threading.Lock()

    def __call__(self, texts: list[str]) -> Any:
        with self._lock:
            if self._client is None:
                from spyglass.llm.embeddings import EmbeddingModel

                try:
                    self._client = EmbeddingModel(
                        self.model, base_url=self.base_url, api_key=self.api_key
                    )
                except ConfigError as exc:  # the openai package is missing
                    raise CheckError(str(exc)) from exc
            client = self._client
        return client(texts)


def resolve_embedder(
    what: str,
    embedder: object = None,
    model: object = None,
    base_url: object = None,
    api_key: object = None,
) -> Embedder | None:
    """The embedder a check's parameters ask for; None means the shipped model.

    ``what`` names the check in error messages.
    """
    if embedder is not None:
        if not callable(embedder):
            raise PolicyError(f"{what}: embedder must be callable (texts -> vectors)")
        if model is not None:
            raise PolicyError(f"{what}: give an embedder or a model, not both")
        return embedder
    if model is None:
        if base_url is not None or api_key is not None:
            raise PolicyError(f"{what}: base_url and api_key need a model")
        # Refused when the policy loads, not at each run: an unscored rule fails open by
        # default, so a guard without the extra would silently stop blocking.
        if not has_default_model():
            raise PolicyError(f"{what}: {EXTRA_HINT} (or give a model or an embedder)")
        return None
    for name, value in (("model", model), ("base_url", base_url), ("api_key", api_key)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise PolicyError(f"{what}: {name} must be a non-empty string, got {value!r}")
    if find_spec("openai") is None:
        raise PolicyError(f"{what}: an embeddings model needs pip install 'spyglass[evals]'")
    if base_url is None and api_key is None:
        # The endpoint the judges use, when one is set: a setup that keeps its model calls
        # local must not send texts to OpenAI's default endpoint instead.
        from spyglass.settings import load_settings

        settings = load_settings()
        base_url = settings.judge_base_url or None
        api_key = settings.judge_api_key or None
    return _EndpointEmbedder(
        str(model),
        None if base_url is None else str(base_url),
        None if api_key is None else str(api_key),
    )
