# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: privatelink_whitelist_host
short_description: The reindex.remote.whitelist host of an Alibaba Cloud PrivateLink endpoint domain
version_added: 0.1.0
author: esops.migration contributors (@esops)
description:
  - Alibaba Cloud shows a PrivateLink endpoint's domain with the zone it sits in,
    V(ep-bp1xxxx-cn-hangzhou-i.epsrv-bp1yyyy.cn-hangzhou.privatelink.aliyuncs.com). The reindex whitelist (and
    C(source.remote.host) of the reindex) must use the domain with that zone segment removed,
    V(ep-bp1xxxx.epsrv-bp1yyyy.cn-hangzhou.privatelink.aliyuncs.com).
  - The zone segment is the region of the domain followed by the zone letter, appended to the endpoint ID
    (V(-cn-hangzhou-i) in region V(cn-hangzhou); V(-ap-southeast-1a) in region V(ap-southeast-1)). A domain
    without it is returned as it is.
  - An optional C(:port) is kept, so that V(...aliyuncs.com:9200) gives the whitelist entry C(host:port).
  - Anything that is not a PrivateLink endpoint domain (a URL with a scheme, another domain, a masked ID as printed
    in documentation, a zone of another region) fails with a message that shows the expected form.
options:
  _input:
    description: PrivateLink endpoint domain, optionally followed by C(:port); no scheme.
    type: str
    required: true
seealso:
  - plugin: esops.migration.whitelist_entry
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Whitelist entry for a source reached through PrivateLink
  esops.migration.es_reindex_whitelist:
    entries:
      - "{{ 'ep-bp1abc-cn-hangzhou-i.epsrv-bp1def.cn-hangzhou.privatelink.aliyuncs.com:9200' | esops.migration.privatelink_whitelist_host }}"
  # -> ep-bp1abc.epsrv-bp1def.cn-hangzhou.privatelink.aliyuncs.com:9200

- name: Host for source.remote.host of the reindex
  ansible.builtin.debug:
    msg: "https://{{ endpoint_domain | esops.migration.privatelink_whitelist_host }}:9200"
"""

RETURN = r"""
_value:
  description: The endpoint domain without its zone segment, followed by C(:port) when the input had one.
  type: str
"""

import re

from ansible.errors import AnsibleFilterError

EXPECTED = (
    "expected a PrivateLink endpoint domain such as "
    "'ep-bp1xxxx-cn-hangzhou-i.epsrv-bp1yyyy.cn-hangzhou.privatelink.aliyuncs.com' (optionally with ':9200'), "
    "as shown with the endpoint ID in the VPC console, without a scheme"
)
_DOMAIN = re.compile(
    r"^(?P<endpoint>ep-[a-z0-9]+)(?P<zone>-[a-z0-9-]+)?"
    r"\.(?P<service>epsrv-[a-z0-9]+)"
    r"\.(?P<region>[a-z]+(?:-[a-z0-9]+)+)"
    r"\.privatelink\.aliyuncs\.com$",
    re.IGNORECASE,
)


def _fail(value, why):
    raise AnsibleFilterError("privatelink_whitelist_host: %r %s; %s" % (value, why, EXPECTED))


def _zone_pattern(region):
    """The zone segment for a region: -cn-hangzhou-i for cn-hangzhou, -ap-southeast-1a for ap-southeast-1."""
    letter = "[a-z]" if region[-1].isdigit() else "-[a-z]"
    return re.compile("^-%s%s$" % (re.escape(region), letter), re.IGNORECASE)


def _host_and_port(value):
    """The domain and the port (None when absent) of a PrivateLink endpoint as given; fails on what cannot be one."""
    if not isinstance(value, str) or not value.strip():
        _fail(value, "is empty")
    text = value.strip()
    for marker, problem in (
        ("://", "has a scheme (give the domain only; build the URL around the result)"),
        ("/", "has a path"),
        ("*", "is masked (as printed in documentation); copy the real domain of the endpoint"),
    ):
        if marker in text:
            _fail(value, problem)
    host, sep, port = text.rpartition(":")
    if not sep:
        return text, None
    if not port.isdigit() or not 0 < int(port) < 65536:
        _fail(value, "has an invalid port %r" % port)
    return host, port


def privatelink_whitelist_host(value):
    host, port = _host_and_port(value)
    match = _DOMAIN.match(host)
    if not match:
        _fail(value, "is not a PrivateLink endpoint domain")
    zone = match.group("zone")
    if zone and not _zone_pattern(match.group("region")).match(zone):
        _fail(
            value,
            "has %r after the endpoint ID, which is not a zone of region %r (such as '-%s%s')"
            % (zone, match.group("region"), match.group("region"), "a" if match.group("region")[-1].isdigit() else "-i"),
        )
    result = "%s.%s.%s.privatelink.aliyuncs.com" % (match.group("endpoint"), match.group("service"), match.group("region"))
    return result + (":" + port if port is not None else "")


class FilterModule:
    def filters(self):
        return {"privatelink_whitelist_host": privatelink_whitelist_host}
