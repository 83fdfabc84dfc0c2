# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One cluster, whatever its product and version: detection, the client library made for it, and requests.

Modules talk to a `Cluster` (request(), exists(), search(), the point in time and mapping helpers) and catch
`ClusterError`; which library carries the requests is decided here, once per cluster, from ``GET /``:

- Elasticsearch 7.14 and later: elasticsearch-py 8. Its client refuses servers that do not send the
  ``X-Elastic-Product`` header (everything before 7.14, OpenSearch) and asks for ``compatible-with=8``
  content, which 5.x/6.x answer with HTTP 406.
- OpenSearch, and Elasticsearch 5.x to 7.13: opensearch-py, the maintained descendant of elasticsearch-py 7.10,
  which sends plain ``application/json`` and checks no product header.
"""

from __future__ import annotations

import base64
import traceback
from urllib.parse import quote, urlencode

try:
    import elasticsearch
    from elastic_transport import TransportError as ElasticTransportError
except ImportError:
    elasticsearch = ElasticTransportError = None
    ELASTICSEARCH_IMPORT_ERROR = traceback.format_exc()
else:
    ELASTICSEARCH_IMPORT_ERROR = None

try:
    import opensearchpy
except ImportError:
    opensearchpy = None
    OPENSEARCH_IMPORT_ERROR = traceback.format_exc()
else:
    OPENSEARCH_IMPORT_ERROR = None

ELASTICSEARCH = "elasticsearch"
OPENSEARCH = "opensearch"
PRODUCT_NAMES = {ELASTICSEARCH: "Elasticsearch", OPENSEARCH: "OpenSearch"}
# elasticsearch-py 8 needs the X-Elastic-Product header, which Elasticsearch sends from 7.14 on.
ELASTICSEARCH_PY_FROM = (7, 14)
OLDEST_ELASTICSEARCH = (5, 0)
JSON_HEADERS = {"accept": "application/json", "content-type": "application/json"}


class ClusterError(Exception):
    """A request that failed: `status` and the server's error `body`, or no status when the cluster was not reached."""

    def __init__(self, message, status=None, body=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body

    @property
    def unreachable(self):
        return self.status is None


class UnsupportedCluster(Exception):
    """The cluster's product or version cannot be served, or the library it needs is missing (`library` then)."""

    def __init__(self, message, library=None):
        super().__init__(message)
        self.message = message
        self.library = library


def parse_version(number):
    """(major, minor, patch) from a version string such as 7.17.29 or 8.0.0-SNAPSHOT (pure)."""
    parts = []
    for piece in str(number).split("-", maxsplit=1)[0].split(".")[:3]:
        digits = "".join(char for char in piece if char.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts + [0] * (3 - len(parts)))


def detect(info):
    """(product, version tuple) from the answer to GET / (pure)."""
    version = (info or {}).get("version") or {}
    if not version.get("number"):
        raise UnsupportedCluster("the answer to GET / has no version.number; is this an Elasticsearch or OpenSearch "
                                 "HTTP endpoint?")
    product = OPENSEARCH if version.get("distribution") == OPENSEARCH else ELASTICSEARCH
    return product, parse_version(version["number"])


def describe(product, version):
    return "%s %s" % (PRODUCT_NAMES[product], ".".join(str(part) for part in version))


def library_for(product, version):
    """The client library that talks to this product and version (pure): elasticsearch or opensearch."""
    if product == ELASTICSEARCH and version < OLDEST_ELASTICSEARCH:
        raise UnsupportedCluster("%s is not supported: the collection talks to Elasticsearch 5.0 and later and to "
                                 "OpenSearch" % describe(product, version))
    if product == ELASTICSEARCH and version >= ELASTICSEARCH_PY_FROM:
        return ELASTICSEARCH
    return OPENSEARCH


def opensearch_kwargs(params):
    """Keyword arguments for opensearchpy.OpenSearch from the connection options (pure)."""
    kwargs = dict(
        hosts=list(params.get("hosts") or ["http://127.0.0.1:9200"]),
        timeout=params.get("request_timeout") or 30,
        max_retries=params.get("max_retries") if params.get("max_retries") is not None else 3,
        retry_on_timeout=True,
    )
    if params.get("username"):
        kwargs["http_auth"] = (params["username"], params.get("password") or "")
    elif params.get("api_key"):
        kwargs["headers"] = {"authorization": "ApiKey " + encoded_api_key(params["api_key"])}
    elif params.get("bearer_token"):
        kwargs["headers"] = {"authorization": "Bearer " + params["bearer_token"]}
    kwargs.update(tls_kwargs(params))
    return kwargs


def tls_kwargs(params):
    """TLS keyword arguments, the same for both libraries, whatever the authentication method (pure)."""
    kwargs = {name: params[name] for name in ("ca_certs", "client_cert", "client_key") if params.get(name)}
    if params.get("verify_certs") is False:
        kwargs["verify_certs"] = False
        kwargs["ssl_show_warn"] = False
    return kwargs


def encoded_api_key(api_key):
    """The base64 form of an API key given as id:key or already encoded (pure)."""
    if ":" not in api_key:
        return api_key
    return base64.b64encode(api_key.encode("utf-8")).decode("ascii")


def query_string(params):
    """URL query parameters with booleans and lists written as the servers expect (pure)."""
    pairs = []
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            value = ",".join(str(item) for item in value)
        pairs.append((key, str(value)))
    return urlencode(pairs)


def path(*parts):
    """/part/part with each part quoted, keeping the commas and wildcards of index lists (pure)."""
    return "/" + "/".join(quote(str(part), safe=",*") for part in parts)


class ElasticsearchTransport:
    """Requests through elasticsearch-py's own perform_request (for Elasticsearch 7.14 and later)."""

    library = ELASTICSEARCH

    def __init__(self, client, headers=None):
        self.client = client.options(headers=headers) if headers else client

    def __call__(self, method, url, params=None, body=None):
        target = url + ("?" + query_string(params) if query_string(params) else "")
        try:
            response = self.client.perform_request(method, target, headers=JSON_HEADERS if body is not None
                                                   else {"accept": "application/json"}, body=body)
        except elasticsearch.ApiError as exc:
            raise ClusterError(str(exc.message), exc.meta.status, exc.body) from exc
        except ElasticTransportError as exc:
            raise ClusterError(str(exc.message)) from exc
        if method == "HEAD":
            return response.meta.status < 300
        return response.body


class OpenSearchTransport:
    """Requests through opensearch-py's transport (for OpenSearch and Elasticsearch before 7.14)."""

    library = OPENSEARCH

    def __init__(self, client, headers=None):
        self.client = client
        self.headers = headers

    def __call__(self, method, url, params=None, body=None):
        target = url + ("?" + query_string(params) if query_string(params) else "")
        try:
            return self.client.transport.perform_request(method, target, body=body, headers=self.headers)
        except opensearchpy.ConnectionError as exc:
            raise ClusterError(str(exc.error) if exc.error else str(exc)) from exc
        except opensearchpy.TransportError as exc:
            status = exc.status_code if isinstance(exc.status_code, int) else None
            raise ClusterError(str(exc.error), status, exc.info) from exc


def elasticsearch_kwargs(params):
    """Keyword arguments for elasticsearch.Elasticsearch from the connection options (pure)."""
    kwargs = dict(
        hosts=list(params.get("hosts") or ["http://127.0.0.1:9200"]),
        request_timeout=params.get("request_timeout") or 30,
        max_retries=params.get("max_retries") if params.get("max_retries") is not None else 3,
        retry_on_timeout=True,
    )
    if params.get("username"):
        kwargs["basic_auth"] = (params["username"], params.get("password") or "")
    elif params.get("api_key"):
        api_key = params["api_key"]
        kwargs["api_key"] = tuple(api_key.split(":", 1)) if ":" in api_key else api_key
    elif params.get("bearer_token"):
        kwargs["bearer_auth"] = params["bearer_token"]
    kwargs.update(tls_kwargs(params))
    return kwargs


def elasticsearch_transport(params, headers=None):
    return ElasticsearchTransport(elasticsearch.Elasticsearch(**elasticsearch_kwargs(params)), headers)


def opensearch_transport(params, headers=None):
    return OpenSearchTransport(opensearchpy.OpenSearch(**opensearch_kwargs(params)), headers)


def ask_root(transport):
    """The answer to GET / through elasticsearch-py, which refuses (but shows) the answers of other products."""
    try:
        return transport("GET", "/")
    except ClusterError as exc:
        cause = exc.__cause__
        if isinstance(cause, elasticsearch.UnsupportedProductError) and isinstance(cause.body, dict):
            return cause.body  # OpenSearch, or Elasticsearch before 7.14: detected, then served by opensearch-py
        if exc.status == 406 and opensearchpy is not None:
            return None  # Elasticsearch 5.x/6.x refuse the compatible-with=8 content type: ask with opensearch-py
        if exc.status == 406:
            raise UnsupportedCluster("the cluster refused elasticsearch-py's compatible-with=8 content type (HTTP 406), "
                                     "as Elasticsearch before 7 does; opensearch-py is needed to talk to it",
                                     library="opensearch-py")
        raise


def probe(params, headers=None):
    """(transport, answer to GET /) from the installed libraries, elasticsearch-py first."""
    if elasticsearch is not None:
        transport = elasticsearch_transport(params, headers)
        info = ask_root(transport)
        if info is not None:
            return transport, info
    if opensearchpy is not None:
        transport = opensearch_transport(params, headers)
        return transport, transport("GET", "/")
    raise UnsupportedCluster("neither elasticsearch-py nor opensearch-py is installed", library="elasticsearch")


def connect_cluster(params, headers=None):
    """A Cluster for the connection options: GET / tells the product and version, which choose the library.

    Raises ClusterError when the cluster cannot be asked and UnsupportedCluster when it cannot be served.
    """
    transport, info = probe(params, headers)
    product, version = detect(info)
    library = library_for(product, version)
    if library == transport.library:
        return Cluster(transport, product, version, params, headers)
    if library == OPENSEARCH and opensearchpy is None:
        raise UnsupportedCluster("opensearch-py is needed to talk to %s" % describe(product, version),
                                 library="opensearch-py")
    if library == ELASTICSEARCH and elasticsearch is None:
        raise UnsupportedCluster("elasticsearch-py is needed to talk to %s" % describe(product, version),
                                 library="elasticsearch")
    return Cluster(TRANSPORT_MAKERS[library](params, headers), product, version, params, headers)


TRANSPORT_MAKERS = {ELASTICSEARCH: elasticsearch_transport, OPENSEARCH: opensearch_transport}


class Cluster:
    """A connected cluster: its product, its version, and requests that answer dicts or raise ClusterError."""

    def __init__(self, transport, product, version, params=None, headers=None):
        self.transport = transport
        self.product = product
        self.version = tuple(version)
        self.params = params or {}
        self.headers = headers

    def on_node(self, url):
        """The same cluster reached through one node only (its HTTP address `url`), with the same library,
        credentials and TLS options; the product and version are not asked again."""
        params = dict(self.params, hosts=[url])
        return Cluster(TRANSPORT_MAKERS[self.library](params, self.headers), self.product, self.version, params,
                       self.headers)

    @property
    def name(self):
        """Product and version, for messages: 'OpenSearch 2.19.6'."""
        return describe(self.product, self.version)

    @property
    def library(self):
        return self.transport.library

    def request(self, method, url, params=None, body=None, ignore=()):
        """The answer to one request (a dict); None when its HTTP status is in `ignore`."""
        try:
            return self.transport(method, url, params, body)
        except ClusterError as exc:
            if exc.status is not None and exc.status in ignore:
                return None
            raise

    def exists(self, url):
        """Whether HEAD url answers 2xx (404 is False)."""
        try:
            return bool(self.transport("HEAD", url))
        except ClusterError as exc:
            if exc.status == 404:
                return False
            raise

    def search(self, index, body, params=None):
        """A search answer with hits.total a number, on every version (5.x/6.x give a number, later an object)."""
        response = self.request("POST", path(index, "_search"), params, body)
        hits = response.get("hits") or {}
        if isinstance(hits.get("total"), dict):
            hits["total"] = hits["total"].get("value")
        return response

    def count(self, index, query=None):
        body = {"query": query} if query else None
        return self.request("POST" if body else "GET", path(index, "_count"), body=body)["count"]

    def mappings(self, index):
        """{index: mappings} without the type level that 5.x/6.x put in (several types have their properties merged)."""
        answer = self.request("GET", path(index, "_mapping"))
        return {name: typeless_mappings((entry or {}).get("mappings") or {}, self.version)
                for name, entry in answer.items()}

    def mapping_types(self, index):
        """{index: [type names]} on 5.x/6.x, where an index may hold several types; {} on later versions."""
        if self.version >= (7, 0, 0):
            return {}
        answer = self.request("GET", path(index, "_mapping"))
        return {name: sorted((entry or {}).get("mappings") or {}) for name, entry in answer.items()}

    def point_in_time_sort(self):
        """The sort that pages a point in time, or None when this server has no usable point in time."""
        if self.product == ELASTICSEARCH and self.version >= (7, 12, 0):
            return ["_shard_doc"]  # the tiebreaker of 7.12+; before it, search_after could skip documents
        if self.product == OPENSEARCH and OPENSEARCH_SHARD_DOC_FROM and self.version >= OPENSEARCH_SHARD_DOC_FROM:
            return ["_shard_doc"]
        return None

    def open_point_in_time(self, index, keep_alive):
        """The id of a new point in time on index, or None when this server has none (then use a scroll)."""
        if self.point_in_time_sort() is None:
            return None
        api = POINT_IN_TIME_API[self.product]
        try:
            return self.request("POST", path(index, *api["open"]), {"keep_alive": keep_alive})[api["id"]]
        except ClusterError as exc:
            if exc.status in (400, 404, 405):  # a server without point in time
                return None
            raise

    def close_point_in_time(self, pit_id):
        api = POINT_IN_TIME_API[self.product]
        self.request("DELETE", api["close"], body=api["close_body"](pit_id), ignore=(404,))


# How each product opens and closes a point in time.
POINT_IN_TIME_API = {
    ELASTICSEARCH: dict(open=("_pit",), id="id", close="/_pit", close_body=lambda pit_id: {"id": pit_id}),
    OPENSEARCH: dict(open=("_search", "point_in_time"), id="pit_id", close="/_search/point_in_time",
                     close_body=lambda pit_id: {"pit_id": [pit_id]}),
}
# OpenSearch has a point in time from 2.4, but no _shard_doc tiebreaker before 3.3 (it forked from 7.10, before
# Elasticsearch 7.12 added it), so search_after over _doc could skip documents: scroll there. OpenSearch 3.3 added
# _shard_doc (opensearch-project/OpenSearch#18924, ShardDocSortBuilder); checked with a point in time on 3.8.0.
OPENSEARCH_SHARD_DOC_FROM = (3, 3, 0)


def typeless_mappings(mappings, version):
    """Mappings without the type level of 5.x/6.x answers (pure); several types have their properties merged."""
    if version >= (7, 0, 0) or not mappings or "properties" in mappings:
        return mappings
    types = [value for value in mappings.values() if isinstance(value, dict)]
    if len(types) == 1:
        return types[0]
    merged = {}
    for mapping in types:
        merged.update(mapping.get("properties") or {})
    return {"properties": merged}
