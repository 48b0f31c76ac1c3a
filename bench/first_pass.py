"""CPU cost of parsing with and without the cheap first pass, side by side (issue 19 part 4).

    python bench/first_pass.py [--source ../shared/data/gva-dev/articles.jsonl] [--articles 300]
                               [--rounds 2] [--batch-size 32] [--json FILE]

The first ``--articles`` texts of ``--source`` (JSON Lines with a ``text`` field, read in place)
are parsed in this process by the full pipeline (``nlp.pipe``) and by the first pass
(``eventfuse.extract.firstpass``), alternating, ``--rounds`` times, model loaded before the clock
starts.
Reported: CPU seconds of each (process time: far less sensitive than wall time to the other work
on a shared machine), their ratio, and the share of sentences and tokens the first pass parsed in
full.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from eventfuse.extract.firstpass import first_pass_parse, select_pieces
from eventfuse.nlp import get_nlp


def read_texts(path: Path, limit: int) -> list[str]:
    texts: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                texts.append(str(json.loads(line)["text"]))
            if len(texts) >= limit:
                break
    return texts


def coverage(texts: list[str]) -> dict[str, float]:
    """Share of the sentencizer's sentences and of tokens the first pass parses in full."""
    from eventfuse.extract.firstpass import _sentencizer

    nlp = get_nlp()
    sentences = full_sentences = tokens = full_tokens = 0
    for text in texts:
        doc = _sentencizer()(nlp.make_doc(text))
        for piece in select_pieces(doc, nlp):
            count = sum(1 for t in doc[piece.start : piece.end] if t.is_sent_start)
            sentences += count
            tokens += piece.end - piece.start
            if piece.full:
                full_sentences += count
                full_tokens += piece.end - piece.start
    return {"sentences_full": full_sentences / max(1, sentences),
            "tokens_full": full_tokens / max(1, tokens)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path,
                        default=Path("../shared/data/gva-dev/articles.jsonl"))
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    texts = read_texts(args.source, args.articles)
    nlp = get_nlp()
    list(nlp.pipe(texts[:2]))
    list(first_pass_parse(nlp, texts[:2]))  # warm up: lexicon and tables loaded
    full: list[float] = []
    first: list[float] = []
    for _ in range(args.rounds):
        started = time.process_time()
        sum(1 for _ in nlp.pipe(texts, batch_size=args.batch_size))
        full.append(time.process_time() - started)
        started = time.process_time()
        sum(1 for _ in first_pass_parse(nlp, texts, batch_size=args.batch_size))
        first.append(time.process_time() - started)
    figures: dict[str, Any] = {
        "texts": len(texts),
        "words": sum(len(t.split()) for t in texts),
        "full_cpu_seconds": [round(s, 2) for s in full],
        "first_pass_cpu_seconds": [round(s, 2) for s in first],
        "ratio_median": round(statistics.median(f / s for f, s in zip(first, full, strict=True)),
                              3),
        **{k: round(v, 3) for k, v in coverage(texts).items()},
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
