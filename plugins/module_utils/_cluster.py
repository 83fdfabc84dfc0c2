# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One cluster, whatever its product and version: detection, the client library made for it, and requests.

Modules talk to a `Cluster` (request(), exists(), search(), the point in time and mapping helpers) and catch
`ClusterError`; which library carries the requests is decided here, once per cluster, from ``GET /``:

- Elasticsearch 7.14 and later: elasticsearch-py 8 or 9. Its client refuses servers that do not send the
  ``X-Elastic-Product`` header (everything before 7.14, OpenSearch) and asks for
  ``application/vnd.elasticsearch+json; compatible-with=N`` content, which 5.x/6.x answer with HTTP 406. N is
  the client's major unless told otherwise, and servers accept only their own major and the one before (an 8.x
  server answers ``compatible-with=9`` with HTTP 400 media_type_header_exception), so every request names N:
  8 for ``GET /`` and for 7.x/8.x servers, the client's major (at most the server's) for 9.x and later.
- OpenSearch, and Elasticsearch 5.x to 7.13: opensearch-py, the maintained descendant of elasticsearch-py 7.10,
  which sends plain ``application/json`` and checks no product header.
"""

from __future__ import annotations

import base64
import traceback
from urllib.parse import quote, urlencode

try:
    import elasticsearch
except ImportError:
    elasticsearch = None
    ELASTICSEARCH_IMPORT_ERROR = traceback.format_exc()
else:
    ELASTICSEARCH_IMPORT_ERROR = None

try:
    from elastic_transport import TransportError as ElasticTransportError
except ImportError:  # elasticsearch-py before 8 has no elastic-transport: refused below for its version
    ElasticTransportError = None

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
# elasticsearch-py (8 and 9) needs the X-Elastic-Product header, which Elasticsearch sends from 7.14 on.
ELASTICSEARCH_PY_FROM = (7, 14)
OLDEST_ELASTICSEARCH = (5, 0)
# The elasticsearch-py the modules need (requirements.txt), as pip takes it; 9.x and later majors work too.
OLDEST_ELASTICSEARCH_PY = (8, 13, 0)
ELASTICSEARCH_PY_REQUIREMENT = "elasticsearch>=8.13"
# The compatible-with version of the GET / that detects the server, and of every request to 7.x/8.x servers: what
# elasticsearch-py 8 sends. 8.x servers accept 7 and 8, 9.x servers 8 and 9, 7.x servers any (7.17.29: 7 to 10).
PROBE_COMPATIBLE_WITH = 8
MEDIA_TYPE = "application/vnd.elasticsearch+json; compatible-with=%d"


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


def elasticsearch_py_problem(version_string, import_error=None):
    """Why the installed elasticsearch-py cannot be used, or None (pure): not importable, or older than 8.13."""
    if import_error:
        return "importing it failed: %s" % import_error.strip().splitlines()[-1]
    if version_string is None:
        return "it is not installed"
    if parse_version(version_string) < OLDEST_ELASTICSEARCH_PY:
        return "elasticsearch %s is installed; the collection needs %s" % (version_string, ELASTICSEARCH_PY_REQUIREMENT)
    return None


ELASTICSEARCH_PY_PROBLEM = elasticsearch_py_problem(getattr(elasticsearch, "__versionstr__", None),
                                                    ELASTICSEARCH_IMPORT_ERROR)
if ELASTICSEARCH_PY_PROBLEM:
    elasticsearch = None  # an unusable client is as good as none: opensearch-py may still serve the cluster
    ELASTICSEARCH_PY_MAJOR = None
else:
    ELASTICSEARCH_PY_MAJOR = parse_version(elasticsearch.__versionstr__)[0]


def compatible_with(client_major, server_major):
    """The compatible-with version to ask an Elasticsearch server for (pure).

    The client's major, but not above the server's (an 8.x server refuses 9), and not below 8: what elasticsearch-py 8
    has always sent, to 7.x servers too, which answer any.
    """
    return min(client_major, max(server_major, PROBE_COMPATIBLE_WITH))


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
    """Requests through elasticsearch-py's own perform_request (for Elasticsearch 7.14 and later).

    Each request names its compatible-with version in Accept (and Content-Type with a body): elasticsearch-py keeps
    a vendor media type given so, where it turns plain application/json into its own major's.
    """

    library = ELASTICSEARCH

    def __init__(self, client, headers=None):
        self.client = client.options(headers=headers) if headers else client
        self.compatible_with = PROBE_COMPATIBLE_WITH

    def serve(self, version):
        """Ask for the content this server version and the installed client have in common from now on."""
        self.compatible_with = compatible_with(ELASTICSEARCH_PY_MAJOR, version[0])

    def request_headers(self, body):
        media_type = MEDIA_TYPE % self.compatible_with
        return {"accept": media_type, "content-type": media_type} if body is not None else {"accept": media_type}

    def __call__(self, method, url, params=None, body=None):
        target = url + ("?" + query_string(params) if query_string(params) else "")
        try:
            response = self.client.perform_request(method, target, headers=self.request_headers(body), body=body)
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
    raise UnsupportedCluster("neither elasticsearch-py nor opensearch-py is usable (elasticsearch-py: %s)"
                             % ELASTICSEARCH_PY_PROBLEM, library=ELASTICSEARCH_PY_REQUIREMENT)


def connect_cluster(params, headers=None):
    """A Cluster for the connection options: GET / tells the product and version, which choose the library.

    Raises ClusterError when the cluster cannot be asked and UnsupportedCluster when it cannot be served.
    """
    transport, info = probe(params, headers)
    product, version = detect(info)
    library = library_for(product, version)
    if library == transport.library:
        if library == ELASTICSEARCH:
            transport.serve(version)
        return Cluster(transport, product, version, params, headers)
    if library == OPENSEARCH and opensearchpy is None:
        raise UnsupportedCluster("opensearch-py is needed to talk to %s" % describe(product, version),
                                 library="opensearch-py")
    if library == ELASTICSEARCH and elasticsearch is None:
        raise UnsupportedCluster("elasticsearch-py is needed to talk to %s (%s)" % (describe(product, version),
                                 ELASTICSEARCH_PY_PROBLEM), library=ELASTICSEARCH_PY_REQUIREMENT)
    return Cluster(transport_for(library, params, headers, version), product, version, params, headers)


def transport_for(library, params, headers, version):
    """A transport of that library for the connection options, speaking to a server of that version."""
    transport = TRANSPORT_MAKERS[library](params, headers)
    if library == ELASTICSEARCH:
        transport.serve(version)
    return transport


TRANSPORT_MAKERS = {ELASTICSEARCH: elasticsearch_transport, OPENSEARCH: opensearch_transport}


def unidentified_cluster(params, headers=None):
    """A Cluster for a server that refused GET / (so its product and version are unknown), asked in plain JSON.

    opensearch-py sends plain JSON, which every version of both products reads; elasticsearch-py's compatible-with
    content type only where opensearch-py is not installed.
    """
    library = OPENSEARCH if opensearchpy is not None else ELASTICSEARCH
    return Cluster(TRANSPORT_MAKERS[library](params, headers), None, (0, 0, 0), params, headers)


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
        return Cluster(transport_for(self.library, params, self.headers, self.version), self.product, self.version,
                       params, self.headers)

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

    def put_mappings(self, url, body, params=None, create=False):
        """PUT typeless mappings, a create index body (create) or a _mapping update, the way this version takes them."""
        extra, body = typeless_mapping_request(self.product, self.version, body, create)
        return self.request("PUT", url, dict(params or {}, **extra), body)

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


# Elasticsearch 6.x wants a type level in the mappings it is sent; 6.7 and later take typeless mappings when
# asked with include_type_name=false. 5.x has no such parameter and needs the type level; 7.0 removed types.
INCLUDE_TYPE_NAME_FROM = (6, 7, 0)
TYPELESS_FROM = (7, 0, 0)
SINGLE_TYPE = "_doc"
OLD_SINGLE_TYPE = "doc"  # 5.x refuses type names beginning with an underscore


def typeless_mapping_request(product, version, body, create=False):
    """(extra query parameters, body) that make this server take typeless mappings (pure).

    `body` is a create index body (create, its mappings under "mappings") or the mappings of a PUT _mapping request.
    """
    version = tuple(version)
    if product != ELASTICSEARCH or version >= TYPELESS_FROM:
        return {}, body
    if version >= INCLUDE_TYPE_NAME_FROM:
        return {"include_type_name": "false"}, body
    type_name = SINGLE_TYPE if version >= (6, 0, 0) else OLD_SINGLE_TYPE
    if create:
        return {}, dict(body, mappings={type_name: body["mappings"]}) if body.get("mappings") else body
    return {}, {type_name: body}


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
