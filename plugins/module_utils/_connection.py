# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared connection layer: argument spec, client construction and error messages."""

from __future__ import annotations

import traceback
from urllib.parse import urlsplit

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.esops.migration.plugins.module_utils._cluster import (
    ELASTICSEARCH_IMPORT_ERROR,
    ELASTICSEARCH_PY_PROBLEM,
    ELASTICSEARCH_PY_REQUIREMENT,
    OPENSEARCH_IMPORT_ERROR,
    ClusterError,
    UnsupportedCluster,
    connect_cluster,
)
from ansible_collections.esops.migration.plugins.module_utils._urls import redact_url, url_secrets


def connection_argument_spec():
    """Options every cluster-facing module accepts (documented in the connection doc fragment)."""
    return dict(
        hosts=dict(type="list", elements="str", default=["http://127.0.0.1:9200"]),
        username=dict(type="str"),
        password=dict(type="str", no_log=True),
        api_key=dict(type="str", no_log=True),
        bearer_token=dict(type="str", no_log=True),
        ca_certs=dict(type="path"),
        client_cert=dict(type="path"),
        client_key=dict(type="path"),
        verify_certs=dict(type="bool", default=True),
        request_timeout=dict(type="float", default=30),
        max_retries=dict(type="int", default=3),
    )


def source_connection_spec():
    """Connection options of a second (source) cluster, as the module reaches it.

    Documented in the connection doc fragment's source suboptions.

    Without hosts it is the module's own cluster; without request_timeout or max_retries, the module's values.
    """
    spec = connection_argument_spec()
    spec["hosts"] = dict(type="list", elements="str")
    spec["request_timeout"] = dict(type="float")
    spec["max_retries"] = dict(type="int")
    return spec


CONNECTION_MUTUALLY_EXCLUSIVE = [("username", "api_key", "bearer_token")]
CONNECTION_REQUIRED_TOGETHER = [("username", "password"), ("client_cert", "client_key")]


def connection_problems(params):
    """Return messages for connection options that cannot work together (pure, for options in sub-dicts too)."""
    problems = []
    given = [name for name in ("username", "api_key", "bearer_token") if params.get(name)]
    if len(given) > 1:
        problems.append("use only one of username/password, api_key or bearer_token, not %s" % " and ".join(given))
    for first, second in CONNECTION_REQUIRED_TOGETHER:
        if bool(params.get(first)) != bool(params.get(second)):
            problems.append("%s and %s must be given together" % (first, second))
    for host in params.get("hosts") or []:
        url = host if "://" in host else "http://" + host
        parts = urlsplit(url)
        if parts.username or parts.password:
            problems.append(
                "host %s carries credentials in the URL; give them in username/password instead" % redact_url(url)
            )
    return problems


def error_causes(error, limit=5):
    """An Elasticsearch error object and the errors that caused it (caused_by), outermost first, at most `limit`."""
    causes = []
    while isinstance(error, dict) and len(causes) < limit:
        causes.append(error)
        error = error.get("caused_by")
    return causes


def _error_chain(error):
    """Reasons of an Elasticsearch error object and of the errors that caused it."""
    reasons = []
    for cause in error_causes(error):
        kind, reason = cause.get("type"), cause.get("reason")
        if kind or reason:
            reasons.append("%s: %s" % (kind, reason) if kind and reason else str(kind or reason))
    return reasons


def describe_error(error):
    """The type and reason of an Elasticsearch error object and of its causes, on one line (pure)."""
    return "; caused by ".join(_error_chain(error)) or str(error)


STATUS_HINTS = {
    401: "the cluster refused the credentials: check username/password, api_key or bearer_token",
    403: "the user lacks a privilege this action needs",
}


def describe_api_error(status, body, fallback=""):
    """One line with the HTTP status, the server's error type and reason, its causes, and a hint (pure)."""
    reasons = []
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            reasons = _error_chain(error)
        elif error:
            reasons = [str(error)]
    if not reasons and fallback and fallback != "None":
        reasons = [fallback]
    text = "HTTP %s %s" % (status, "; caused by ".join(reasons) if reasons else "(no error details in the response)")
    if status in STATUS_HINTS:
        text += " (%s)" % STATUS_HINTS[status]
    return text


