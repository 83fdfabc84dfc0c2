"""Unit tests for plugins/module_utils/_urls.py: credentials in URLs, hidden from messages and found for no_log."""

from __future__ import annotations

import pytest

from ansible_collections.esops.migration.plugins.module_utils._urls import redact_url, url_secrets


@pytest.mark.parametrize(
    "url, shown",
    [
        ("https://elastic:s3cret@es.example.com:9200/prefix?pretty#x", "https://es.example.com:9200/prefix?pretty#x"),
        ("https://elastic@es.example.com", "https://es.example.com"),
        ("http://es:9200", "http://es:9200"),
        ("es:9200", "es:9200"),
        ("elastic:s3cret@es:9200", "es:9200"),
        ("http://elastic:p@ss@es:9200/x", "http://es:9200/x"),
        ("http://elastic:s3/cret@es:9200", "http://es:9200"),
    ],
)
def test_redact_url(url, shown):
    assert redact_url(url) == shown


def test_redact_url_ipv6_keeps_brackets():
    assert redact_url("https://elastic:s3cret@[::1]:9200/") == "https://[::1]:9200/"


def test_url_secrets_finds_passwords_in_nested_urls_only():
    params = dict(hosts=["http://es:9200", "http://u:first@es:9200"], remote=dict(host="second-pw@es:9200"),
                  copy_from=dict(hosts=["https://u:third@es:9200/p"]), password="not-a-url", headers={"a": "b"})
    assert url_secrets(params) == {"first", "third"}  # 'second-pw@' has no password part, only a user name
    assert url_secrets({}) == set() and url_secrets([]) == set() and url_secrets(None) == set()
