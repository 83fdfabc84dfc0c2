"""es_reindex against the real source and dest clusters (dest whitelists source)."""

from __future__ import annotations

import pytest

from esops_testbed.guide_data import PRODUCT_DOCS, PRODUCT_IDS, PRODUCT_INDEX, PRODUCT_MAPPINGS, load_product_info
from esops_testbed.support import run_module

DEST_INDEX = "reindex_it"


@pytest.fixture()
def copy_setup(whitelisted):
    """Guide data on source, no DEST_INDEX on dest; returns (source, dest, base module args)."""
    source, dest = whitelisted
    load_product_info(source.client)
    dest.client.options(ignore_status=404).indices.delete(index=DEST_INDEX)
    args = dict(
        dest.connection(),
        remote=dict(host=source.url, username=source.username, password=source.password, socket_timeout="1m",
                    connect_timeout="10s"),
        source_index=PRODUCT_INDEX,
        dest_index=DEST_INDEX,
    )
    return source, dest, args


def dest_docs(dest):
    dest.client.indices.refresh(index=DEST_INDEX)
    hits = dest.client.search(index=DEST_INDEX, size=100)["hits"]["hits"]
    return {hit["_id"]: hit["_source"] for hit in hits}


def test_copies_the_guide_data_then_a_rerun_writes_nothing(copy_setup):
    source, dest, args = copy_setup
    first = run_module("es_reindex", args).result
    assert not first.get("failed"), first.get("msg")
    assert first["changed"] is True
    assert (first["total"], first["created"], first["updated"], first["version_conflicts"]) == (6, 6, 0, 0)
    assert first["failures"] == [] and first["task_id"]
    assert dest_docs(dest) == dict(zip(PRODUCT_IDS, PRODUCT_DOCS))

    second = run_module("es_reindex", args).result
    assert not second.get("failed"), second.get("msg")
    assert second["changed"] is False
    assert (second["created"], second["updated"], second["version_conflicts"]) == (0, 0, 6)


def test_check_mode_counts_the_source_and_writes_nothing(copy_setup):
    source, dest, args = copy_setup
    predicted = run_module("es_reindex", dict(args, query={"match": {"describe": "fixed"}}), check=True).result
    assert not predicted.get("failed"), predicted.get("msg")
    expected = source.client.count(index=PRODUCT_INDEX, query={"match": {"describe": "fixed"}})["count"]
    assert 0 < expected < 6
    assert predicted["changed"] is True and predicted["total"] == expected
    assert not dest.client.indices.exists(index=DEST_INDEX)


def test_query_max_docs_and_source_includes_select_what_is_copied(copy_setup):
    source, dest, args = copy_setup
    query = {"match": {"describe": "fixed"}}
    matching = source.client.count(index=PRODUCT_INDEX, query=query)["count"]
    result = run_module("es_reindex", dict(args, query=query, size=2, source_includes=["productName"])).result
    assert not result.get("failed"), result.get("msg")
    assert result["created"] == matching
    assert result["batches"] >= matching // 2
    copied = dest_docs(dest)
    assert len(copied) == matching
    assert all(set(doc) == {"productName"} for doc in copied.values())

    dest.client.indices.delete(index=DEST_INDEX)
    limited = run_module("es_reindex", dict(args, max_docs=2)).result
    assert limited["created"] == 2 and len(dest_docs(dest)) == 2


def test_sync_mode_updates_newer_documents_and_overwrite_rewrites_all(copy_setup):
    source, dest, args = copy_setup
    assert run_module("es_reindex", dict(args, mode="sync")).result["created"] == 6
    source.client.update(index=PRODUCT_INDEX, id=PRODUCT_IDS[0], doc={"annual_rate": "9.9900%"}, refresh=True)

    synced = run_module("es_reindex", dict(args, mode="sync")).result
    assert not synced.get("failed"), synced.get("msg")
    assert synced["changed"] is True and synced["updated"] == 1 and synced["created"] == 0
    assert dest_docs(dest)[PRODUCT_IDS[0]]["annual_rate"] == "9.9900%"
    assert run_module("es_reindex", dict(args, mode="sync")).result["changed"] is False

    overwritten = run_module("es_reindex", dict(args, mode="overwrite")).result
    assert overwritten["changed"] is True and overwritten["updated"] == 6


def test_a_source_not_in_the_whitelist_fails_naming_the_entry(copy_setup):
    source, dest, args = copy_setup
    port = source.host_port.rsplit(":", 1)[1]
    args["remote"]["host"] = "http://localhost:%s" % port
    result = run_module("es_reindex", args).result
    assert result["failed"]
    assert "'localhost:%s'" % port in result["msg"] and "reindex.remote.whitelist" in result["msg"]


