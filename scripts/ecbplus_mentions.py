"""Write the ECB+ train topics' gold event mentions as JSON Lines for scripts/train_encoder.py.

Usage: python scripts/ecbplus_mentions.py ../shared/data/ecbplus build/ecbplus_train_mentions.jsonl

One line per mention, in the order the pair trainer reads them (topics ascending): its id, topic,
article, the product's own story of the article (the ``ecbplus`` profile's story clustering: the
sub-topic is never written), its gold coreference chain, the sentence and the trigger's character
span in it, and the trigger's head lemma. Dev topics are never read. Runs wherever eventfuse is
installed (`make train-encoder` uses its training venv); the encoder's trainer reads only this
file, never eventfuse's code.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from eventfuse.evaluate import ecbplus as E
from eventfuse.fuse.config import load_config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    config = load_config(E.PROFILE, with_model=False)
    numbers = E.train_topics(args.directory)
    assert not set(numbers) & set(E.DEV_TOPICS)
    corpus = E.read_corpus(args.directory, numbers)
    stories = E.product_stories(corpus, config)  # one topic at a time, as the trainer's
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for number in numbers:
            for g in corpus.mentions:
                m = g.mention
                if g.topic != number or m.sentence is None or m.trigger is None:
                    continue
                row = {
                    "topic": number,
                    "id": m.id,
                    "article": m.article_id,
                    "story": stories.get(m.article_id, m.article_id),
                    "gold": g.gold,
                    "sentence": m.sentence.text,
                    "start": m.trigger.start - m.sentence.start,
                    "end": m.trigger.end - m.sentence.start,
                    "lemma": g.head_lemma,
                }
                out.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
