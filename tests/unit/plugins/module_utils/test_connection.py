"""Unit tests for plugins/module_utils/_connection.py: its pure functions, and ElasticsearchModule.try_connect."""

from __future__ import annotations

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.esops.migration.plugins.module_utils import _connection
from ansible_collections.esops.migration.plugins.module_utils._cluster import ClusterError
from ansible_collections.esops.migration.plugins.module_utils._connection import (
    ElasticsearchModule,
    connection_argument_spec,
    connection_problems,
    describe_api_error,
    describe_error,
    error_type,
)

# --- connection_argument_spec ------------------------------------------------------------------------------


def test_secrets_are_no_log():
    spec = connection_argument_spec()
    for name in ("password", "api_key", "bearer_token"):
        assert spec[name].get("no_log") is True, name


def test_username_and_hosts_are_logged():
    spec = connection_argument_spec()
    assert not spec["username"].get("no_log")
    assert not spec["hosts"].get("no_log")
    assert spec["verify_certs"]["default"] is True


def test_spec_is_a_fresh_copy():
    spec = connection_argument_spec()
    spec["password"]["no_log"] = False
    assert connection_argument_spec()["password"]["no_log"] is True


# --- connection_problems -----------------------------------------------------------------------------------


def test_no_problems():
    assert connection_problems({"hosts": ["https://es:9200"], "username": "u", "password": "p"}) == []
    assert connection_problems({"hosts": ["es:9200"], "api_key": "id:key"}) == []
    assert connection_problems({}) == []


def test_more_than_one_auth_method():
    problems = connection_problems({"username": "u", "password": "p", "bearer_token": "t"})
    assert len(problems) == 1
    assert "username" in problems[0] and "bearer_token" in problems[0]


@pytest.mark.parametrize(
    "params, pair",
    [
        ({"username": "u"}, "username and password"),
        ({"password": "p"}, "username and password"),
        ({"client_cert": "/c.pem"}, "client_cert and client_key"),
        ({"client_key": "/k.pem"}, "client_cert and client_key"),
    ],
)
def test_required_together(params, pair):
    problems = connection_problems(params)
    assert len(problems) == 1
    assert pair in problems[0]


def test_credentials_in_host_url_are_reported_without_the_password():
    (problem,) = connection_problems({"hosts": ["https://elastic:s3cret@es:9200"]})
    assert "credentials" in problem
    assert "s3cret" not in problem
    assert "https://es:9200" in problem


def test_credentials_in_host_without_scheme_are_reported_without_the_password():
    (problem,) = connection_problems({"hosts": ["elastic:s3cret@es:9200"]})
    assert "credentials" in problem
    assert "s3cret" not in problem
    assert "es:9200" in problem


# --- error descriptions ------------------------------------------------------------------------------------

ERROR_BODY = {
    "error": {
        "type": "illegal_argument_exception",
        "reason": "[127.0.0.1:19200] not whitelisted in reindex.remote.whitelist",
        "caused_by": {
            "type": "io_exception",
            "reason": "outer cause",
            "caused_by": {"type": "connect_exception", "reason": "Connection refused"},
        },
    },
    "status": 400,
}


def test_describe_api_error_with_cause_chain():
    text = describe_api_error(400, ERROR_BODY)
    assert text.startswith("HTTP 400 ")
    first = text.index("illegal_argument_exception: [127.0.0.1:19200] not whitelisted")
    second = text.index("io_exception: outer cause")
    third = text.index("connect_exception: Connection refused")
    assert first < second < third


def test_describe_api_error_string_error():
    assert describe_api_error(500, {"error": "boom"}) == "HTTP 500 boom"


def test_describe_api_error_fallback():
    assert "Bad Gateway" in describe_api_error(502, "<html>Bad Gateway</html>", "Bad Gateway")
    text = describe_api_error(502, None)
    assert text.startswith("HTTP 502 ")
    assert len(text) > len("HTTP 502 ")


def test_describe_error():
    assert describe_error(ERROR_BODY["error"]) == (
        "illegal_argument_exception: [127.0.0.1:19200] not whitelisted in reindex.remote.whitelist; "
        "caused by io_exception: outer cause; caused by connect_exception: Connection refused"
    )
    assert describe_error({"type": "search_phase_execution_exception"}) == "search_phase_execution_exception"
    assert describe_error({"reason": "only a reason"}) == "only a reason"
    assert describe_error("plain text") == "plain text"


def test_describe_error_stops_on_cycles():
    error = {"type": "a", "reason": "r"}
    error["caused_by"] = error
    assert describe_error(error).count("a: r") <= 5


def test_error_type():
    assert error_type(ERROR_BODY) == "illegal_argument_exception"
    assert error_type({"error": "boom"}) is None
    assert error_type(None) is None
    assert error_type("text") is None


def _module_with(args):
    with patch_module_args(args):
        return ElasticsearchModule(argument_spec={})


def test_try_connect_gives_the_reason_instead_of_failing(monkeypatch):
    seen = {}

    def refuse(params, headers=None):
        seen.update(params)
        raise ClusterError("Connection refused")

    monkeypatch.setattr(_connection, "connect_cluster", refuse)
    module = _module_with(dict(hosts=["http://dest:9200"], request_timeout=77, max_retries=1))
    cluster, why_not = module.try_connect(dict(hosts=["http://src:9200"]))
    assert cluster is None and why_not == "Connection refused"
    # what the source options leave out comes from the module's own options, as with connect()
    assert seen["request_timeout"] == 77 and seen["max_retries"] == 1


def test_try_connect_reports_invalid_options_without_connecting(monkeypatch):
    monkeypatch.setattr(_connection, "connect_cluster", lambda params, headers=None: pytest.fail("connected"))
    module = _module_with(dict(hosts=["http://dest:9200"]))
    cluster, why_not = module.try_connect(dict(hosts=["http://src:9200"], username="u", password="p", api_key="k"))
    assert cluster is None and "api_key" in why_not
