"""es_verify against the real clusters."""

from __future__ import annotations

import pytest

from esops_testbed.guide_data import PRODUCT_IDS, PRODUCT_INDEX, load_product_info
from esops_testbed.support import run_module

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


LEVELS = ("count", "ids", "content", "sample")


def verify(args, level, **extra):
    return run_module("es_verify", dict(args, level=level, sample_size=50, **extra)).result


@pytest.mark.parametrize("level", LEVELS)
def test_every_level_passes_on_an_intact_copy(copied, level):
    result = verify(copied[2], level)
    assert not result.get("failed"), result.get("msg")
    assert result["match"] is True and result["level"] == level
    if level != "count":
        assert result["missing"] == result["mismatched"] == 0 and result["compared"] == 6
        assert result["mappings"]["type_differences"] == {}


def test_deleted_document_is_caught_by_count_and_named_by_ids(copied):
    source, dest, args = copied
    dest.client.delete(index=DEST_INDEX, id=PRODUCT_IDS[2])
    assert verify(args, "count")["failed"]
    result = verify(args, "ids")
    assert result["failed"] and result["missing"] == 1 and result["missing_ids"] == [PRODUCT_IDS[2]]
    assert "1 missing, first: %s" % PRODUCT_IDS[2] in result["msg"] and "5 documents" in result["msg"]


def test_extra_document_is_named_by_ids(copied):
    source, dest, args = copied
    dest.client.index(index=DEST_INDEX, id="intruder", document={"productName": "x"})
    result = verify(args, "ids")
    assert result["failed"] and result["extra"] == 1 and result["extra_ids"] == ["intruder"]


def test_changed_field_passes_counts_and_ids_but_content_and_sample_catch_it(copied):
    source, dest, args = copied
    dest.client.update(index=DEST_INDEX, id=PRODUCT_IDS[4], doc={"annual_rate": "0.0001%"})
    assert verify(args, "count")["match"] is True
    assert verify(args, "ids")["match"] is True
    for level in ("content", "sample"):
        result = verify(args, level)
        assert result["failed"], level
        assert result["mismatched"] == 1 and result["mismatched_ids"] == [PRODUCT_IDS[4]], level
        assert "different _source" in result["msg"]


def test_a_missing_document_and_a_duplicate_under_another_id_are_both_seen(copied):
    """Same count, wrong set: ids catches what count cannot."""
    source, dest, args = copied
    doc = dest.client.get(index=DEST_INDEX, id=PRODUCT_IDS[0])["_source"]
    dest.client.delete(index=DEST_INDEX, id=PRODUCT_IDS[0])
    dest.client.index(index=DEST_INDEX, id="copy-of-0", document=doc)
    assert verify(args, "count")["match"] is True
    result = verify(args, "ids")
    assert result["failed"] and (result["missing"], result["extra"]) == (1, 1)


def test_changed_mapping_type_is_caught_from_the_ids_level(copied):
    source, dest, args = copied
    dest.client.indices.delete(index=DEST_INDEX)
    dest.client.indices.create(index=DEST_INDEX, mappings={"properties": {
        "productName": {"type": "text"}, "annual_rate": {"type": "text"}, "describe": {"type": "text"}}})
    for doc_id in PRODUCT_IDS:
        dest.client.index(index=DEST_INDEX, id=doc_id, document=source.client.get(index=PRODUCT_INDEX, id=doc_id)["_source"])
    assert verify(args, "count")["match"] is True
    result = verify(args, "ids")
    assert result["failed"] and result["mappings"]["type_differences"] == {"annual_rate": ["keyword", "text"]}
    assert "annual_rate is keyword on the source but text on the destination" in result["msg"]


@pytest.mark.parametrize("stream_with", ["scroll", "point_in_time"])
def test_scroll_and_point_in_time_streams_find_the_same_faults_with_spilling(copied, stream_with):
    source, dest, args = copied
    dest.client.delete(index=DEST_INDEX, id=PRODUCT_IDS[1])
    dest.client.update(index=DEST_INDEX, id=PRODUCT_IDS[5], doc={"describe": "changed"})
    result = verify(args, "content", stream_with=stream_with, memory_limit=1, batch_size=2)
    assert result["failed"]
    assert result["missing_ids"] == [PRODUCT_IDS[1]] and result["mismatched_ids"] == [PRODUCT_IDS[5]]
    assert result["compared"] == 5 and result["spilled"] > 0


def test_dest_query_all_compares_the_subset_with_the_whole_destination(copied):
    source, dest, args = copied
    query = {"match": {"describe": "fixed"}}
    subset = source.client.count(index=PRODUCT_INDEX, query=query)["count"]
    assert verify(args, "ids", query=query)["match"] is True
    result = verify(args, "ids", query=query, dest_query_all=True)
    assert result["failed"] and result["source_count"] == subset and result["dest_count"] == 6
    assert result["extra"] == 6 - subset


# --- issue 13: a verification that compared nothing never passes ---------------------------------------------


@pytest.fixture()
def one_missing_one_extra(copied):
    """Same counts on both sides, but dest lacks one source document and holds one the source does not."""
    source, dest, args = copied
    dest.client.delete(index=DEST_INDEX, id=PRODUCT_IDS[0])
    dest.client.index(index=DEST_INDEX, id="extra", document={"productName": "extra"}, refresh=True)
    return source, dest, args


@pytest.mark.parametrize("options", [dict(level="ids", batch_size=0), dict(level="sample", sample_size=0),
                                     dict(level="ids", memory_limit=0), dict(level="content", max_report=0)])
def test_a_count_option_below_one_is_refused(one_missing_one_extra, options):
    source, dest, args = one_missing_one_extra
    result = run_module("es_verify", dict(args, **options)).result
    assert result["failed"] and result["match"] is False, result
    option = [name for name in options if name != "level"][0]
    assert "%s must be at least 1, not 0" % option in result["msg"]


def test_ids_with_a_missing_and_an_extra_document_fails(one_missing_one_extra):
    source, dest, args = one_missing_one_extra
    result = run_module("es_verify", dict(args, level="ids", batch_size=2)).result
    assert result["failed"] and result["match"] is False
    assert (result["missing"], result["extra"], result["compared"]) == (1, 1, 5)
