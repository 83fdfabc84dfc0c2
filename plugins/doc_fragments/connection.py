# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options shared by every module that talks to a cluster.
    DOCUMENTATION = r"""
options:
  hosts:
    description:
      - URLs of the cluster's HTTP endpoints, for example C(https://es1.example.com:9200).
      - Credentials belong in O(username)/O(password), O(api_key) or O(bearer_token), never in the URL.
    type: list
    elements: str
    default: ['http://127.0.0.1:9200']
  username:
    description:
      - User for HTTP basic authentication. Requires O(password).
    type: str
  password:
    description:
      - Password for O(username).
    type: str
  api_key:
    description:
      - API key, either the base64 C(id:api_key) string Elasticsearch returns as C(encoded) or C(id:api_key).
      - Mutually exclusive with O(username) and O(bearer_token).
    type: str
  bearer_token:
    description:
      - OAuth2/service-account bearer token.
      - Mutually exclusive with O(username) and O(api_key).
    type: str
  ca_certs:
    description:
      - PEM file of the certificate authorities trusted for C(https) hosts.
      - Used whatever the authentication method, including none.
    type: path
  client_cert:
    description:
      - PEM client certificate for TLS client authentication.
    type: path
  client_key:
    description:
      - PEM private key of O(client_cert).
    type: path
  verify_certs:
    description:
      - Whether to verify the server certificate of C(https) hosts.
      - Turning this off is insecure; prefer O(ca_certs).
    type: bool
    default: true
  request_timeout:
    description:
      - Seconds to wait for a response to each HTTP request.
    type: float
    default: 30
  max_retries:
    description:
      - How many times a request that failed on the connection (not on an Elasticsearch error) is retried.
    type: int
    default: 3
notes:
  - The module asks each cluster C(GET /) once, and talks to it with the client library made for what it answers,
    with the same connection options. Elasticsearch 7.14 and later is served by elasticsearch-py (it checks the
    C(X-Elastic-Product) header those versions send). OpenSearch, and Elasticsearch 5.x to 7.13, are served by
    opensearch-py, which speaks plain JSON to them; elasticsearch-py refuses OpenSearch and servers before 7.14,
    and Elasticsearch 5.x/6.x answer its C(compatible-with=8) content type with HTTP 406.
  - Elasticsearch servers accept the C(compatible-with) version of their own major and the one before (an 8.x
    server refuses the C(compatible-with=9) of elasticsearch-py 9 by default), so each request names the version
    chosen from the server's C(GET /) answer, C(8) up to 8.x servers, the client's major up to the server's from
    9.x on. elasticsearch-py 8.13 or later and 9.x both work; an older or broken one fails with what to install.
requirements:
  - elasticsearch >= 8.13 (the official Python client, 8.x or 9.x; it talks to Elasticsearch 7.14 to 9.x)
  - opensearch-py >= 2.4 (only for OpenSearch and for Elasticsearch before 7.14)
"""

    # The second (source) cluster, as the module itself reaches it: es_verify's source, es_index's copy_from and
    # es_reindex's source share these suboptions. ansible-test reads doc fragments as string literals only, so
    # the suboptions are repeated in each; tests/unit/plugins/doc_fragments checks the copies are the same.
    SOURCE = r"""
options:
  source:
    description:
      - The source cluster and index, as the module reaches them.
      - Without O(source.hosts) the source index is read from the cluster of the module's own connection options.
      - O(source.request_timeout) and O(source.max_retries) default to the module's O(request_timeout) and
        O(max_retries).
    type: dict
    required: true
    suboptions:
      index:
        description: Index (or pattern) on the source cluster.
        type: str
        required: true
      hosts:
        description:
          - URLs of the source cluster's HTTP endpoints.
        type: list
        elements: str
      username:
        description: User on the source cluster, with the password suboption.
        type: str
      password:
        description: Password of the username suboption.
        type: str
      api_key:
        description:
          - API key for the source cluster (C(id:api_key) or its base64 encoding), instead of a username.
        type: str
      bearer_token:
        description: Bearer token for the source cluster, instead of a username or an API key.
        type: str
      ca_certs:
        description: PEM file of the certificate authorities trusted for C(https) source hosts.
        type: path
      client_cert:
        description: PEM client certificate presented to the source cluster.
        type: path
      client_key:
        description: PEM private key of the client_cert suboption.
        type: path
      verify_certs:
        description: Whether to verify the certificate of C(https) source hosts.
        type: bool
        default: true
      request_timeout:
        description: Seconds to wait for each request to the source (the module's O(request_timeout) when omitted).
        type: float
      max_retries:
        description:
          - Retries of a request to the source that failed on the connection (the module's O(max_retries) when
            omitted).
        type: int
"""

    COPY_FROM = r"""
options:
  copy_from:
    description:
      - Create the index from the mappings and index settings of an index on a source cluster.
      - Copied are the mappings, whole, and the settings such as C(number_of_shards), C(number_of_replicas),
        C(refresh_interval) and C(analysis).
      - Never copied are what Elasticsearch sets itself (C(uuid), C(creation_date), C(version.*),
        C(provided_name), C(history.uuid), C(resize.*), C(shrink.*), C(routing.allocation.initial_recovery.*)),
        the state of the source index (C(blocks.*), such as the write block of a source made read-only,
        C(frozen), C(search.throttled), C(verified_before_close), C(store.snapshot.*), C(recovery.type)) and
        the index lifecycle settings C(lifecycle.*), as the policy may not exist on the destination; set
        C(lifecycle.name) in O(settings) to attach one.
      - Ingest pipelines named in C(default_pipeline) or C(final_pipeline) are copied and must exist on the
        destination; override them with O(settings) (a null value drops them).
      - O(settings) and O(mappings) are merged on top of the copy, the options winning; a null value removes
        the copied setting (with everything under it) or mapping parameter.
      - The index's aliases are not copied; give them in O(aliases).
      - The mappings of an Elasticsearch 5.x/6.x source lose their type level. A source index with several
        mapping types (Elasticsearch 5.x) is refused unless O(copy_from.mapping_type) or O(copy_from.merge_types)
        says which mapping to copy.
      - Copied settings the destination does not know (settings later versions removed, such as
        C(index.mapper.dynamic) or C(index.mapping.single_type)) are left out and listed in RV(settings_dropped);
        the destination is asked with a simulated index template (Elasticsearch 7.9+, OpenSearch).
      - Without O(copy_from.hosts) the source index is read from the destination cluster, with the module's
        connection options; the other connection suboptions then need O(copy_from.hosts).
      - O(copy_from.request_timeout) and O(copy_from.max_retries) default to the module's O(request_timeout) and
        O(max_retries).
    type: dict
    suboptions:
      index:
        description:
          - Name of the source index. An alias must point to exactly one index.
        type: str
        required: true
      keep_allocation:
        description:
          - Copy the shard allocation filters C(index.routing.allocation.*) too. They name node attributes
            of the source cluster, so by default they are dropped.
        type: bool
        default: false
      mapping_type:
        description:
          - On a source index with several mapping types, copy the mapping of this type only (one destination
            index per type, as M(esops.migration.es_reindex) copies them with
            O(esops.migration.es_reindex#module:type_strategy=index_per_type)).
        type: str
        version_added: 0.2.0
      merge_types:
        description:
          - On a source index with several mapping types, copy the fields of every type into one mapping (as
            M(esops.migration.es_reindex) copies them with
            O(esops.migration.es_reindex#module:type_strategy=prefix_ids)).
            Elasticsearch 5.x requires a field of the same name to have the same mapping in every type of an
            index, so the fields merge without conflict.
        type: bool
        default: false
        version_added: 0.2.0
      hosts:
        description:
          - URLs of the source cluster's HTTP endpoints.
        type: list
        elements: str
      username:
        description: User on the source cluster, with the password suboption.
        type: str
      password:
        description: Password of the username suboption.
        type: str
      api_key:
        description:
          - API key for the source cluster (C(id:api_key) or its base64 encoding), instead of a username.
        type: str
      bearer_token:
        description: Bearer token for the source cluster, instead of a username or an API key.
        type: str
      ca_certs:
        description: PEM file of the certificate authorities trusted for C(https) source hosts.
        type: path
      client_cert:
        description: PEM client certificate presented to the source cluster.
        type: path
      client_key:
        description: PEM private key of the client_cert suboption.
        type: path
      verify_certs:
        description: Whether to verify the certificate of C(https) source hosts.
        type: bool
        default: true
      request_timeout:
        description: Seconds to wait for each request to the source (the module's O(request_timeout) when omitted).
        type: float
      max_retries:
        description:
          - Retries of a request to the source that failed on the connection (the module's O(max_retries) when
            omitted).
        type: int
"""

    REINDEX_SOURCE = r"""
options:
  source:
    description:
      - The source cluster as the module itself reaches it, to resolve patterns, partitions and the check-mode
        count. O(remote) is how the destination cluster reaches it; the two differ when, for example, the
        destination goes through a proxy or another network.
      - What this leaves out comes from O(remote), host, credentials and headers (when O(source) gives no
        credentials), and C(ca_certs); certificates are not verified when O(source.verify_certs) or
        O(remote.verify_certs) is false.
      - O(source.request_timeout) and O(source.max_retries) default to the module's O(request_timeout) and
        O(max_retries).
    type: dict
    version_added: 0.2.0
    suboptions:
      hosts:
        description:
          - URLs of the source cluster's HTTP endpoints.
        type: list
        elements: str
      username:
        description: User on the source cluster, with the password suboption.
        type: str
      password:
        description: Password of the username suboption.
        type: str
      api_key:
        description:
          - API key for the source cluster (C(id:api_key) or its base64 encoding), instead of a username.
        type: str
      bearer_token:
        description: Bearer token for the source cluster, instead of a username or an API key.
        type: str
      ca_certs:
        description: PEM file of the certificate authorities trusted for C(https) source hosts.
        type: path
      client_cert:
        description: PEM client certificate presented to the source cluster.
        type: path
      client_key:
        description: PEM private key of the client_cert suboption.
        type: path
      verify_certs:
        description: Whether to verify the certificate of C(https) source hosts.
        type: bool
        default: true
      request_timeout:
        description: Seconds to wait for each request to the source (the module's O(request_timeout) when omitted).
        type: float
      max_retries:
        description:
          - Retries of a request to the source that failed on the connection (the module's O(max_retries) when
            omitted).
        type: int
"""

    # es_info's optional second cluster: the source of a migration, only connection suboptions.
    INFO_SOURCE = r"""
options:
  source:
    description:
      - A second cluster, the source of a migration, as the module reaches it (without O(source.hosts), the
        module's own cluster). When given, the module also describes it (RV(source)) and tells whether a reindex from it into the cluster of the module's own
        connection options can work (RV(pair_problem)).
      - O(source.request_timeout) and O(source.max_retries) default to the module's O(request_timeout) and
        O(max_retries).
    type: dict
    suboptions:
      hosts:
        description:
          - URLs of the source cluster's HTTP endpoints.
        type: list
        elements: str
      username:
        description: User on the source cluster, with the password suboption.
        type: str
      password:
        description: Password of the username suboption.
        type: str
      api_key:
        description:
          - API key for the source cluster (C(id:api_key) or its base64 encoding), instead of a username.
        type: str
      bearer_token:
        description: Bearer token for the source cluster, instead of a username or an API key.
        type: str
      ca_certs:
        description: PEM file of the certificate authorities trusted for C(https) source hosts.
        type: path
      client_cert:
        description: PEM client certificate presented to the source cluster.
        type: path
      client_key:
        description: PEM private key of the client_cert suboption.
        type: path
      verify_certs:
        description: Whether to verify the certificate of C(https) source hosts.
        type: bool
        default: true
      request_timeout:
        description: Seconds to wait for each request to the source (the module's O(request_timeout) when omitted).
        type: float
      max_retries:
        description:
          - Retries of a request to the source that failed on the connection (the module's O(max_retries) when
            omitted).
        type: int
"""

    # es_preflight's second cluster: the source of the migration, only connection suboptions.
    PREFLIGHT_SOURCE = r"""
options:
  source:
    description:
      - The source cluster of the migration, as the module reaches it with the migration's credentials (without
        O(source.hosts), the module's own cluster).
      - O(source.request_timeout) and O(source.max_retries) default to the module's O(request_timeout) and
        O(max_retries).
    type: dict
    required: true
    suboptions:
      hosts:
        description:
          - URLs of the source cluster's HTTP endpoints.
        type: list
        elements: str
      username:
        description: User on the source cluster, with the password suboption.
        type: str
      password:
        description: Password of the username suboption.
        type: str
      api_key:
        description:
          - API key for the source cluster (C(id:api_key) or its base64 encoding), instead of a username.
        type: str
      bearer_token:
        description: Bearer token for the source cluster, instead of a username or an API key.
        type: str
      ca_certs:
        description: PEM file of the certificate authorities trusted for C(https) source hosts.
        type: path
      client_cert:
        description: PEM client certificate presented to the source cluster.
        type: path
      client_key:
        description: PEM private key of the client_cert suboption.
        type: path
      verify_certs:
        description: Whether to verify the certificate of C(https) source hosts.
        type: bool
        default: true
      request_timeout:
        description: Seconds to wait for each request to the source (the module's O(request_timeout) when omitted).
        type: float
      max_retries:
        description:
          - Retries of a request to the source that failed on the connection (the module's O(max_retries) when
            omitted).
        type: int
"""
