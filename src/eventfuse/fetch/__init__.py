"""Fetching articles and feeds over HTTP(S), politely and safely (issue 9).

:mod:`eventfuse.fetch.state` holds the per-URL record the store keeps (no HTTP import);
:mod:`eventfuse.fetch.safety` refuses private addresses; :mod:`eventfuse.fetch.client` is the
polite, size-limited client; :mod:`eventfuse.fetch.sources` turns fetched URLs into Articles.
"""
