"""CPU time of the extraction rules alone (no spaCy parse): issue 19 part 5's before/after.

    python bench/rules.py [--source ../shared/data/gva-dev/articles.jsonl] [--articles 300]
                          [--parse-cache /tmp/gvacache] [--reps 2] [--dump FILE]

The first ``--articles`` articles of ``--source`` are ingested into an in-memory store as a run
ingests them, cut to the per-article bounds and parsed (through ``--parse-cache``); then the
extraction components run ``--reps`` times on fresh copies of the Docs (no per-Doc cache kept),
timed with ``time.process_time``. Run it with ``PYTHONPATH=<tree>/src`` for each tree, alternately,
to compare two trees on a shared machine. ``--dump`` writes the mentions (``records.to_dict``,
sorted keys) for a byte-for-byte comparison between trees.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path,
                        default=REPO.parent / "shared" / "data" / "gva-dev" / "articles.jsonl")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--parse-cache", type=Path, default=Path("/tmp/gvacache"))
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--dump", type=Path)
    args = parser.parse_args(argv)

    from spacy.tokens import Doc

    import eventfuse
    from eventfuse.engines.local import ingest_articles
    from eventfuse.extract import extract_mentions
    from eventfuse.extract.bounds import bounded_articles
    from eventfuse.ingest.sources import read_file
    from eventfuse.nlp import parse_cached
    from eventfuse.records import to_dict
    from eventfuse.settings import load_options
    from eventfuse.store import open_store

    options = load_options()
    with open_store(":memory:") as store:
        ingest_articles(read_file(str(args.source), options), store, options)
        articles = bounded_articles(store.get_articles()[: args.articles], options)
    docs = parse_cached([a.text for a in articles], args.parse_cache)

    def fresh() -> list[Doc]:
        return [Doc(d.vocab).from_bytes(d.to_bytes()) for d in docs]

    extract_mentions(articles[0], fresh()[0], options)  # lexicons, gazetteer, models loaded
    prefetch, cache = _headline_prefetch()
    tree = str(Path(eventfuse.__file__).resolve().parents[2])
    for _ in range(args.reps):
        copies = fresh()
        started = time.process_time()
        if prefetch is not None:  # what extract_batch does first, timed with the rules
            cache.clear()
            prefetch([a.title for a in articles if a.title and a.title.strip()])
        mentions = [m for a, d in zip(articles, copies, strict=True)
                    for m in extract_mentions(a, d, options)]
        print(f"{tree}: rules {time.process_time() - started:.2f} CPU s, "
              f"{len(articles)} articles, {len(mentions)} mentions", flush=True)
    if args.dump:
        args.dump.write_text(json.dumps([to_dict(m) for m in mentions], sort_keys=True,
                                        indent=0), encoding="utf-8")
    return 0


def _headline_prefetch() -> tuple[Callable[[list[str]], object] | None, dict[str, object]]:
    """The batch's headline pass of the tree under test and its cache: the headline parses
    (extract/headline_parse.py) or, in older trees, the salience's title lemmas."""
    try:
        from eventfuse.extract.headline_parse import headline_docs

        return headline_docs, headline_docs.__globals__["_HEADLINES"]
    except ImportError:
        pass
    try:
        from eventfuse.extract.pipeline import title_lemmas  # type: ignore[attr-defined]

        return title_lemmas, title_lemmas.__globals__["_TITLE_LEMMAS"]
    except ImportError:
        return None, {}


if __name__ == "__main__":
    raise SystemExit(main())
