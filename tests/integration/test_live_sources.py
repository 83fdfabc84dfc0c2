"""Live sources on real nodes: catch-up rounds of es_reindex (since) and deletions mirrored by es_mirror_deletes.

Uses the session clusters source and dest (dest whitelists source) with indices of its own.
"""

from __future__ import annotations

import time

import pytest

from esops_testbed.support import run_module

SOURCE_INDEX = "live_orders"
DEST_INDEX = "live_orders_copy"
MINUTE = 60000
# Old documents five minutes apart, so the default overlap (1m) below a mark holds exactly one of them.
BASE = (int(time.time()) - 86400) * 1000


def doc(number, stamp, status="new"):
    return {"number": number, "status": status, "updated_at": stamp}


def write(client, docs):
    for doc_id, body in docs.items():
        client.index(index=SOURCE_INDEX, id=doc_id, document=body)
    client.indices.refresh(index=SOURCE_INDEX)


def contents(client, index):
    client.indices.refresh(index=index)
    hits = client.search(index=index, size=1000, sort=["_doc"])["hits"]["hits"]
    return {hit["_id"]: hit["_source"] for hit in hits}


def stored_marks(dest):
    meta = dest.client.indices.get_mapping(index=DEST_INDEX)[DEST_INDEX]["mappings"].get("_meta") or {}
    return meta.get("esops_migration", {}).get("high_water_marks")


@pytest.fixture()
def live(whitelisted):
    """A source index with 20 old documents (the newest at BASE), no destination; (source, dest, module args)."""
    source, dest = whitelisted
    for cluster, index in ((source, SOURCE_INDEX), (dest, DEST_INDEX)):
        cluster.client.options(ignore_status=404).indices.delete(index=index)
    source.client.indices.create(index=SOURCE_INDEX, mappings={"properties": {
        "number": {"type": "integer"}, "status": {"type": "keyword"}, "updated_at": {"type": "date"}}})
    write(source.client, {"old-%02d" % i: doc(i, BASE - i * 5 * MINUTE) for i in range(20)})
    args = dict(dest.connection(), remote=dict(host=source.url, username=source.username, password=source.password),
                source_index=SOURCE_INDEX, dest_index=DEST_INDEX, mode="sync",
                since=dict(field="updated_at", value="auto"))
    return source, dest, args


def run(args, check=False):
    result = run_module("es_reindex", args, check=check).result
    assert not result.get("failed"), result.get("msg")
    return result


def test_catch_up_rounds_copy_only_what_changed_and_converge(live):
    source, dest, args = live
    first = run(args)
    assert first["changed"] is True and first["created"] == 20
    round_one = first["catch_up"]
    assert (round_one["matched"], round_one["copied"]) == (20, 20)
    assert round_one["marks"][0]["previous"] is None and round_one["marks"][0]["from"] is None
    assert round_one["high_water_mark"] == BASE and round_one["marks"][0]["stored"] is True
    assert stored_marks(dest)[0]["mark"] == BASE and stored_marks(dest)[0]["source_index"] == SOURCE_INDEX

    # The source keeps taking writes: 5 new documents, 3 old ones updated (newer timestamps).
    new = {"new-%d" % i: doc(100 + i, BASE + (60 + i * 5) * MINUTE) for i in range(5)}
    updated = {"old-%02d" % i: doc(i, BASE + 30 * MINUTE, status="paid") for i in (5, 7, 9)}
    write(source.client, dict(new, **updated))
    newest = BASE + (60 + 4 * 5) * MINUTE

    predicted = run(args, check=True)
    assert predicted["changed"] is True and predicted["total"] == 9  # 5 new + 3 updated + old-00 in the overlap
    assert predicted["catch_up"]["high_water_mark"] == newest
    assert stored_marks(dest)[0]["mark"] == BASE and len(contents(dest.client, DEST_INDEX)) == 20

    second = run(args)
    round_two = second["catch_up"]
    assert second["changed"] is True
    assert (second["created"], second["updated"], second["version_conflicts"]) == (5, 3, 1)
    assert (round_two["matched"], round_two["copied"]) == (9, 8)
    assert round_two["marks"][0]["previous"] == BASE and round_two["marks"][0]["from"] == BASE - MINUTE
    assert round_two["high_water_mark"] == newest and stored_marks(dest)[0]["mark"] == newest
    assert round_two["seconds"] > 0
    assert contents(dest.client, DEST_INDEX) == contents(source.client, SOURCE_INDEX)

    third = run(args)
    assert third["changed"] is False
    assert (third["catch_up"]["matched"], third["catch_up"]["copied"]) == (1, 0)  # new-4, in the overlap
    assert third["catch_up"]["marks"][0]["stored"] is False
    assert run(args, check=True)["changed"] is False


