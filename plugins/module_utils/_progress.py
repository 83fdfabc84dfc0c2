# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Progress of a copy over time: (seconds since the copy started, documents done) samples, kept few and evenly spread (pure)."""

from __future__ import annotations

# At most this many samples per copy, so that results and reports stay small whatever the copy's length.
MAX_SAMPLES = 60


class ProgressSamples:
    """The samples of one copy, at most `limit` (at least 2): every stride-th look, and always the latest one.

    When the kept looks reach the limit, every other one is dropped and the stride doubles, so however long the
    copy, the samples stay evenly spread over its looks. Seconds only go forward and documents never go back
    (a look at the same moment, or an answer that lags, only updates the latest figure).
    """

    def __init__(self, limit=MAX_SAMPLES):
        self.limit = max(2, limit)
        self.kept = []  # every stride-th look
        self.stride = 1
        self.looks = 0
        self.latest = None

    @property
    def points(self):
        """(seconds, documents) in time order, the latest last."""
        if self.latest is None:
            return []
        return self.kept if self.kept[-1] is self.latest else self.kept + [self.latest]

    def add(self, seconds, documents):
        seconds = round(max(0.0, float(seconds)), 3)
        documents = int(documents)
        if self.latest is not None:
            documents = max(documents, self.latest[1])
            if seconds <= self.latest[0]:
                self.update_latest(documents)
                return
        self.latest = (seconds, documents)
        if self.looks % self.stride == 0:
            self.kept.append(self.latest)
            if len(self.kept) >= self.limit:
                self.kept = self.kept[::2]
                self.stride *= 2
        self.looks += 1

    def update_latest(self, documents):
        updated = (self.latest[0], documents)
        if self.kept[-1] is self.latest:
            self.kept[-1] = updated
        self.latest = updated

    def as_list(self):
        return [dict(seconds=seconds, documents=documents) for seconds, documents in self.points]


def merged_progress(series, limit=MAX_SAMPLES):
    """The total of several copies sampled on one clock: at each sample time, the sum of each copy's latest figure.

    series: one list of (seconds, documents) per copy, each in time order. Returns dicts like as_list().
    """
    events = sorted((seconds, number, documents)
                    for number, points in enumerate(series) for seconds, documents in points)
    latest = [0] * len(series)
    total = ProgressSamples(limit)
    for seconds, number, documents in events:
        latest[number] = documents
        total.add(seconds, sum(latest))
    return total.as_list()