def test_bad_input_fails_with_a_message_not_a_traceback(copy_setup):
    source, dest, args = copy_setup
    args["remote"]["host"] = source.host_port  # no scheme
    result = run_module("es_reindex", args).result
    assert result["failed"] and "no scheme" in result["msg"] and "http://" in result["msg"]
    # ansible-core adds exception='(traceback unavailable)' to every failure; no real traceback may appear.
    assert "Traceback" not in result["msg"] and "Traceback" not in result.get("exception", "")

    args["remote"]["host"] = "http://127.0.0.1"
    result = run_module("es_reindex", args).result
    assert result["failed"] and "no port" in result["msg"] and ":9200" in result["msg"]


def test_wrong_remote_password_says_the_credentials_were_refused(copy_setup):
    source, dest, args = copy_setup
    args["remote"]["password"] = "not-the-password"
    result = run_module("es_reindex", args).result
    assert result["failed"]
    assert "credentials" in result["msg"], result["msg"]
    assert not dest.client.indices.exists(index=DEST_INDEX) or dest.client.count(index=DEST_INDEX)["count"] == 0


def test_passwords_appear_nowhere_in_verbose_output(copy_setup):
    source, dest, args = copy_setup
    run = run_module("es_reindex", args, verbosity=3)
    assert run.result["created"] == 6
    assert source.password not in run.output and dest.password not in run.output
    assert source.password not in str(run.result)


def test_destination_mapping_created_beforehand_is_kept(copy_setup):
    source, dest, args = copy_setup
    dest.client.indices.create(index=DEST_INDEX, mappings=PRODUCT_MAPPINGS)
    result = run_module("es_reindex", args).result
    assert result["created"] == 6
    mapping = dest.client.indices.get_mapping(index=DEST_INDEX)[DEST_INDEX]["mappings"]
    assert mapping["properties"]["annual_rate"]["type"] == "keyword"


def test_document_failures_fail_the_task_with_the_first_ones_summarised(copy_setup):
    source, dest, args = copy_setup
    # annual_rate values such as "3.2200%" cannot be indexed as numbers: every document fails.
    dest.client.indices.create(index=DEST_INDEX, mappings={"properties": {"annual_rate": {"type": "float"}}})
    result = run_module("es_reindex", args).result
    assert result["failed"]
    assert "failure(s)" in result["msg"] and "mapper_parsing_exception" in result["msg"]
    assert result["failures"] and result["created"] < 6


# --- issue 13: names checked before starting, the server's real reason first -----------------------------------


def test_a_dest_index_the_server_would_expand_is_refused_before_any_copy(copy_setup):
    source, dest, args = copy_setup
    result = run_module("es_reindex", dict(args, dest_index="bad*")).result
    assert result["failed"] and result["changed"] is False
    assert "dest_index 'bad*'" in result["msg"] and "expands" in result["msg"], result["msg"]
    assert "auto_create" not in result["msg"] and not result["copies"]
    assert not dest.client.tasks.list(actions="indices:data/write/reindex")["nodes"]

    renamed = run_module("es_reindex", dict(args, source_index=[PRODUCT_INDEX[:-1] + "*"], dest_index="{index}",
                                            rename_pattern="^(.*)$", rename_replacement=r"Upper_\1")).result
    assert renamed["failed"] and "dest_index 'Upper_index'" not in renamed["msg"]
    assert "destination index 'Upper_%s'" % PRODUCT_INDEX in renamed["msg"], renamed["msg"]
    assert not dest.client.indices.exists(index="upper_%s" % PRODUCT_INDEX)


def test_a_bad_rename_pattern_names_the_option(copy_setup):
    source, dest, args = copy_setup
    result = run_module("es_reindex", dict(args, rename_pattern="([")).result
    assert result["failed"] and "rename_pattern '(['" in result["msg"] and "regular expression" in result["msg"]


def test_a_remote_error_leads_with_the_reason_in_words_and_keeps_the_json(copy_setup):
    source, dest, args = copy_setup
    result = run_module("es_reindex", dict(args, source_index="no_such_source_index")).result
    assert result["failed"]
    reason = "the source cluster answered HTTP 404: index_not_found_exception: no such index [no_such_source_index]"
    assert reason in result["msg"], result["msg"]
    assert result["msg"].index(reason) < result["msg"].index('{"error"')  # the JSON is kept, after the words


def test_document_failures_lead_with_the_deepest_cause(copy_setup):
    source, dest, args = copy_setup
    dest.client.indices.create(index=DEST_INDEX, mappings={"properties": {"annual_rate": {"type": "float"}}})
    result = run_module("es_reindex", args).result
    cause = result["failures"][0]["cause"]
    assert cause["type"] == "mapper_parsing_exception" and cause["caused_by"]["type"]  # what the server sent
    deepest = cause["caused_by"]["type"]
    assert result["msg"].index(deepest) < result["msg"].index("mapper_parsing_exception"), result["msg"]