def test_an_explicit_since_value_selects_the_range_and_numbers_work_too(live):
    source, dest, args = live
    explicit = run(dict(args, since=dict(field="number", value=15)))
    assert explicit["created"] == 5 and sorted(contents(dest.client, DEST_INDEX)) == ["old-%02d" % i
                                                                                      for i in range(15, 20)]
    assert explicit["catch_up"]["marks"][0]["from"] == 15 and explicit["catch_up"]["high_water_mark"] == 19
    wrong = run_module("es_reindex", dict(args, since=dict(field="status", value="auto"))).result
    assert wrong["failed"] and "since.field 'status'" in wrong["msg"] and "keyword" in wrong["msg"]
    wrong = run_module("es_reindex", dict(args, since=dict(field="number", value="auto", overlap="1m"))).result
    assert wrong["failed"] and "must be a number for the numeric field number" in wrong["msg"]
    assert len(contents(dest.client, DEST_INDEX)) == 5


def mirror(dest, source, check=False, diff=False, **options):
    args = dict(dest.connection(), dest_index=DEST_INDEX, source=dict(
        hosts=[source.url], username=source.username, password=source.password, index=SOURCE_INDEX), **options)
    return run_module("es_mirror_deletes", args, check=check, diff=diff).result


def test_deletions_on_the_source_are_mirrored_within_the_limits(live):
    source, dest, args = live
    run(args)
    gone = ["old-%02d" % i for i in (1, 4, 8, 15)]
    for doc_id in gone:
        source.client.delete(index=SOURCE_INDEX, id=doc_id)
    write(source.client, {"new-0": doc(100, BASE + 10 * MINUTE)})  # a write that arrives with the next round
    source.client.indices.refresh(index=SOURCE_INDEX)
    assert run(args)["catch_up"]["copied"] == 1

    predicted = mirror(dest, source, check=True, diff=True, max_report=2)
    assert not predicted.get("failed"), predicted.get("msg")
    assert predicted["changed"] is True and (predicted["to_delete"], predicted["deleted"]) == (4, 0)
    assert predicted["deleted_ids"] == gone[:2] and predicted["diff"]["before"] == "old-01\nold-04\n... and 2 more\n"
    assert (predicted["source_ids"], predicted["dest_ids"]) == (17, 21)
    assert len(contents(dest.client, DEST_INDEX)) == 21

    refused = mirror(dest, source, max_deletes=3)
    assert refused["failed"] and "4 documents of the destination are not on the source, more than max_deletes (3)" \
        in refused["msg"] and refused["deleted"] == 0
    assert len(contents(dest.client, DEST_INDEX)) == 21

    wrong_query = mirror(dest, source, query={"term": {"status": "no-such-status"}}, max_deletes=3)
    assert not wrong_query.get("failed") and wrong_query["to_delete"] == 0  # the query applies to both sides

    done = mirror(dest, source, max_deletes=4)
    assert not done.get("failed"), done.get("msg")
    assert done["changed"] is True and (done["to_delete"], done["deleted"]) == (4, 4)
    assert contents(dest.client, DEST_INDEX) == contents(source.client, SOURCE_INDEX)

    again = mirror(dest, source)
    assert not again.get("failed") and again["changed"] is False and again["deleted"] == 0
    assert run(args)["changed"] is False
