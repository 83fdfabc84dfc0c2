# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The destination's nodes as coordinators of reindex tasks: which nodes take HTTP requests, and which copy starts
on which node.

A reindex task runs on (is coordinated by) the node that received the POST _reindex, so copies sent through one
address all run on one node; sending each copy to another node spreads the work over the destination cluster.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# Roles of a node that only takes part in master elections: it should not coordinate copies when other nodes can.
MASTER_ONLY_ROLES = {"master", "voting_only"}


def publish_url(scheme, publish_address):
    """scheme://ip:port of a node's http.publish_address, written `ip:port` or `hostname/ip:port` (pure)."""
    return "%s://%s" % (scheme, publish_address.rpartition("/")[2])


def is_master_only(roles):
    return bool(roles) and set(roles) <= MASTER_ONLY_ROLES


def publishing_nodes(answer):
    """(node id, node) of the nodes of a GET _nodes/http answer that publish an HTTP address, by id (pure)."""
    listed = sorted(((answer or {}).get("nodes") or {}).items())
    return [(node_id, node) for node_id, node in listed if (node.get("http") or {}).get("publish_address")]


def http_nodes(answer, scheme="http"):
    """The nodes of a GET _nodes/http answer that publish an HTTP address, sorted by name (pure).

    Each is a dict with id, name and url (scheme://ip:port). Master-only nodes are left out when other nodes
    publish an address.
    """
    with_http = publishing_nodes(answer)
    workers = [(node_id, node) for node_id, node in with_http if not is_master_only(node.get("roles"))]
    nodes = [dict(id=node_id, name=node.get("name") or node_id,
                  url=publish_url(scheme, node["http"]["publish_address"])) for node_id, node in workers or with_http]
    return sorted(nodes, key=lambda node: (node["name"], node["id"]))


def given_nodes(urls):
    """The nodes listed by URL (dest_nodes), without id or name until the cluster tells them (pure)."""
    return [dict(id=None, name=None, url=url.rstrip("/")) for url in urls]


def scheme_of(hosts):
    """The scheme of the module's first host (http when none is written), for the nodes' publish addresses (pure)."""
    first = (hosts or ["http://127.0.0.1:9200"])[0]
    return urlsplit(first if "://" in first else "http://" + first).scheme or "http"


def round_robin(count, nodes):
    """The node each of `count` copies starts on: copy i on node i mod len(nodes) (pure); None each without nodes."""
    if not nodes:
        return [None] * count
    return [nodes[position % len(nodes)] for position in range(count)]


def task_node_id(task_id):
    """The id of the node running a task, from its id `node_id:number` (the Tasks API's `node`), or None (pure)."""
    node_id, sep, _number = str(task_id or "").partition(":")
    return node_id if sep else None
