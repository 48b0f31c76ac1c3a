"""eventfuse: news articles in, a fused event dataset with per-claim provenance out."""

__version__ = "0.1.0"
