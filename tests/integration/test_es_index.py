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


# --- issue 13: a name is one concrete index; a refused create changed nothing ---------------------------------

VICTIMS = ("victim_a", "victim_b")


@pytest.fixture()
def victims(dest):
    """Two indices a wildcard would match, on a cluster that allows wildcard deletes (7.x default, made explicit)."""
    dest.client.cluster.put_settings(persistent={"action.destructive_requires_name": False})
    for name in VICTIMS + ("badxstar",):
        dest.client.options(ignore_status=400).indices.create(index=name)
    yield VICTIMS
    dest.client.cluster.put_settings(persistent={"action.destructive_requires_name": None})
    for name in VICTIMS + ("badxstar",):
        dest.client.options(ignore_status=404).indices.delete(index=name)


@pytest.mark.parametrize("name, state", [("victim_*", "absent"), ("victim_a,victim_b", "absent"), ("_all", "absent"),
                                         ("victim_*", "present")])
def test_a_name_the_server_would_expand_is_refused_before_any_call(dest, victims, name, state):
    result = run_module("es_index", dict(dest.connection(), name=name, state=state)).result
    assert result["failed"] and result["changed"] is False and result["deleted"] is False, result
    assert "Invalid options" in result["msg"] and "name %r" % name in result["msg"], result["msg"]
    for victim in victims:
        assert dest.client.indices.exists(index=victim), "%s was deleted by name %r" % (victim, name)


def test_a_wildcard_matching_an_existing_index_is_refused_not_a_key_error(dest, victims):
    result = run_module("es_index", dict(dest.connection(), name="bad*star")).result
    assert result["failed"] and result["changed"] is False
    assert "KeyError" not in result["msg"] and "'bad*star'" in result["msg"] and "expands" in result["msg"]


def test_an_invalid_name_fails_before_any_call_and_reports_nothing_created(dest):
    result = run_module("es_index", dict(dest.connection(), name="Bad_Upper")).result
    assert result["failed"] and result["changed"] is False and result["created"] is False
    assert "lower case" in result["msg"] and "'bad_upper'" in result["msg"]
    assert not dest.client.indices.exists(index="bad_upper")


def test_a_create_the_server_refuses_reports_changed_false(dest, index_args):
    result = run_module("es_index", dict(index_args, settings={"number_of_shards": 0})).result
    assert result["failed"] and "number_of_shards" in result["msg"]
    assert result["changed"] is False and result["created"] is False, result
    assert not dest.client.indices.exists(index=INDEX)
