"""es_index against the real dest cluster: create, idempotent rerun, in-place changes, refusals."""

from __future__ import annotations

import pytest

from esops_testbed.support import run_module

INDEX = "es_index_it"
SETTINGS = {"number_of_shards": 2, "number_of_replicas": 0, "refresh_interval": "5s"}
MAPPINGS = {"properties": {"title": {"type": "text"}, "rate": {"type": "keyword"},
                           "vendor": {"properties": {"name": {"type": "keyword"}}}}}


@pytest.fixture()
def index_args(dest):
    dest.client.options(ignore_status=404).indices.delete(index=INDEX)
    return dict(dest.connection(), name=INDEX, settings=SETTINGS, mappings=MAPPINGS, aliases={"es_index_alias": {}})


def test_creates_then_reruns_unchanged_even_with_strings_for_numbers(dest, index_args):
    checked = run_module("es_index", index_args, check=True, diff=True).result
    assert checked["changed"] is True and checked["created"] is True
    assert not dest.client.indices.exists(index=INDEX)

    created = run_module("es_index", index_args, diff=True).result
    assert not created.get("failed"), created.get("msg")
    assert created["changed"] is True and created["created"] is True
    assert created["diff"]["after"]["settings"]["index.number_of_shards"] == "2"
    settings = dest.client.indices.get_settings(index=INDEX)[INDEX]["settings"]["index"]
    assert (settings["number_of_shards"], settings["refresh_interval"]) == ("2", "5s")
    assert "es_index_alias" in dest.client.indices.get_alias(index=INDEX)[INDEX]["aliases"]

    again = run_module("es_index", index_args).result
    assert again["changed"] is False, again
    as_strings = dict(index_args, settings={"index": {"number_of_shards": "2", "number_of_replicas": "0"}})
    assert run_module("es_index", as_strings).result["changed"] is False


def test_dynamic_settings_new_fields_and_aliases_are_applied_in_place(dest, index_args):
    run_module("es_index", index_args)
    uuid = dest.client.indices.get_settings(index=INDEX)[INDEX]["settings"]["index"]["uuid"]
    mappings = {"properties": dict(MAPPINGS["properties"], price={"type": "double"},
                                   vendor={"properties": {"name": {"type": "keyword"}, "country": {"type": "keyword"}}})}
    update = dict(index_args, settings={"refresh_interval": "30s"}, mappings=mappings,
                  aliases={"es_index_alias": {}, "es_index_alias2": {"is_write_index": True}})

    predicted = run_module("es_index", update, check=True, diff=True).result
    assert predicted["changed"] is True
    assert dest.client.indices.get_settings(index=INDEX)[INDEX]["settings"]["index"]["refresh_interval"] == "5s"

    result = run_module("es_index", update, diff=True).result
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is True
    assert result["settings_changed"] == {"index.refresh_interval": ["5s", "30s"]}
    assert result["fields_added"] == ["price", "vendor.country"]
    assert result["aliases_changed"] == ["es_index_alias2"]
    assert result["diff"]["before"]["settings"] == {"index.refresh_interval": "5s"}
    settings = dest.client.indices.get_settings(index=INDEX)[INDEX]["settings"]["index"]
    assert settings["refresh_interval"] == "30s" and settings["uuid"] == uuid  # same index, changed in place
    properties = dest.client.indices.get_mapping(index=INDEX)[INDEX]["mappings"]["properties"]
    assert properties["price"]["type"] == "double" and "country" in properties["vendor"]["properties"]
    assert run_module("es_index", update).result["changed"] is False


def test_static_setting_or_type_change_fails_naming_it_and_changes_nothing(dest, index_args):
    run_module("es_index", index_args)
    shards = run_module("es_index", dict(index_args, settings={"number_of_shards": 3, "refresh_interval": "9s"})).result
    assert shards["failed"]
    assert "index.number_of_shards" in shards["msg"] and "2" in shards["msg"] and "3" in shards["msg"]
    assert dest.client.indices.get_settings(index=INDEX)[INDEX]["settings"]["index"]["refresh_interval"] == "5s"

    retyped = {"properties": dict(MAPPINGS["properties"], rate={"type": "double"})}
    result = run_module("es_index", dict(index_args, mappings=retyped)).result
    assert result["failed"] and "field rate is keyword, asked double" in result["msg"]

    nested = {"properties": {"vendor": {"properties": {"name": {"type": "long"}}}}}
    result = run_module("es_index", dict(index_args, mappings=nested)).result
    assert result["failed"] and "vendor.name" in result["msg"]


def test_absent_deletes_once(dest, index_args):
    run_module("es_index", index_args)
    absent = dict(dest.connection(), name=INDEX, state="absent")
    assert run_module("es_index", absent, check=True).result["changed"] is True
    assert dest.client.indices.exists(index=INDEX)
    assert run_module("es_index", absent).result["deleted"] is True
    assert not dest.client.indices.exists(index=INDEX)
    assert run_module("es_index", absent).result["changed"] is False


def test_wrong_password_fails_with_status_and_reason_without_leaking_it(dest, index_args):
    run = run_module("es_index", dict(index_args, password="wrong-password-123"), verbosity=3)
    assert run.result["failed"]
    assert "401" in run.result["msg"] and "credentials" in run.result["msg"]
    assert "Traceback" not in run.result["msg"]
    assert "wrong-password-123" not in run.output


def test_an_unreachable_cluster_says_so(index_args):
    result = run_module("es_index", dict(index_args, hosts=["http://127.0.0.1:9"], max_retries=0)).result
    assert result["failed"] and "cannot reach Elasticsearch" in result["msg"]
