"""The pair model's training-data hash covers exactly the files training reads."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def trainer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_fusion", ROOT / "scripts/train_fusion.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_hash_follows_train_topics_only(tmp_path: Path) -> None:
    (tmp_path / "ECBplus_coreference_sentences.csv").write_text("Topic,File,Sentence\n")
    for topic in ("1", "2"):
        (tmp_path / topic).mkdir()
        (tmp_path / topic / f"{topic}_1ecb.xml").write_text("<Document/>")
    data_sha256 = trainer().data_sha256
    before = data_sha256(tmp_path, (1,))
    (tmp_path / "2" / "2_1ecb.xml").write_text("<Document>other</Document>")
    assert data_sha256(tmp_path, (1,)) == before  # a topic training does not read
    (tmp_path / "1" / "1_1ecb.xml").write_text("<Document>other</Document>")
    assert data_sha256(tmp_path, (1,)) != before
    (tmp_path / "1" / "1_1ecb.xml").write_text("<Document/>")
    assert data_sha256(tmp_path, (1,)) == before


def test_shipped_weights_name_their_data() -> None:
    raw = (ROOT / "src/eventfuse/data/fusion_weights.json").read_text(encoding="utf-8")
    entry = json.loads(raw)["models"]["ecbplus"]
    assert len(entry["training_data_sha256"]) == 64
