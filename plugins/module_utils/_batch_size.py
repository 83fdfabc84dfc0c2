# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documents per batch of a reindex from remote (source.size), chosen from the source's average document size.

The destination reads each scroll batch of the remote into a buffer of 100 MB (fixed in Elasticsearch's
RemoteScrollableHitSource); a larger batch fails the task with "Remote responded with a chunk that was too large.
Use a smaller batch size.". Batches as large as fit keep the number of round trips (each pays the link's latency)
low.

size: auto = TARGET_BATCH_BYTES / (primary store size / primary documents), clamped to [MIN_SIZE, MAX_SIZE]:
about 10 MB per batch, a tenth of the buffer. The store size is compressed on disk while the remote answers with
JSON, so the tenth leaves room for a compression ratio up to about 10; a batch that still comes back too large is
retried with half the size (see CopyJob.halve_size).
"""

from __future__ import annotations

import re

AUTO = "auto"
TARGET_BATCH_BYTES = 10 * 1024 * 1024
MIN_SIZE = 1  # a document of 10 MB or more travels alone
MAX_SIZE = 10000  # the largest scroll page a 7.x+ source gives without raising index.max_result_window
SERVER_DEFAULT_SIZE = 1000  # what Elasticsearch uses when source.size is not given
# How the destination says a batch overflowed its buffer for the remote's responses.
CHUNK_TOO_LARGE = re.compile(r"Remote responded with a chunk that was too large")
# A copy failing so is retried with half the batch size at most this many times (1000 down to 7).
MAX_HALVINGS = 7


def parse_size(value):
    """The size option as None (server default), AUTO or a number; raises ValueError for anything else (pure)."""
    if value is None or value == "":
        return None
    if str(value).strip().lower() == AUTO:
        return AUTO
    if isinstance(value, bool) or not str(value).strip().isdigit():
        raise ValueError("size must be a positive number of documents or auto, not %r" % (value,))
    number = int(str(value).strip())
    if number <= 0:
        raise ValueError("size must be a positive number of documents or auto, not %s" % number)
    return number


def size_problems(value):
    try:
        parse_size(value)
    except ValueError as exc:
        return [str(exc)]
    return []


def auto_size(store_bytes, docs):
    """Documents per batch for documents of store_bytes / docs bytes on average; None for an empty index (pure)."""
    if not docs:
        return None
    average = max(1.0, float(store_bytes) / docs)
    return int(min(MAX_SIZE, max(MIN_SIZE, TARGET_BATCH_BYTES // average)))


def primaries_figures(stats_answer, index):
    """(documents, store bytes) of the primaries of `index` in a GET <index>/_stats/docs,store answer (pure)."""
    primaries = (((stats_answer or {}).get("indices") or {}).get(index) or {}).get("primaries") or {}
    docs = int((primaries.get("docs") or {}).get("count") or 0)
    store = int((primaries.get("store") or {}).get("size_in_bytes") or 0)
    return docs, store


def auto_size_entry(stats_answer, index):
    """What size auto chose for one source index and from what (pure)."""
    docs, store = primaries_figures(stats_answer, index)
    return dict(docs=docs, store_bytes=store, average_doc_bytes=int(store / docs) if docs else None,
                size=auto_size(store, docs))


def halved(size):
    """The next batch size after a chunk that was too large: half the size used (the server's 1000 when none) (pure)."""
    return max(MIN_SIZE, (size or SERVER_DEFAULT_SIZE) // 2)
