"""The role's preflight on the real source and dest: every problem named in one failure, nothing changed."""

from __future__ import annotations

import secrets

import pytest

from esops_testbed import eslocal
from esops_testbed import file_realm
from esops_testbed.cluster_support import DEST, set_whitelist_line
from esops_testbed.guide_data import PRODUCT_INDEX, load_product_info
from esops_testbed.support import REPO_ROOT, run_playbook
from test_role_migration import dest_pid, one_node_inventory, role_vars

MIGRATE = REPO_ROOT / "playbooks" / "migrate.yml"
COPY, NO_SOURCE, ROLE, USER = "preflight_copy", "preflight_no_source", "esops_preflight", "esops_preflight"


def indices(cluster):
    return sorted(row["index"] for row in cluster.client.cat.indices(format="json", h="index", expand_wildcards="all"))


def state(source, dest):
    """What a failed preflight must leave as it was: dest's elasticsearch.yml, the indices of both, dest's pid."""
    return dest.config_file.read_bytes(), indices(source), indices(dest), dest_pid()


@pytest.fixture()
def prepared(source, dest):
    """Guide data and an index without _source on source; dest without whitelist and without the copy."""
    load_product_info(source.client)
    source.client.options(ignore_status=404).indices.delete(index=NO_SOURCE)
    source.client.indices.create(index=NO_SOURCE, mappings={"_source": {"enabled": False}})
    dest.client.options(ignore_status=404).indices.delete(index=COPY)
    set_whitelist_line(dest.config_file, None)
    yield source, dest
    source.client.options(ignore_status=404).indices.delete(index=NO_SOURCE)
    file_realm.remove(source, USER, ROLE)


def run_role(tmp_path, source, dest, indices_, **overrides):
    return run_playbook(MIGRATE, inventory=one_node_inventory(tmp_path), extra_vars=role_vars(
        source, dest,
        remote_reindex_manage_whitelist=True,
        remote_reindex_elasticsearch_yml=str(dest.config_file),
        remote_reindex_node_log=eslocal.info(DEST)["nodes"][0]["log_file"],
        remote_reindex_restart_method="command",
        remote_reindex_restart_command=[str(REPO_ROOT / ".venv" / "bin" / "python"),
                                        str(REPO_ROOT / "tools" / "eslocal.py"), "restart", DEST],
        remote_reindex_restart_timeout=90,
        remote_reindex_poll_delay=1,
        remote_reindex_indices=indices_,
        **overrides,
    ))


def preflight_failure(run):
    assert run.rc != 0
    start = run.output.index("Preflight found")
    return run.output[start:start + 3000]


def test_wrong_password_fails_before_any_change(prepared, tmp_path):
    source, dest = prepared
    before = state(source, dest)
    run = run_role(tmp_path, source, dest, [{"source": PRODUCT_INDEX, "dest": COPY}],
                   remote_reindex_source_password="not-the-password")
    failure = preflight_failure(run)
    assert "refused the credentials of user '%s' (HTTP 401)" % source.username in failure, failure
    assert "remote_reindex_source_password" in failure
    assert state(source, dest) == before
    assert "not-the-password" not in run.output and source.password not in run.output


def test_a_missing_index_fails_before_any_change(prepared, tmp_path):
    source, dest = prepared
    before = state(source, dest)
    run = run_role(tmp_path, source, dest, [{"source": PRODUCT_INDEX, "dest": COPY}, {"source": "no_such_index"}])
    failure = preflight_failure(run)
    assert "Preflight found 1 problem(s)" in failure and "Source index 'no_such_index' does not exist" in failure
    assert state(source, dest) == before


def test_every_problem_is_named_in_one_failure_then_a_fixed_rerun_migrates(prepared, tmp_path):
    """A user holding only read + view_index_metadata, a missing index and an index without _source at once."""
    source, dest = prepared
    password = secrets.token_urlsafe(16)
    file_realm.set_role(source, ROLE, [], ["*"], ["read", "view_index_metadata"])
    file_realm.set_user(source, USER, password, ROLE)
    file_realm.wait_for_privileges(source, USER, password, monitor=False)
    before = state(source, dest)
    run = run_role(tmp_path, source, dest,
                   [{"source": PRODUCT_INDEX, "dest": COPY}, {"source": "no_such_index"}, {"source": NO_SOURCE}],
                   remote_reindex_source_username=USER, remote_reindex_source_password=password)
    failure = preflight_failure(run)
    assert "Preflight found 3 problem(s)" in failure, failure
    assert "Source index 'no_such_index' does not exist" in failure
    assert "Source index '%s' has _source disabled" % NO_SOURCE in failure
    assert "User '%s' lacks the cluster privilege monitor" % USER in failure
    assert state(source, dest) == before

    # Fixed: monitor granted, only the copyable index asked for. The rerun whitelists, restarts and copies.
    file_realm.set_role(source, ROLE, ["monitor"], ["*"], ["read", "view_index_metadata"])
    file_realm.wait_for_privileges(source, USER, password, monitor=True)
    rerun = run_role(tmp_path, source, dest, [{"source": PRODUCT_INDEX, "dest": COPY}],
                     remote_reindex_source_username=USER, remote_reindex_source_password=password)
    assert rerun.rc == 0, rerun.output[-4000:]
    assert dest.client.count(index=COPY)["count"] == 6
    assert dest_pid() != before[3] and source.host_port in dest.config_file.read_text()
