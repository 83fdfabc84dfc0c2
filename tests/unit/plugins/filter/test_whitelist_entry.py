"""Unit tests for the esops.migration.whitelist_entry filter."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.esops.migration.plugins.filter.whitelist_entry import FilterModule


@pytest.fixture
def whitelist_entry():
    return FilterModule().filters()["whitelist_entry"]


@pytest.mark.parametrize(
    "url, entry",
    [
        ("https://10.0.0.1:9200", "10.0.0.1:9200"),
        ("https://es-source.example.com:9243", "es-source.example.com:9243"),
        ("http://es-source.example.com:9200/proxy/", "es-source.example.com:9200"),
        ("http://[::1]:9200", "[::1]:9200"),
    ],
)
def test_good_url(whitelist_entry, url, entry):
    assert whitelist_entry(url) == entry


@pytest.mark.parametrize(
    "url, hint",
    [
        ("10.0.0.1:9200", "http://10.0.0.1:9200"),
        ("https://es-source.example.com", "https://es-source.example.com:9200"),
        ("ftp://h:21", "http or https"),
        ("https://u:p@h:9200", "credentials"),
        ("", "empty"),
    ],
)
def test_bad_url(whitelist_entry, url, hint):
    with pytest.raises(AnsibleFilterError) as info:
        whitelist_entry(url)
    message = str(info.value)
    assert message.startswith("whitelist_entry: ")
    assert hint in message
