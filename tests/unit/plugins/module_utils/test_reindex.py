"""Unit tests for plugins/module_utils/_reindex.py (reindex-from-remote request and response helpers)."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.esops.migration.plugins.module_utils._reindex import (
    body_write_mode,
    build_reindex_body,
    in_create_mode,
    documents_written,
    not_whitelisted_hint,
    redact_body,
    remote_error_hint,
    result_from_response,
    summarise_failures,
    validate_remote_host,
    whitelist_entry,
)

REMOTE = {"host": "https://es-old.example.com:9200", "username": "migrator", "password": "s3cret"}

# --- validate_remote_host ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "http://10.0.0.1:9200",
        "https://es-old.example.com:9243",
        "https://es-old.example.com:443/proxy/prefix",
        "http://[::1]:9200",
        "  http://10.0.0.1:9200  ",
    ],
)
def test_valid_remote_hosts(host):
    assert validate_remote_host(host) == []


def test_no_scheme_suggests_http():
    (problem,) = validate_remote_host("10.0.0.1:9200")
    assert "scheme" in problem
    assert "http://10.0.0.1:9200" in problem


def test_no_scheme_and_no_port_suggests_both():
    (problem,) = validate_remote_host("es-old")
    assert "http://es-old:9200" in problem


def test_no_port_suggests_9200():
    (problem,) = validate_remote_host("https://es-old.example.com")
    assert "port" in problem
    assert "https://es-old.example.com:9200" in problem


def test_credentials_in_url():
    problems = validate_remote_host("https://elastic:changeme@es-old.example.com:9200")
    assert len(problems) == 1
    assert "credentials" in problems[0]
    assert "username" in problems[0]


def test_other_scheme():
    (problem,) = validate_remote_host("ftp://es-old.example.com:21")
    assert "http or https" in problem
    assert "'ftp'" in problem


@pytest.mark.parametrize("host", ["", "   ", None])
def test_empty_host(host):
    (problem,) = validate_remote_host(host)
    assert "empty" in problem


def test_query_string_is_refused():
    (problem,) = validate_remote_host("http://h:9200/?pretty")
    assert "query" in problem


def test_port_out_of_range():
    (problem,) = validate_remote_host("http://h:99999")
    assert "not a valid URL" in problem


def test_no_host_name():
    (problem,) = validate_remote_host("http://:9200")
    assert "host name" in problem


# --- whitelist_entry ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host, entry",
    [
        ("http://10.0.0.1:9200", "10.0.0.1:9200"),
        ("https://es-old.example.com:9243/proxy/prefix", "es-old.example.com:9243"),
        ("https://es-old.example.com:9243/", "es-old.example.com:9243"),
        ("http://[::1]:9200", "[::1]:9200"),
        ("http://[fe80::1]:19200", "[fe80::1]:19200"),
        (" http://10.0.0.1:9200 ", "10.0.0.1:9200"),
    ],
)
def test_whitelist_entry(host, entry):
    assert whitelist_entry(host) == entry


def test_whitelist_entry_keeps_host_case():
    # Elasticsearch reports '[ES-Old.example.com:9200] not whitelisted' for this host unless that exact text
    # (or a matching pattern) is in the whitelist.
    assert whitelist_entry("https://ES-Old.example.com:9200") == "ES-Old.example.com:9200"


# --- build_reindex_body ------------------------------------------------------------------------------------


def test_create_mode():
    body = build_reindex_body(REMOTE, "logs", "logs-v2", mode="create")
    assert body == {
        "source": {"remote": REMOTE, "index": "logs"},
        "dest": {"index": "logs-v2", "op_type": "create"},
        "conflicts": "proceed",
    }


def test_create_is_the_default_mode():
    assert build_reindex_body(REMOTE, "logs", "logs-v2") == build_reindex_body(REMOTE, "logs", "logs-v2", mode="create")


def test_sync_mode():
    body = build_reindex_body(REMOTE, "logs", "logs-v2", mode="sync")
    assert body["dest"] == {"index": "logs-v2", "version_type": "external"}
    assert body["conflicts"] == "proceed"


def test_overwrite_mode():
    body = build_reindex_body(REMOTE, "logs", "logs-v2", mode="overwrite")
    assert body["dest"] == {"index": "logs-v2"}
    assert "conflicts" not in body
    assert "op_type" not in body["dest"] and "version_type" not in body["dest"]


@pytest.mark.parametrize("mode", ["merge", "", None, "Create"])
def test_unknown_mode(mode):
    with pytest.raises(ValueError) as info:
        build_reindex_body(REMOTE, "logs", "logs-v2", mode=mode)
    assert "create" in str(info.value) and "sync" in str(info.value) and "overwrite" in str(info.value)


def test_query_size_max_docs_and_source_includes_placement():
    query = {"range": {"@timestamp": {"gte": "now-1d"}}}
    body = build_reindex_body(
        REMOTE, "logs", "logs-v2", query=query, size=500, max_docs=10000, source_includes=("a", "b.c")
    )
    assert body["source"]["query"] == query
    assert body["source"]["size"] == 500
    assert body["source"]["_source"] == ["a", "b.c"]
    assert body["max_docs"] == 10000
    assert "max_docs" not in body["source"] and "size" not in body and "query" not in body


def test_optional_parts_left_out_when_not_given():
    body = build_reindex_body({"host": "http://h:9200"}, "logs", "logs-v2")
    assert body["source"] == {"remote": {"host": "http://h:9200"}, "index": "logs"}
    assert "max_docs" not in body


def test_empty_credentials_and_options_not_sent():
    remote = {"host": "http://h:9200/", "username": "", "password": None, "headers": {}, "socket_timeout": None}
    body = build_reindex_body(remote, "logs", "logs-v2")
    assert body["source"]["remote"] == {"host": "http://h:9200"}  # trailing slash dropped too


def test_remote_options_passed():
    remote = dict(REMOTE, socket_timeout="2m", connect_timeout="30s", headers={"X-Tenant": "a"}, unknown="x")
    sent = build_reindex_body(remote, "logs", "logs-v2")["source"]["remote"]
    assert sent == {
        "host": "https://es-old.example.com:9200",
        "username": "migrator",
        "password": "s3cret",
        "socket_timeout": "2m",
        "connect_timeout": "30s",
        "headers": {"X-Tenant": "a"},
    }


# --- redact_body -------------------------------------------------------------------------------------------


def test_redact_body_hides_password_and_header_values():
    remote = dict(REMOTE, headers={"Authorization": "ApiKey abc", "X-Tenant": "t1"})
    body = build_reindex_body(remote, "logs", "logs-v2", query={"match_all": {}})
    original = copy.deepcopy(body)
    shown = redact_body(body)
    assert body == original  # input untouched
    text = repr(shown)
    assert "s3cret" not in text and "ApiKey abc" not in text and "t1" not in text
    assert shown["source"]["remote"]["password"] != "s3cret"
    assert set(shown["source"]["remote"]["headers"]) == {"Authorization", "X-Tenant"}
    assert shown["source"]["remote"]["username"] == "migrator"
    assert shown["source"]["remote"]["host"] == "https://es-old.example.com:9200"
    assert shown["source"]["query"] == {"match_all": {}}
    assert shown["dest"] == body["dest"]
    assert shown["conflicts"] == "proceed"


def test_redact_body_without_secrets_is_equal():
    body = build_reindex_body({"host": "http://h:9200"}, "logs", "logs-v2")
    assert redact_body(body) == body


# --- result_from_response ----------------------------------------------------------------------------------


def test_result_from_response():
    response = {
        "took": 2000,
        "timed_out": False,
        "total": 12,
        "created": 6,
        "updated": 2,
        "deleted": 1,
        "batches": 1,
        "version_conflicts": 2,
        "noops": 1,
        "failures": [{"id": "7", "cause": {"type": "x", "reason": "y"}}],
    }
    result = result_from_response(response)
    for key in ("total", "created", "updated", "deleted", "batches", "version_conflicts", "noops"):
        assert result[key] == response[key]
    assert result["took"] == 2000
    assert result["timed_out"] is False
    assert result["failures"] == response["failures"]
    # 6 + 2 + 1 + 1 noops + 2 conflicts = 12 documents handled in 2 s
    assert result["docs_per_second"] == 6.0
    assert documents_written(result) == 9


def test_result_from_empty_response():
    result = result_from_response({"took": 0, "created": None})
    assert result["docs_per_second"] == 0.0
    assert isinstance(result["docs_per_second"], float)
    assert result["created"] == 0 and result["failures"] == [] and result["timed_out"] is False


def test_docs_per_second_rounded():
    assert result_from_response({"took": 3000, "created": 10})["docs_per_second"] == 3.3


# --- summarise_failures ------------------------------------------------------------------------------------


def test_summarise_failures_limit_and_more():
    failures = [{"id": str(n), "cause": {"type": "mapper_parsing_exception", "reason": "bad %d" % n}} for n in range(5)]
    text = summarise_failures(failures, limit=2)
    assert "[0] mapper_parsing_exception: bad 0" in text
    assert "[1] mapper_parsing_exception: bad 1" in text
    assert "bad 2" not in text
    assert text.endswith("... and 3 more")


def test_summarise_failures_within_limit():
    failures = [{"index": "logs", "reason": "plain text reason"}]
    assert summarise_failures(failures) == "[logs] plain text reason"
    assert "more" not in summarise_failures(failures * 3)
    assert summarise_failures([]) == ""


# --- hints -------------------------------------------------------------------------------------------------


def test_not_whitelisted_hint():
    message = (
        "ApiError(400, 'illegal_argument_exception', "
        "'[127.0.0.1:19200] not whitelisted in reindex.remote.whitelist')"
    )
    hint = not_whitelisted_hint(message)
    assert "'127.0.0.1:19200'" in hint
    assert "reindex.remote.whitelist" in hint
    assert "restart" in hint


def test_not_whitelisted_hint_ipv6():
    # Elasticsearch builds the checked text from URI.getHost(), which keeps the brackets of an IPv6 address.
    hint = not_whitelisted_hint("[[::1]:9200] not whitelisted in reindex.remote.whitelist")
    assert hint is not None
    assert "'[::1]:9200'" in hint


@pytest.mark.parametrize("message", ["index_not_found_exception", "", None, "[h:9200] is whitelisted"])
def test_not_whitelisted_hint_other_text(message):
    assert not_whitelisted_hint(message) is None


@pytest.mark.parametrize(
    "text, word",
    [
        ("connect_exception: Connection refused", "cannot connect"),
        ("java.net.UnknownHostException: es-old", "cannot connect"),
        ("status_exception: ... status=401 ...", "credentials"),
        ("security_exception: unable to authenticate user [migrator]", "credentials"),
        ("status_exception: status=403", "privileges"),
        ("status_exception: status=403 action [cluster:monitor/main] is unauthorized", "cluster privilege monitor"),
        # A 7.17 destination reading through a proxy slower than socket_timeout 1s (tests/integration/test_network_faults.py)
        ("socket_timeout_exception: 1,000 milliseconds timeout on connection http-outgoing-5 [ACTIVE]",
         "raise remote.socket_timeout"),
        # ... and connecting to a port whose listen queue is full with connect_timeout 1s (the same test file)
        ("connect_exception: Timeout connecting to [/127.0.0.1:24740]", "raise remote.connect_timeout"),
    ],
)
def test_remote_error_hint(text, word):
    hint = remote_error_hint(text, "https://es-old.example.com:9200")
    assert word in hint


def test_remote_error_hint_names_host_when_unreachable():
    assert "https://es-old.example.com:9200" in remote_error_hint("Connection refused", "https://es-old.example.com:9200")


@pytest.mark.parametrize("text", ["mapper_parsing_exception", "", None])
def test_remote_error_hint_other(text):
    assert remote_error_hint(text, "h") is None


# --- issue 13: names, rename options, failures and remote errors in words ----------------------------------------

from ansible_collections.esops.migration.plugins.module_utils._reindex import (  # noqa: E402
    dest_name_problems,
    dest_template_problems,
    remote_error_reason,
    rename_problems,
    validate_remote_host as _validate_remote_host,
)


def test_dest_template_is_checked_with_index_filled_in():
    assert dest_template_problems("{index}") == [] and dest_template_problems("restored-{index}") == []
    assert "expands" in dest_template_problems("bad*")[0] and "dest_index" in dest_template_problems("bad*")[0]
    assert dest_name_problems(["ok", "Upper"]) and dest_name_problems(["ok", "fine"]) == []


def test_rename_problems_name_the_option():
    assert "rename_pattern '(['" in rename_problems("([", "")[0]
    assert "rename_replacement" in rename_problems("^(a)$", r"\2")[0]
    assert rename_problems("^logs-(.*)", r"archive-\1") == [] and rename_problems(None, "") == []


def test_failures_lead_with_the_deepest_cause():
    # As Elasticsearch 7.17 answers a reindex into "bad*" (recorded from a real node).
    failure = {"index": "bad*", "id": "1", "status": 403, "cause": {
        "type": "security_exception", "reason": "action [indices:admin/auto_create] is unauthorized for user [u]",
        "caused_by": {"type": "illegal_argument_exception",
                      "reason": "the action indices:admin/auto_create does not support wildcards"}}}
    text = summarise_failures([failure])
    assert text.startswith("[1] illegal_argument_exception: the action indices:admin/auto_create does not support")
    assert "(reported as security_exception" in text


def test_remote_error_reason_in_words():
    error = ('status_exception: body={"error":{"type":"index_not_found_exception","reason":"no such index [x]"},'
             '"status":404}; caused by response_exception: ...')
    assert remote_error_reason(error) == (
        "the source cluster answered HTTP 404: index_not_found_exception: no such index [x]")
    assert remote_error_reason("connect_exception: Connection refused") is None
    assert remote_error_reason('body={"error" broken') is None


def test_remote_host_messages_never_show_the_password():
    for host in ("http://u:pw-123@h:9200", "u:pw-123@h:9200", "ftp://u:pw-123@h", "http://u:pw-123@h"):
        problems = _validate_remote_host(host)
        assert problems and "pw-123" not in " ".join(problems), problems


@pytest.mark.parametrize("mode", ["create", "sync", "overwrite"])
def test_a_body_in_create_mode_writes_only_missing_documents_and_keeps_the_rest(mode):
    body = build_reindex_body({"host": "http://src:9200"}, "a", "b", mode=mode, routing="=x", max_docs=5)
    assert body_write_mode(body) == mode
    created = in_create_mode(body)
    assert body_write_mode(created) == "create" and body_write_mode(body) == mode  # the given body is left as it was
    assert created == build_reindex_body({"host": "http://src:9200"}, "a", "b", mode="create", routing="=x", max_docs=5)
