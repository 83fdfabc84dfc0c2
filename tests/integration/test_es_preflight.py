"""es_preflight against the real source and dest: problems named with the module's options, nothing failed,
nothing changed, in check mode too."""

from __future__ import annotations

import socket

import pytest

from esops_testbed.guide_data import PRODUCT_INDEX, load_product_info
from esops_testbed.support import run_module, run_tasks

COPY = "es_preflight_copy"


@pytest.fixture()
def pair(source, dest):
    """The guide data on source; dest without the copy."""
    load_product_info(source.client)
    dest.client.options(ignore_status=404).indices.delete(index=COPY)
    return source, dest


def preflight_args(source, dest, indices, **overrides):
    return dict(dest.connection(), source=source.connection(), indices=indices, **overrides)


def closed_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_ready_pair_has_no_problem_and_the_answers_the_plan_needs_in_check_mode_too(pair):
    source, dest = pair
    entry = {"source": PRODUCT_INDEX, "dest": COPY, "query": {"match_all": {}}}
    args = preflight_args(source, dest, [entry])
    run, results = run_tasks([("es_preflight", args)] * 2, flags=["--check"])
    first, again = results
    assert not first.get("failed"), first.get("msg")
    assert first["problems"] == [] and first["changed"] is False and again["changed"] is False
    answers = first["answers"]
    assert answers["source"]["counts"][0]["json"]["count"] == 6
    assert answers["source"]["counts"][0]["item"]["dest"] == COPY
    assert answers["dest"]["exists"][0]["status"] == 404
    # mode create: no data stream can refuse the copy, so none was asked about
    assert answers["dest"]["streams"] == {} and answers["dest"]["aliases"] == [{"item": entry}]
    assert answers["dest"]["fs"]["status"] == 200 and answers["dest"]["nodes_settings"]["status"] == 200
    assert source.password not in run.output and dest.password not in run.output
    assert not dest.client.indices.exists(index=COPY)


def test_every_problem_is_named_with_the_module_options_without_failing(pair):
    source, dest = pair
    args = preflight_args(source, dest, [{"source": PRODUCT_INDEX}, {"source": "no_such_index"}], mode="sync")
    missing = run_module("es_preflight", args).result
    assert not missing.get("failed"), missing.get("msg")
    assert missing["problems"] == ["Source index 'no_such_index' does not exist on the source: check "
                                   "indices[].source."]
    # mode sync: data streams were asked about (this 7.17 assembly, without the data streams module, answers 400)
    assert missing["answers"]["dest"]["streams"]["status"] in (200, 400)

    refused = run_module("es_preflight", dict(args, source=dict(source.connection(), password="not-the-password")))
    assert not refused.result.get("failed"), refused.result.get("msg")
    assert refused.result["problems"] == [
        "The source %s refused the credentials of user '%s' (HTTP 401): check source.username and source.password. "
        "The source indices could not be checked." % (source.url, source.username)]
    assert refused.result["answers"]["source"]["mappings"][0] == {"item": {"source": PRODUCT_INDEX}}
    assert "not-the-password" not in refused.output


def test_a_destination_that_does_not_answer_is_a_problem_naming_hosts(pair):
    source, dest = pair
    nowhere = "http://127.0.0.1:%d" % closed_port()
    args = preflight_args(source, dest, [{"source": PRODUCT_INDEX}], hosts=[nowhere], max_retries=0)
    result = run_module("es_preflight", args).result
    assert not result.get("failed"), result.get("msg")
    (problem,) = result["problems"]
    assert problem.startswith("The destination %s does not answer from the controller: " % nowhere), problem
    assert problem.endswith("Check hosts."), problem
    assert result["answers"]["dest"]["root"]["status"] == -1
    assert result["answers"]["source"]["counts"][0]["json"]["count"] == 6  # the source was still checked


def test_an_entry_without_source_fails_saying_what_to_give(pair):
    source, dest = pair
    result = run_module("es_preflight", preflight_args(source, dest, [{"dest": COPY}])).result
    assert result["failed"]
    assert "each entry a source" in result["msg"] and "indices: [{source: product_info}]" in result["msg"]
