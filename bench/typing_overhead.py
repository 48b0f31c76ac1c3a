"""What the typing classifier adds to extraction time (issue 14: at most 30%).

    python bench/typing_overhead.py [--articles 60] [--rounds 2]

Real local news (../shared/data/gva-dev/articles.jsonl, read only) is parsed once and each
article's mentions are extracted with the typing hook and without it (the hook replaced by the
identity), alternating, in one process; the figure is the ratio of CPU seconds of parse +
extraction. Loading the models (once per process) is timed apart.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import eventfuse.extract as extract
import eventfuse.extract.pipeline as pipeline
from eventfuse.extract.embedding import get_embedder
from eventfuse.extract.events import EventCandidate
from eventfuse.extract.typing import get_typing_model
from eventfuse.nlp import get_nlp, parse
from eventfuse.records import Article

ARTICLES = Path(__file__).resolve().parents[1].parent / "shared/data/gva-dev/articles.jsonl"


def _identity(
    candidates: Sequence[EventCandidate], keep_mentions: bool = True
) -> list[EventCandidate]:
    """The hook switched off: the lexicon's candidates as they are."""
    return list(candidates)


def _articles(limit: int) -> list[Article]:
    found = []
    with ARTICLES.open(encoding="utf-8") as handle:
        for line in handle:
            raw = json.loads(line)
            if raw.get("text"):
                found.append(
                    Article(id=str(raw["id"]), text=str(raw["text"]), title=raw.get("title"))
                )
            if len(found) == limit:
                break
    return found


def _extract_cpu(articles: Sequence[Article]) -> tuple[float, int]:
    start = time.process_time()
    count = 0
    for article, doc in zip(articles, parse(a.text for a in articles), strict=True):
        count += len(extract.extract_mentions(article, doc))
    return time.process_time() - start, count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    articles = _articles(args.articles)
    start = time.process_time()
    get_nlp()
    spacy_load = time.process_time() - start
    start = time.process_time()
    get_embedder()
    get_typing_model()
    typing_load = time.process_time() - start
    hooked: Callable[..., list[EventCandidate]] = pipeline.type_candidates
    _extract_cpu(articles[:5])  # warm both paths (prototype embeddings, caches)
    with_typing, without = [], []
    for _ in range(args.rounds):
        pipeline.type_candidates = _identity
        without.append(_extract_cpu(articles))
        pipeline.type_candidates = hooked
        with_typing.append(_extract_cpu(articles))
    base = min(t for t, _ in without)
    typed = min(t for t, _ in with_typing)
    print(
        json.dumps(
            {
                "articles": len(articles),
                "mentions_without_typing": without[0][1],
                "mentions_with_typing": with_typing[0][1],
                "extract_cpu_s_without_typing": round(base, 2),
                "extract_cpu_s_with_typing": round(typed, 2),
                "ratio": round(typed / base, 3),
                "load_cpu_s_spacy": round(spacy_load, 2),
                "load_cpu_s_typing": round(typing_load, 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
