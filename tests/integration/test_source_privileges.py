"""What a source user needs for reindex from remote, asked of a real 7.17 source with security on."""

from __future__ import annotations

import secrets

import pytest

from esops_testbed import file_realm
from esops_testbed.guide_data import PRODUCT_INDEX, load_product_info
from esops_testbed.support import run_module

ROLE, USER, COPY = "esops_reader", "esops_reader", "privileges_copy"


@pytest.fixture()
def reader(whitelisted):
    """A source user holding exactly read + view_index_metadata on the guide index (what the docs once said)."""
    source, dest = whitelisted
    load_product_info(source.client)
    dest.client.options(ignore_status=404).indices.delete(index=COPY)
    password = secrets.token_urlsafe(16)
    file_realm.set_role(source, ROLE, [], [PRODUCT_INDEX], ["read", "view_index_metadata"])
    file_realm.set_user(source, USER, password, ROLE)
    file_realm.wait_for_privileges(source, USER, password, monitor=False)
    yield source, dest, password
    file_realm.remove(source, USER, ROLE)
    dest.client.options(ignore_status=404).indices.delete(index=COPY)


def test_read_and_view_index_metadata_are_not_enough_the_hint_names_monitor(reader):
    source, dest, password = reader
    args = dict(dest.connection(), remote=dict(host=source.url, username=USER, password=password),
                source_index=PRODUCT_INDEX, dest_index=COPY)

    refused = run_module("es_reindex", args).result
    assert refused.get("failed"), refused
    message = refused["msg"]
    print(message)
    # The server's own words, then the hint that agrees with them.
    assert "cluster:monitor/main" in message and "monitor" in message.split("Hint:", 1)[0], message
    hint = message.split("Hint:", 1)[1]
    assert "cluster privilege monitor" in hint and "read" in hint and "view_index_metadata" in hint, hint
    assert password not in message
    if dest.client.indices.exists(index=COPY):
        assert dest.client.count(index=COPY)["count"] == 0

    file_realm.set_role(source, ROLE, ["monitor"], [PRODUCT_INDEX], ["read", "view_index_metadata"])
    file_realm.wait_for_privileges(source, USER, password, monitor=True)
    copied = run_module("es_reindex", args).result
    assert not copied.get("failed"), copied.get("msg")
    assert copied["created"] == 6
    # Without the size option the module chooses as with size auto; the _stats it cannot read leave the server's
    # default, silently.
    assert copied["copies"][0]["size"] == 1000 and "size_auto" not in copied["copies"][0]
    assert not any("size auto" in warning for warning in copied.get("warnings") or [])

    # size auto reads the index's _stats, which needs the index privilege monitor that this user lacks: the server's
    # default batch size is used, with a warning, and the copy works as before.
    run = run_module("es_reindex", dict(args, size="auto"))
    assert not run.result.get("failed"), run.result.get("msg")
    warned = " ".join(run.result.get("warnings") or []) + run.output
    assert "size auto: reading %s/_stats on the source failed" % PRODUCT_INDEX in warned, run.output[-3000:]
    assert "monitor privilege" in warned
    assert run.result["copies"][0]["size"] == 1000 and "size_auto" not in run.result["copies"][0]
