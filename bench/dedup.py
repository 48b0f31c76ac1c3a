"""Near-duplicate look-up at ingest: MinHash objects built per call (the code before) vs the
cached permutations and the direct estimate (``eventfuse.ingest.dedup``), same process.

    python bench/dedup.py [--source ../shared/data/gva-dev/articles.jsonl] [--texts 300]

Checks that both give the same signatures and similarities, then times (CPU) the similarity of
every pair of a grid of signatures and the signatures of the texts, two rounds, as ratios.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from datasketch import MinHash

from eventfuse.ingest.dedup import SCHEME, SEED, shingles, signature, similarity

REPO = Path(__file__).resolve().parent.parent


def signature_before(text: str, num_perm: int = 64) -> bytes:
    minhash = MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME)
    minhash.update_batch([s.encode("utf-8") for s in sorted(shingles(text))])
    return np.asarray(minhash.hashvalues, dtype="<u8").tobytes()


def similarity_before(a: bytes, b: bytes) -> float:
    def minhash(blob: bytes) -> MinHash:
        values = np.frombuffer(blob, dtype="<u8").astype(np.uint64)
        return MinHash(num_perm=len(values), seed=SEED, hashvalues=values, scheme=SCHEME)
    return float(minhash(a).jaccard(minhash(b)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path,
                        default=REPO.parent / "shared" / "data" / "gva-dev" / "articles.jsonl")
    parser.add_argument("--texts", type=int, default=300)
    args = parser.parse_args(argv)
    lines = args.source.read_text("utf-8").splitlines()
    texts = [t for t in (json.loads(line).get("text") or "" for line in lines if line.strip())
             if t.strip()][: args.texts]
    blobs = [signature(t) for t in texts]
    if blobs != [signature_before(t) for t in texts]:
        raise SystemExit("signatures differ")
    pairs = [(blobs[i], blobs[j]) for i in range(0, len(blobs), 3) for j in range(0, len(blobs), 7)]
    if [similarity(a, b) for a, b in pairs] != [similarity_before(a, b) for a, b in pairs]:
        raise SystemExit("similarities differ")
    for round_ in (1, 2):
        for name, before, after, items in (
            ("similarity", lambda: [similarity_before(a, b) for a, b in pairs],
             lambda: [similarity(a, b) for a, b in pairs], len(pairs)),
            ("signature", lambda: [signature_before(t) for t in texts],
             lambda: [signature(t) for t in texts], len(texts)),
        ):
            start = time.process_time()
            before()
            middle = time.process_time()
            after()
            end = time.process_time()
            print(json.dumps({"round": round_, "what": name, "items": items,
                              "before_cpu_s": round(middle - start, 4),
                              "after_cpu_s": round(end - middle, 4),
                              "ratio": round((end - middle) / (middle - start), 4)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
