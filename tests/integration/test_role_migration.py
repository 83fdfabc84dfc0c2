"""Acceptance of the whole path: the demo playbook (guide data + playbooks/migrate.yml + the role)
run exactly as the README's demo runs it, against the test clusters, then run again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from esops_testbed import eslocal
from esops_testbed.cluster_support import DEST, set_whitelist_line
from esops_testbed.guide_data import PRODUCT_DOCS, PRODUCT_INDEX, load_product_info
from esops_testbed.support import REPO_ROOT, run_playbook

DEMO = REPO_ROOT / "playbooks" / "demo.yml"
MIGRATE = REPO_ROOT / "playbooks" / "migrate.yml"
LOCAL_INVENTORY = str(REPO_ROOT / "inventories" / "local")


def demo_env(source, dest):
    """What `eval "$(eslocal.py env source dest)"` sets for the demo, pointing at the test clusters."""
    return dict(
        ESLOCAL_SOURCE_URL=source.url,
        ESLOCAL_SOURCE_USERNAME=source.username,
        ESLOCAL_SOURCE_PASSWORD=source.password,
        ESLOCAL_DEST_URL=dest.url,
        ESLOCAL_DEST_USERNAME=dest.username,
        ESLOCAL_DEST_PASSWORD=dest.password,
        ESLOCAL_DEST_CONFIG=str(dest.config_file),
        ESLOCAL_DEST_CLUSTER=DEST,
    )


def recap(output):
    """{host: {ok: n, changed: n, failed: n, ...}} from the PLAY RECAP."""
    hosts = {}
    for host, counters in re.findall(r"^(\S+)\s+:\s+(ok=.*)$", output, re.M):
        hosts[host] = {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", counters)}
    return hosts


def dest_pid():
    return eslocal.info(DEST)["nodes"][0]["pid"]


def summary_line(output):
    match = re.search(r"product_info -> product_info:.*?verify:[^\"]*", output)
    return match.group(0) if match else ""


@pytest.fixture()
def fresh_start(source, dest):
    """No product_info anywhere, dest without any whitelist (restarted if it had one)."""
    for cluster in (source, dest):
        cluster.client.options(ignore_status=404).indices.delete(index=PRODUCT_INDEX)
    if "reindex.remote.whitelist" in dest.config_file.read_text():
        set_whitelist_line(dest.config_file, None)
        dest.restart()
    return source, dest


def test_demo_migrates_the_guide_data_and_a_rerun_changes_nothing(fresh_start):
    source, dest = fresh_start
    config_before = dest.config_file.read_text()
    pid_before = dest_pid()

    first = run_playbook(DEMO, ["-vvv"], inventory=LOCAL_INVENTORY, env=demo_env(source, dest))
    assert first.rc == 0, first.output[-6000:]

    # The guide's scenario: 6 documents, same _source, counts verified.
    dest.client.indices.refresh(index=PRODUCT_INDEX)
    hits = dest.client.search(index=PRODUCT_INDEX, size=20)["hits"]["hits"]
    assert sorted(hit["_id"] for hit in hits) == ["product-%d" % n for n in range(6)]
    assert {hit["_id"]: hit["_source"] for hit in hits} == {"product-%d" % n: doc for n, doc in enumerate(PRODUCT_DOCS)}
    line = summary_line(first.output)
    assert "total=6 created=6 updated=0 version_conflicts=0 failures=0" in line, line
    assert "source 6 = destination 6" in line, line
    mapping = dest.client.indices.get_mapping(index=PRODUCT_INDEX)[PRODUCT_INDEX]["mappings"]
    assert mapping["properties"]["annual_rate"] == {"type": "keyword"}

    # Whitelisted, restarted once; the file differs only by the whitelist line.
    assert dest_pid() != pid_before
    config_after = dest.config_file.read_text()
    added = [line for line in config_after.splitlines() if line not in config_before.splitlines()]
    assert added == ['reindex.remote.whitelist: "%s"' % source.host_port]
    assert [line for line in config_after.splitlines() if line not in added] == config_before.splitlines()
    settings = dest.client.nodes.info(metric="settings")["nodes"]
    assert [node["settings"]["reindex"]["remote"]["whitelist"] for node in settings.values()] in (
        [source.host_port],
        [[source.host_port]],
    )

    # Neither password appears anywhere in the -vvv output.
    assert source.password not in first.output
    assert dest.password not in first.output

    pid_after_first = dest_pid()
    versions = {hit["_id"]: hit["_version"] for hit in dest.client.search(index=PRODUCT_INDEX, version=True)["hits"]["hits"]}
    second = run_playbook(DEMO, inventory=LOCAL_INVENTORY, env=demo_env(source, dest))
    assert second.rc == 0, second.output[-6000:]
    counters = recap(second.output)
    assert counters and all(host["changed"] == 0 and host["failed"] == 0 for host in counters.values()), counters
    assert dest_pid() == pid_after_first  # no restart
    assert "total=6 created=0 updated=0 version_conflicts=6 failures=0" in summary_line(second.output)
    assert {
        hit["_id"]: hit["_version"] for hit in dest.client.search(index=PRODUCT_INDEX, version=True)["hits"]["hits"]
    } == versions
    assert dest.config_file.read_text() == config_after


def one_node_inventory(tmp_path):
    """An inventory with one destination host and no variables: the tests give them as extra vars."""
    inventory = Path(tmp_path) / "hosts.yml"
    inventory.write_text("all:\n  children:\n    es_dest_nodes:\n      hosts:\n        dest-node-0:\n")
    return str(inventory)


def role_vars(source, dest, **overrides):
    """Extra vars running the role from the controller against the test clusters, whitelist managed elsewhere."""
    extra_vars = dict(
        ansible_connection="local",
        remote_reindex_manage_whitelist=False,
        remote_reindex_source_url=source.url,
        remote_reindex_source_username=source.username,
        remote_reindex_source_password=source.password,
        remote_reindex_dest_hosts=[dest.url],
        remote_reindex_dest_username=dest.username,
        remote_reindex_dest_password=dest.password,
    )
    extra_vars.update(overrides)
    return extra_vars


@pytest.mark.parametrize("check_first", [True, False], ids=["checked-from-node-settings", "refused-by-reindex"])
def test_a_source_missing_from_the_whitelist_fails_naming_the_entry(source, dest, tmp_path, check_first):
    """Whitelist managed elsewhere (a managed service): the role checks the nodes' loaded settings first, and
    without that check the reindex itself is refused; both failures name the entry to add."""
    not_whitelisted = source.url.replace("127.0.0.1", "localhost")
    entry = not_whitelisted.split("://", 1)[1]
    extra_vars = role_vars(
        source, dest,
        remote_reindex_check_whitelist=check_first,
        remote_reindex_source_url=not_whitelisted,
        remote_reindex_indices=[{"source": PRODUCT_INDEX, "dest": "not_whitelisted_copy"}],
    )
    source.client.options(ignore_status=400).indices.create(index=PRODUCT_INDEX)
    run = run_playbook(MIGRATE, inventory=one_node_inventory(tmp_path), extra_vars=extra_vars)
    assert run.rc != 0
    assert "reindex.remote.whitelist" in run.output
    assert "'%s'" % entry in run.output or '"%s"' % entry in run.output, run.output[-3000:]
    if check_first:
        assert "Nodes %s-0 do not allow reindex from the source" % DEST in run.output, run.output[-3000:]
    assert not dest.client.options(ignore_status=404).indices.exists(index="not_whitelisted_copy") or (
        dest.client.count(index="not_whitelisted_copy")["count"] == 0
    )
    assert source.password not in run.output


def test_managed_cluster_mode_checks_the_loaded_whitelist_and_restarts_nothing(whitelisted, tmp_path):
    source, dest = whitelisted
    load_product_info(source.client)
    dest.client.options(ignore_status=404).indices.delete(index="managed_copy")
    config_before, pid_before = dest.config_file.read_text(), dest_pid()
    run = run_playbook(MIGRATE, inventory=one_node_inventory(tmp_path), extra_vars=role_vars(
        source, dest,
        remote_reindex_elasticsearch_yml="/nonexistent/elasticsearch.yml",  # never read in this mode
        remote_reindex_indices=[{"source": PRODUCT_INDEX, "dest": "managed_copy"}],
    ))
    assert run.rc == 0, run.output[-3000:]
    assert "Check that every destination node already allows the source" in run.output
    assert dest.client.count(index="managed_copy")["count"] == 6
    assert dest.config_file.read_text() == config_before and dest_pid() == pid_before


def test_booleans_given_as_strings_on_the_command_line_are_read_as_booleans(whitelisted, tmp_path):
    """`-e name=false` gives the string 'false': ansible-core 2.19+ refuses a string as a conditional, and
    a bare string would be true anyway; the role reads its switches with `| bool`."""
    source, dest = whitelisted
    load_product_info(source.client)
    dest.client.options(ignore_status=404).indices.delete(index="strings_copy")
    config_before, pid_before = dest.config_file.read_text(), dest_pid()
    switches = ["remote_reindex_manage_whitelist=false", "remote_reindex_check_whitelist=no",
                "remote_reindex_verify=false"]
    run = run_playbook(
        MIGRATE,
        [argument for switch in switches for argument in ("-e", switch)],
        inventory=one_node_inventory(tmp_path),
        extra_vars=role_vars(source, dest, remote_reindex_indices=[
            {"source": PRODUCT_INDEX, "dest": "strings_copy", "copy_from": "yes"}]),
    )
    assert run.rc == 0, run.output[-3000:]
    assert dest.client.count(index="strings_copy")["count"] == len(PRODUCT_DOCS)
    # copy_from "yes": the destination got the source's mapping (annual_rate is a keyword there, not dynamic text).
    mapping = dest.client.indices.get_mapping(index="strings_copy")["strings_copy"]["mappings"]
    assert mapping["properties"]["annual_rate"] == {"type": "keyword"}
    # verify=false: the count comparison was skipped; check_whitelist=no: the loaded whitelist was not read.
    assert "verify: skipped" in run.output, run.output[-3000:]
    assert re.search(r"Check that every destination node already allows the source\] \**\nskipping", run.output), (
        run.output[-3000:])
    assert dest.config_file.read_text() == config_before and dest_pid() == pid_before


def test_role_argument_spec_rejects_a_missing_source_url(tmp_path):
    run = run_playbook(
        MIGRATE,
        inventory=one_node_inventory(tmp_path),
        extra_vars=dict(ansible_connection="local", remote_reindex_indices=[{"source": "x"}]),
    )
    assert run.rc != 0
    assert "remote_reindex_source_url" in run.output


def test_role_copies_the_index_definition_and_partitions_a_copy(whitelisted, tmp_path):
    """copy_from + partitions + tune_dest through the role: the destination gets the source's mapping and analysis,
    every document arrives, and the settings tuned for the copy are back afterwards."""
    source, dest = whitelisted
    index, copy = "role_numbers", "role_numbers_copy"
    source.client.options(ignore_status=404).indices.delete(index=index)
    source.client.indices.create(
        index=index,
        settings={"number_of_shards": 2, "number_of_replicas": 0, "analysis": {"analyzer": {"folded": {
            "type": "custom", "tokenizer": "standard", "filter": ["lowercase"]}}}},
        mappings={"properties": {"n": {"type": "integer"}, "name": {"type": "text", "analyzer": "folded"}}},
    )
    operations = []
    for number in range(500):
        operations += [{"index": {"_index": index, "_id": str(number)}},
                       {"name": "Item %d" % number, **({"n": number} if number % 7 else {})}]
    source.client.bulk(operations=operations, refresh=True)
    dest.client.options(ignore_status=404).indices.delete(index=copy)

    run = run_playbook(MIGRATE, inventory=one_node_inventory(tmp_path), extra_vars=role_vars(
        source, dest,
        remote_reindex_tune_dest=True,
        remote_reindex_max_concurrent=3,
        remote_reindex_indices=[{"source": index, "dest": copy, "copy_from": True, "partitions": 3,
                                 "partition_field": "n", "settings": {"refresh_interval": "2s"}}],
    ))
    assert run.rc == 0, run.output[-3000:]
    assert "total=500 created=500" in run.output and "source 500 = destination 500" in run.output
    assert dest.client.indices.get_mapping(index=copy)[copy]["mappings"] == \
        source.client.indices.get_mapping(index=index)[index]["mappings"]
    settings = dest.client.indices.get_settings(index=copy)[copy]["settings"]["index"]
    assert settings["analysis"] == source.client.indices.get_settings(index=index)[index]["settings"]["index"][
        "analysis"]
    assert (settings["number_of_shards"], settings["refresh_interval"], settings["number_of_replicas"]) == ("2", "2s", "0")
