"""Progress samples of a copy (plugins/module_utils/_progress.py): kept in order, few, and summed over tasks."""

from __future__ import annotations

from ansible_collections.esops.migration.plugins.module_utils._progress import (
    MAX_SAMPLES,
    ProgressSamples,
    merged_progress,
)


def test_a_short_copy_keeps_every_sample():
    samples = ProgressSamples()
    for look in range(5):
        samples.add(look * 0.5, look * 10)
    assert samples.points == [(0.0, 0), (0.5, 10), (1.0, 20), (1.5, 30), (2.0, 40)]


def test_a_long_copy_keeps_at_most_the_limit_evenly_spread_and_its_last_figure():
    samples = ProgressSamples()
    for look in range(1001):
        samples.add(look * 2.0, look * 100)
    points = samples.points
    assert MAX_SAMPLES // 2 <= len(points) <= MAX_SAMPLES
    assert points[0] == (0.0, 0) and points[-1] == (2000.0, 100000)
    gaps = [later[0] - earlier[0] for earlier, later in zip(points, points[1:])]
    assert len(set(gaps[:-1])) == 1  # evenly spread; only the step to the latest figure may be shorter
    assert 0 < gaps[-1] <= gaps[0]


def test_the_limit_holds_at_every_length():
    samples = ProgressSamples(limit=4)
    for look in range(40):
        samples.add(look, look)
        assert len(samples.points) <= 4 and samples.points[-1] == (look, look)
    assert ProgressSamples(limit=1).limit == 2


def test_time_only_goes_forward_and_documents_never_go_back():
    samples = ProgressSamples()
    samples.add(0, 0)
    samples.add(1.2344, 500)
    samples.add(1.2344, 650)  # a second look at the same moment: the later figure
    samples.add(2.0, 600)  # a lagging answer does not make the copy go back
    samples.add(-1, 10)
    assert samples.points == [(0.0, 0), (1.234, 650), (2.0, 650)]
    assert samples.as_list()[1] == {"seconds": 1.234, "documents": 650}


def test_several_tasks_on_one_clock_add_up():
    first = [(0.0, 0), (1.0, 100), (3.0, 300)]
    second = [(0.5, 0), (2.0, 50), (3.0, 200)]
    assert merged_progress([first, second]) == [
        {"seconds": 0.0, "documents": 0}, {"seconds": 0.5, "documents": 0}, {"seconds": 1.0, "documents": 100},
        {"seconds": 2.0, "documents": 150}, {"seconds": 3.0, "documents": 500},
    ]
    assert merged_progress([first]) == [dict(seconds=s, documents=d) for s, d in first]
    assert merged_progress([]) == []
