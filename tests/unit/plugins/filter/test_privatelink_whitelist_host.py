"""Unit tests for the esops.migration.privatelink_whitelist_host filter."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.esops.migration.plugins.filter.privatelink_whitelist_host import FilterModule
from ansible_collections.esops.migration.plugins.module_utils._whitelist import entry_problem

SUFFIX = ".privatelink.aliyuncs.com"


@pytest.fixture
def host():
    return FilterModule().filters()["privatelink_whitelist_host"]


@pytest.mark.parametrize(
    "domain, expected",
    [
        # the guide's rule: remove the zone segment -cn-hangzhou-i
        ("ep-bp1abc123-cn-hangzhou-i.epsrv-bp1def456.cn-hangzhou" + SUFFIX, "ep-bp1abc123.epsrv-bp1def456.cn-hangzhou" + SUFFIX),
        ("ep-xxx-cn-hangzhou-i.epsrv-xxx.cn-hangzhou" + SUFFIX, "ep-xxx.epsrv-xxx.cn-hangzhou" + SUFFIX),
        ("ep-xxx-cn-hangzhou-k.epsrv-xxx.cn-hangzhou" + SUFFIX, "ep-xxx.epsrv-xxx.cn-hangzhou" + SUFFIX),
        # regions whose name ends in a digit take the zone letter directly
        ("ep-gw8abc-ap-southeast-1a.epsrv-gw8def.ap-southeast-1" + SUFFIX, "ep-gw8abc.epsrv-gw8def.ap-southeast-1" + SUFFIX),
        ("ep-abc-cn-shanghai-finance-1z.epsrv-def.cn-shanghai-finance-1" + SUFFIX, "ep-abc.epsrv-def.cn-shanghai-finance-1" + SUFFIX),
        # already without the zone: unchanged
        ("ep-xxx.epsrv-xxx.cn-hangzhou" + SUFFIX, "ep-xxx.epsrv-xxx.cn-hangzhou" + SUFFIX),
        # surrounding spaces are dropped
        ("  ep-xxx-cn-beijing-a.epsrv-yyy.cn-beijing" + SUFFIX + "\n", "ep-xxx.epsrv-yyy.cn-beijing" + SUFFIX),
    ],
)
def test_zone_segment_is_removed(host, domain, expected):
    assert host(domain) == expected
    assert host(expected) == expected  # applying it again changes nothing


def test_port_is_kept_and_result_is_a_valid_whitelist_entry(host):
    entry = host("ep-xxx-cn-hangzhou-i.epsrv-xxx.cn-hangzhou" + SUFFIX + ":9200")
    assert entry == "ep-xxx.epsrv-xxx.cn-hangzhou" + SUFFIX + ":9200"
    assert entry_problem(entry) is None


@pytest.mark.parametrize(
    "value, hint",
    [
        ("", "empty"),
        (None, "empty"),
        ("http://ep-xxx-cn-hangzhou-i.epsrv-xxx.cn-hangzhou" + SUFFIX + ":9200", "scheme"),
        ("ep-xxx-cn-hangzhou-i.epsrv-xxx.cn-hangzhou" + SUFFIX + ":9200/", "path"),
        ("ep-xxx-cn-hangzhou-i.epsrv-xxx.cn-hangzhou" + SUFFIX + ":http", "port"),
        ("ep-xxx-cn-hangzhou-i.epsrv-xxx.cn-hangzhou" + SUFFIX + ":70000", "port"),
        ("es-source.example.com:9200", "not a PrivateLink endpoint domain"),
        ("10.0.0.1:9200", "not a PrivateLink endpoint domain"),
        ("epsrv-xxx.cn-hangzhou" + SUFFIX, "not a PrivateLink endpoint domain"),
        ("ep-xxx-cn-hangzhou-i.epsrv-xxx.cn-hangzhou.privatelink.example.com", "not a PrivateLink endpoint domain"),
        # the zone must belong to the domain's region
        ("ep-xxx-cn-beijing-i.epsrv-xxx.cn-hangzhou" + SUFFIX, "not a zone of region 'cn-hangzhou'"),
        ("ep-xxx-cn-hangzhou.epsrv-xxx.cn-hangzhou" + SUFFIX, "not a zone"),
        # the guide prints masked IDs; they are not real domains (and '*' would widen the whitelist)
        ("ep-bp1****-cn-hangzhou-i.epsrv-bp1****.cn-hangzhou" + SUFFIX, "masked"),
    ],
)
def test_not_an_endpoint_domain(host, value, hint):
    with pytest.raises(AnsibleFilterError) as info:
        host(value)
    message = str(info.value)
    assert hint in message
    assert "ep-bp1xxxx-cn-hangzhou-i.epsrv-bp1yyyy.cn-hangzhou.privatelink.aliyuncs.com" in message  # the expected form
