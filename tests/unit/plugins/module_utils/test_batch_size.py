"""size auto: documents per batch from the source's average document size, and the halving (pure helpers)."""

from __future__ import annotations

import pytest

from ansible_collections.esops.migration.plugins.module_utils._batch_size import (
    AUTO,
    MAX_SIZE,
    TARGET_BATCH_BYTES,
    auto_size,
    auto_size_entry,
    halved,
    parse_size,
    size_problems,
)

MB = 1024 * 1024


@pytest.mark.parametrize("value, parsed", [(None, None), ("", None), (500, 500), ("500", 500), ("auto", AUTO),
                                           ("Auto", AUTO)])
def test_size_is_a_number_or_auto(value, parsed):
    assert parse_size(value) == parsed


@pytest.mark.parametrize("value", [0, -3, "big", "1.5", True, [100]])
def test_other_sizes_are_refused_with_what_to_give(value):
    problems = size_problems(value)
    assert len(problems) == 1 and "positive number of documents or auto" in problems[0]


@pytest.mark.parametrize("average, size", [
    (1024, TARGET_BATCH_BYTES // 1024),  # 1 KiB documents: 10240 per batch, clamped to 10000
    (4096, 2560),
    (100 * 1024, 102),
    (3 * MB, 3),
    (50 * MB, 1),  # a document above the target travels alone
])
def test_a_batch_holds_about_ten_megabytes(average, size):
    assert auto_size(average * 1000, 1000) == min(MAX_SIZE, size)
    assert auto_size(average * 1000, 1000) * average <= max(TARGET_BATCH_BYTES, average)


def test_tiny_documents_are_clamped_to_the_largest_page():
    assert auto_size(10, 1000) == MAX_SIZE


def test_an_empty_index_leaves_the_servers_default():
    assert auto_size(0, 0) is None


def test_the_figures_come_from_the_primaries_of_the_index():
    stats = {"indices": {"big": {"primaries": {"docs": {"count": 36}, "store": {"size_in_bytes": 36 * 3 * MB}},
                                 "total": {"docs": {"count": 72}, "store": {"size_in_bytes": 72 * 3 * MB}}}}}
    assert auto_size_entry(stats, "big") == dict(docs=36, store_bytes=36 * 3 * MB, average_doc_bytes=3 * MB, size=3)
    assert auto_size_entry({}, "big") == dict(docs=0, store_bytes=0, average_doc_bytes=None, size=None)


def test_halving_starts_from_the_servers_default_and_stops_at_one():
    assert halved(None) == 500
    assert halved(36) == 18
    assert halved(1) == 1
