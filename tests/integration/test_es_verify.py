"""es_verify against the real clusters."""

from __future__ import annotations

import pytest

from guide_data import PRODUCT_IDS, PRODUCT_INDEX, load_product_info
from support import run_module

DEST_INDEX = "verify_it"


@pytest.fixture()
def copied(source, dest):
    """The guide data on source, and an exact copy on dest (loaded directly, not by es_reindex)."""
    load_product_info(source.client)
    load_product_info(dest.client, DEST_INDEX)
    args = dict(dest.connection(), source=dict(source.connection(), index=PRODUCT_INDEX), dest_index=DEST_INDEX)
    return source, dest, args


def test_equal_counts_pass_and_report_both(copied):
    source, dest, args = copied
    result = run_module("es_verify", args).result
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is False
    assert (result["source_count"], result["dest_count"], result["difference"], result["match"]) == (6, 6, 0, True)


def test_a_missing_document_fails_with_both_numbers(copied):
    source, dest, args = copied
    dest.client.delete(index=DEST_INDEX, id=PRODUCT_IDS[3])  # no refresh: es_verify must refresh itself
    result = run_module("es_verify", args).result
    assert result["failed"]
    assert result["source_count"] == 6 and result["dest_count"] == 5 and result["match"] is False
    assert "5" in result["msg"] and "6" in result["msg"] and "1 missing" in result["msg"]


def test_an_extra_document_fails(copied):
    source, dest, args = copied
    dest.client.index(index=DEST_INDEX, id="extra", document={"productName": "extra"})
    result = run_module("es_verify", args).result
    assert result["failed"] and result["difference"] == 1 and "1 more" in result["msg"]


def test_query_counts_the_same_subset_on_both_sides_in_check_mode(copied):
    source, dest, args = copied
    query = {"match": {"describe": "fixed"}}
    expected = source.client.count(index=PRODUCT_INDEX, query=query)["count"]
    dest.client.delete(index=DEST_INDEX, id=next(
        hit["_id"] for hit in dest.client.search(index=DEST_INDEX, query={"bool": {"must_not": query}})["hits"]["hits"]
    ))
    result = run_module("es_verify", dict(args, query=query), check=True).result
    assert not result.get("failed"), result.get("msg")
    assert result["source_count"] == result["dest_count"] == expected


def test_a_missing_index_names_the_server_error(copied):
    source, dest, args = copied
    result = run_module("es_verify", dict(args, dest_index="no_such_index")).result
    assert result["failed"] and "404" in result["msg"] and "index_not_found_exception" in result["msg"]
    assert "no_such_index" in result["msg"]
