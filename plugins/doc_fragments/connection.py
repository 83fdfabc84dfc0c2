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
requirements:
  - elasticsearch >= 8.13, < 9 (the official Python client; it also talks to 7.17 and 9.x servers)
"""
