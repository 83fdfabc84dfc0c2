"""A scripted Cluster and a fake clock, for unit tests of flows (the task follower, modules' main()).

Only for branches no server here can be made to take (Elasticsearch 9.5+ relocations, a task vanishing at an exact
moment, a timeout): everything else is tested on real nodes (tests/integration). The script is at the level of
plugins/module_utils/_cluster.py's Cluster.request, so the code under test runs unchanged above it.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from ansible_collections.esops.migration.plugins.module_utils._cluster import ELASTICSEARCH, Cluster, ClusterError


class Always:
    """A standing scripted answer: given to every request for its (method, path) until a request that none of the
    standing answers next to it is for comes."""

    def __init__(self, answer):
        self.answer = answer


class FakeClock:
    """Stands for the time module of code that polls (monotonic, sleep): sleeping only moves the clock on."""

    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += max(0.0, seconds)


class ScriptedCluster(Cluster):
    """A _cluster.Cluster whose request() checks each call against a script of ((method, path), answer); its
    other methods (exists, count, search, mapping_types...) are the real ones, built on request().

    An answer is returned (a dict, or None), or raised (a ClusterError, unless its status is in `ignore`, then
    None as Cluster.request does); a callable answer is called with the request's params first. A long poll
    (wait_for_completion with a timeout) answered by a timeout error moves the clock on by that timeout, as the
    server holds the request that long. `calls` records every request.
    """

    def __init__(self, script, clock, version=(9, 5, 0), product=ELASTICSEARCH):
        # Cluster's helpers that call the transport directly (exists) go through the script as well.
        super().__init__(lambda method, url, params=None, body=None: self.request(method, url, params, body),
                         product, version)
        self.script = list(script)
        self.clock = clock
        self.calls = []

    def request(self, method, url, params=None, body=None, ignore=()):
        url = unquote(url)  # the script writes task ids as they are (node:id)
        self.calls.append((method, url, params, body))
        answer = self.next_answer(method, url)
        if callable(answer):
            answer = answer(params or {})
        if isinstance(answer, ClusterError):
            self.hold_long_poll(params, answer)
            if answer.status in ignore:
                return None
            raise answer
        return answer

    def next_answer(self, method, url):
        """The standing (Always) answers at the head of the script answer their requests; another request ends
        them and takes the next scripted step, which must be for it."""
        standing = 0
        while standing < len(self.script) and isinstance(self.script[standing][1], Always):
            if self.script[standing][0] == (method, url):
                return self.script[standing][1].answer
            standing += 1
        del self.script[:standing]
        assert self.script, "unexpected request %s %s (the script is over)" % (method, url)
        expected, answer = self.script.pop(0)
        assert expected == (method, url), "request %s %s, the script expected %s %s" % ((method, url) + expected)
        return answer

    def hold_long_poll(self, params, answer):
        timeout = re.match(r"^(\d+)ms$", str((params or {}).get("timeout") or ""))
        if timeout and "timeout_exception" in str(answer.body):
            self.clock.sleep(int(timeout.group(1)) / 1000.0)

    def unanswered(self):
        """The scripted answers no request asked for (the Always ones left out)."""
        return [step for step in self.script if not isinstance(step[1], Always)]

    def requests(self, method=None):
        return [(verb, url) for verb, url, _params, _body in self.calls if method in (None, verb)]


@pytest.fixture
def clock(monkeypatch):
    """A fake clock in place of the time module of the follower and of es_reindex_task (not the real module's)."""
    from ansible_collections.esops.migration.plugins.module_utils import _reindex_tasks
    from ansible_collections.esops.migration.plugins.modules import es_reindex_task

    fake = FakeClock()
    monkeypatch.setattr(_reindex_tasks, "time", fake)
    monkeypatch.setattr(es_reindex_task, "time", fake)
    return fake


class Scripts:
    """What the `scripted` fixture gives: cluster(script, version=...) on the fake clock, and always(answer)."""

    always = Always

    def __init__(self, clock):
        self.clock = clock

    def cluster(self, script, version=(9, 5, 0), product=ELASTICSEARCH):
        return ScriptedCluster(script, self.clock, version, product)


@pytest.fixture
def scripted(clock):
    return Scripts(clock)