def error_type(body):
    """The server's error type (e.g. index_not_found_exception), or None."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"].get("type")
    return None


class ElasticsearchModule(AnsibleModule):
    """AnsibleModule that adds the shared connection options and connects to clusters (Cluster objects) lazily."""

    def __init__(self, argument_spec=None, mutually_exclusive=None, required_together=None, **kwargs):
        spec = connection_argument_spec()
        spec.update(argument_spec or {})
        super().__init__(
            argument_spec=spec,
            mutually_exclusive=list(CONNECTION_MUTUALLY_EXCLUSIVE) + list(mutually_exclusive or []),
            required_together=list(CONNECTION_REQUIRED_TOGETHER) + list(required_together or []),
            **kwargs
        )
        # A password written into a URL is masked like a no_log option wherever it would appear.
        self.no_log_values.update(url_secrets(self.params))
        if ELASTICSEARCH_PY_PROBLEM and OPENSEARCH_IMPORT_ERROR:
            self.fail_json(msg=missing_required_lib(ELASTICSEARCH_PY_REQUIREMENT, reason="talking to Elasticsearch (%s)"
                                                    % ELASTICSEARCH_PY_PROBLEM),
                           exception=ELASTICSEARCH_IMPORT_ERROR)
        self._cluster = None

    def connect(self, params=None, what="cluster", headers=None, on_refusal=None):
        """The Cluster for the connection options in params (the module's own by default).

        Options for another cluster (a source) that leave request_timeout or max_retries out get the module's.
        With `on_refusal`, a cluster that refuses GET / or does not answer it gives on_refusal(ClusterError) instead
        of a failure.
        """
        params = self.params if params is None else self.with_module_defaults(params)
        problems = connection_problems(params)
        if problems:
            self.fail_json(msg="Invalid connection options for the %s: %s." % (what, "; ".join(problems)))
        try:
            return connect_cluster(params, headers)
        except UnsupportedCluster as exc:
            if exc.library:
                self.fail_json(msg=missing_required_lib(exc.library, reason="talking to the %s: %s" % (what, exc.message)),
                               exception=OPENSEARCH_IMPORT_ERROR if exc.library == "opensearch-py" else ELASTICSEARCH_IMPORT_ERROR)
            self.fail_json(msg="Cannot work with the %s: %s." % (what, exc.message))
        except ClusterError as exc:
            if on_refusal is not None:
                return on_refusal(exc)
            self.fail_on_error(exc, "Connecting to the %s" % what)
        except (ValueError, TypeError) as exc:
            self.fail_json(msg="Cannot build a client for the %s from the connection options: %s" % (what, exc))

    def with_module_defaults(self, params):
        """Options for another cluster, with the module's request_timeout and max_retries where they leave them out."""
        params = dict(params)
        for name in ("request_timeout", "max_retries"):
            if params.get(name) is None:
                params[name] = self.params.get(name)
        return params

    def try_connect(self, params, headers=None):
        """(Cluster, None), or (None, why not) for a cluster the module may be unable to reach from where it runs."""
        params = self.with_module_defaults(params)
        problems = connection_problems(params)
        if problems:
            return None, "; ".join(problems)
        try:
            return connect_cluster(params, headers), None
        except (ClusterError, UnsupportedCluster) as exc:
            return None, exc.message
        except (ValueError, TypeError) as exc:
            return None, str(exc)

    def connect_source(self, source, what="source cluster", headers=None):
        """The Cluster for source connection options (source_connection_spec); the module's own without hosts."""
        if not source.get("hosts"):
            return self.cluster
        return self.connect(source, what, headers)

    @property
    def cluster(self):
        if self._cluster is None:
            self._cluster = self.connect()
        return self._cluster

    def fail_on_error(self, exc, action, **result):
        """fail_json for an exception raised by a Cluster request while doing `action`."""
        if isinstance(exc, ClusterError) and not exc.unreachable:
            msg = "%s failed: %s" % (action, describe_api_error(exc.status, exc.body, exc.message))
            self.fail_json(msg=msg, status=exc.status, error_type=error_type(exc.body), **result)
        if isinstance(exc, ClusterError):
            self.fail_json(
                msg="%s failed: cannot reach Elasticsearch/OpenSearch (%s). Check hosts, the port, TLS options and "
                "that the cluster is running." % (action, exc.message),
                **result
            )
        self.fail_json(msg="%s failed: %s" % (action, exc), exception=traceback.format_exc(), **result)
