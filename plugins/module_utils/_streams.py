# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Streaming every document (or id) of an index: a point in time with search_after where the server pages every
document with one, a scroll elsewhere; and reading two such streams at once (es_verify, es_mirror_deletes)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.esops.migration.plugins.module_utils._cluster import path
from ansible_collections.esops.migration.plugins.module_utils._verify import fetch_source

KEEP_ALIVE = "5m"

PAGE_FIELDS = "pit_id,_scroll_id,hits.hits._id,hits.hits._type,hits.hits._source,hits.hits.sort"


def _hits(response):
    return (response.get("hits") or {}).get("hits") or []


def page_body(cluster, query, with_source, batch_size, sort):
    body = dict(size=batch_size, sort=sort, _source=fetch_source(cluster.product, cluster.version, with_source))
    if query:
        body["query"] = query
    return body


def scan_point_in_time(cluster, pit, query, with_source, batch_size):
    """Pages of hits (_id, _source when asked) of every matching document, with a point in time and search_after."""
    try:
        search_after = None
        while True:
            body = page_body(cluster, query, with_source, batch_size, cluster.point_in_time_sort())
            body.update(pit={"id": pit, "keep_alive": KEEP_ALIVE}, track_total_hits=False)
            if search_after:
                body["search_after"] = search_after
            response = cluster.request("POST", "/_search", dict(filter_path=PAGE_FIELDS), body)
            pit = response.get("pit_id", pit)
            hits = _hits(response)
            if not hits:
                return
            yield hits
            search_after = hits[-1]["sort"]
    finally:
        cluster.close_point_in_time(pit)


def scan_scroll(cluster, index, query, with_source, batch_size):
    """The same pages read with a scroll, for servers without point in time."""
    response = cluster.request("POST", path(index, "_search"), dict(scroll=KEEP_ALIVE, filter_path=PAGE_FIELDS),
                               page_body(cluster, query, with_source, batch_size, ["_doc"]))
    scroll_id = response.get("_scroll_id")
    try:
        while _hits(response):
            yield _hits(response)
            response = cluster.request("POST", "/_search/scroll", dict(filter_path=PAGE_FIELDS),
                                       dict(scroll_id=scroll_id, scroll=KEEP_ALIVE))
            scroll_id = response.get("_scroll_id", scroll_id)
    finally:
        if scroll_id:
            cluster.request("DELETE", "/_search/scroll", body=dict(scroll_id=[scroll_id]), ignore=(404,))


class NoPointInTime(Exception):
    """stream_with=point_in_time on a server without a usable point in time."""


def scan(cluster, index, query, with_source, batch_size, stream_with="auto"):
    """Pages of hits of every matching document of index: a point in time when the server has one, else a scroll."""
    if stream_with == "scroll":
        return scan_scroll(cluster, index, query, with_source, batch_size)
    pit = cluster.open_point_in_time(index, KEEP_ALIVE)
    if pit is None and stream_with == "point_in_time":
        raise NoPointInTime("%s has no point in time that can page every document; use stream_with=scroll or auto"
                            % cluster.name)
    if pit is None:
        return scan_scroll(cluster, index, query, with_source, batch_size)
    return scan_point_in_time(cluster, pit, query, with_source, batch_size)


def _plain_id(hit):
    return hit["_id"]


def feed_streams(comparison, streams, digest, source_id=_plain_id):
    """Reads the (source, dest) streams of pages at once into comparison (side 0, side 1), with digest(hit) for
    each hit and source_id(hit) naming a source hit (its _id unless ids are prefixed); returns the documents read.

    Each side's next page is requested (in a thread) before the current one is hashed, so the clusters
    serve pages while this process hashes.
    """
    read = 0
    id_of = (source_id, _plain_id)
    with ThreadPoolExecutor(max_workers=2) as pool:
        pages = {side: pool.submit(next, stream, None) for side, stream in enumerate(streams)}
        while pages:
            for side in sorted(pages):
                hits = pages.pop(side).result()
                if hits is None:
                    continue
                pages[side] = pool.submit(next, streams[side], None)
                read += len(hits)
                for hit in hits:
                    comparison.add(side, id_of[side](hit), digest(hit))
    return read
