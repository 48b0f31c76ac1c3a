"""Where extraction and fusion spend their time: cProfile (standard library) on the corpus.

    python bench/hotspots.py WORKDIR [extract|fuse] [--articles 80] [--top 40]

WORKDIR is a corpus folder from bench/corpus.py (articles.jsonl). The spaCy model and the
lexicons are loaded before profiling, so the listing shows steady-state costs only.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("work", type=Path)
    parser.add_argument("stage", choices=("extract", "fuse"))
    parser.add_argument("--articles", type=int, default=80)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(argv)

    from eventfuse.extract import extract_articles, extract_mentions
    from eventfuse.fuse import fuse
    from eventfuse.ingest import read_sources
    from eventfuse.nlp import get_nlp
    from eventfuse.records import Article
    from eventfuse.settings import load_options

    options = load_options()
    items = read_sources([str(args.work / "articles.jsonl")], options)
    articles = [a for a in items if isinstance(a, Article)][: args.articles]
    docs = list(get_nlp().pipe(a.text for a in articles))
    extract_mentions(articles[0], docs[0])  # lexicons and gazetteer loaded before profiling
    profiler = cProfile.Profile()
    if args.stage == "extract":
        profiler.enable()
        for article, doc in zip(articles, docs, strict=True):
            extract_mentions(article, doc)
        profiler.disable()
    else:
        mentions = extract_articles(articles, options)
        profiler.enable()
        fuse(mentions, articles)
        profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
