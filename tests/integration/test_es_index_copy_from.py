"""es_index copy_from and preflight against real source and dest clusters."""

from __future__ import annotations

import pytest

from esops_testbed.guide_data import GUIDE_MAPPINGS
from esops_testbed.support import run_module

SOURCE_INDEX = "copy_from_src"
DEST_INDEX = "copy_from_dest"
ANALYSIS = {"analyzer": {"name_analyzer": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase", "stop"]}}}
SOURCE_MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "productName": {"type": "text", "analyzer": "name_analyzer", "fields": {"raw": {"type": "keyword"}}},
        "annual_rate": {"type": "keyword", "normalizer": "lowercase"},
        "vendor": {"properties": {"name": {"type": "keyword"}}},
    },
}


@pytest.fixture()
def copy_args(source, dest):
    for cluster, index in ((source, SOURCE_INDEX), (dest, DEST_INDEX)):
        cluster.client.options(ignore_status=404).indices.delete(index=index)
    source.client.indices.create(
        index=SOURCE_INDEX,
        settings={"number_of_shards": 2, "number_of_replicas": 1, "refresh_interval": "5s", "analysis": ANALYSIS,
                  # must still allocate on the single source node
                  "routing": {"allocation": {"include": {"_name": "*"}}}},
        mappings=SOURCE_MAPPINGS,
    )
    # a source made read-only for the migration: the block must not reach the destination
    source.client.indices.put_settings(index=SOURCE_INDEX, settings={"index.blocks.write": True})
    copy_from = dict(index=SOURCE_INDEX, hosts=[source.url], username=source.username, password=source.password)
    return dict(dest.connection(), name=DEST_INDEX, copy_from=copy_from)


def test_copy_from_creates_the_index_as_on_the_source_with_overrides_then_reruns_unchanged(source, dest, copy_args):
    args = dict(copy_args, settings={"number_of_replicas": 0},
                mappings={"properties": {"price": {"type": "double"}}})

    checked = run_module("es_index", args, check=True, diff=True).result
    assert not checked.get("failed"), checked.get("msg")
    assert checked["changed"] is True and checked["created"] is True
    assert checked["diff"]["after"]["settings"]["index.number_of_shards"] == "2"
    assert not dest.client.indices.exists(index=DEST_INDEX)

    created = run_module("es_index", args).result
    assert not created.get("failed"), created.get("msg")
    assert created["changed"] is True and created["created"] is True
    assert {"index.uuid", "index.creation_date", "index.provided_name", "index.version.created",
            "index.routing.allocation.include._name", "index.blocks.write"} <= set(created["settings_dropped"])

    have = dest.client.indices.get_settings(index=DEST_INDEX)[DEST_INDEX]["settings"]["index"]
    had = source.client.indices.get_settings(index=SOURCE_INDEX)[SOURCE_INDEX]["settings"]["index"]
    assert (have["number_of_shards"], have["number_of_replicas"], have["refresh_interval"]) == ("2", "0", "5s")
    assert have["analysis"] == had["analysis"]
    assert "_name" not in have["routing"]["allocation"]["include"]  # _tier_preference is the dest's own default
    assert "blocks" not in have
    assert have["uuid"] != had["uuid"] and have["provided_name"] == DEST_INDEX
    assert have["creation_date"] != had["creation_date"]
    mappings = dest.client.indices.get_mapping(index=DEST_INDEX)[DEST_INDEX]["mappings"]
    expected = dict(SOURCE_MAPPINGS, properties=dict(SOURCE_MAPPINGS["properties"], price={"type": "double"}))
    assert mappings == expected
    analyzed = dest.client.indices.analyze(index=DEST_INDEX, field="productName", text="The Phone")
    assert [token["token"] for token in analyzed["tokens"]] == ["phone"]  # the copied analyzer works

    again = run_module("es_index", args).result
    assert again["changed"] is False, again

    # an override of a dynamic setting on the existing copy is applied in place
    faster = run_module("es_index", dict(args, settings={"number_of_replicas": 0, "refresh_interval": "1s"})).result
    assert faster["changed"] is True and faster["settings_changed"] == {"index.refresh_interval": ["5s", "1s"]}
    assert dest.client.indices.get_settings(index=DEST_INDEX)[DEST_INDEX]["settings"]["index"]["uuid"] == have["uuid"]


def test_preflight_names_what_the_destination_cannot_resolve_and_creates_nothing(dest, copy_args):
    # The guide's mapping (ik_smart), an unknown field type and a custom analyzer on a missing tokenizer, in
    # check mode: the preflight is read-only and runs there too.
    mappings = {"properties": dict(GUIDE_MAPPINGS["properties"], bar={"type": "foo"},
                                   title={"type": "text", "analyzer": "cjk_words"})}
    settings = {"analysis": {"analyzer": {"cjk_words": {"type": "custom", "tokenizer": "ik_max_word",
                                                        "filter": ["lowercase"]}}}}
    plain = dict(dest.connection(), name=DEST_INDEX, settings=settings, mappings=mappings)
    result = run_module("es_index", plain, check=True).result
    assert result["failed"] and result["created"] is False
    msg = result["msg"]
    assert "analyzer [ik_smart] used by field describe, field productName" in msg, msg
    assert "field type [foo] used by field bar" in msg, msg
    assert "tokenizer [ik_max_word] used by analyzer cjk_words" in msg, msg
    assert "analysis-ik" in msg and "Nothing was created" in msg
    assert "lowercase" not in msg and "standard" not in msg.split("Install")[0]  # what resolves is not named
    assert "Traceback" not in msg

    # copy_from with an override the destination cannot resolve fails before creating anything
    override = {"properties": {"productName": {"analyzer": "ik_smart"}}}
    copied = run_module("es_index", dict(copy_args, mappings=override)).result
    assert copied["failed"], copied
    assert "analyzer [ik_smart] used by field productName" in copied["msg"]
    assert copied["unresolved"] == [{"kind": "analyzer", "name": "ik_smart", "used_by": ["field productName"]}]
    assert not dest.client.indices.exists(index=DEST_INDEX)
