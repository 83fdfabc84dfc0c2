"""Unit tests for the esops.migration.migration_result filter (registered loop results as Ansible gives them)."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.esops.migration.plugins.filter.migration_result import FilterModule


@pytest.fixture
def migration_result():
    return FilterModule().filters()["migration_result"]


def copy(source, dest=None, **figures):
    result = dict(item={"source": source, **({"dest": dest} if dest else {})}, total=6, created=6, updated=0,
                  version_conflicts=0, failures=[], took=1500, docs_per_second=4.0, changed=True)
    result.update(figures)
    return result


def test_figures_per_index(migration_result):
    result = migration_result(
        [copy("a", "a_copy"), copy("b", created=4, version_conflicts=2, failures=[{"id": "x"}])],
        [dict(item={"source": "a"}, match=True, level="count", source_count=6, dest_count=6, msg="ok"),
         dict(item={"source": "b"}, skipped=True, skip_reason="Conditional result was False")],
    )
    first, second = result["indices"]
    assert (first["source"], first["dest"], first["source_count"], first["dest_count"]) == ("a", "a_copy", 6, 6)
    assert (first["created"], first["duration_seconds"], first["docs_per_second"]) == (6, 1.5, 4.0)
    assert first["verify"] == dict(level="count", outcome="match", message="ok")
    assert (second["dest"], second["created"], second["version_conflicts"], second["failures"]) == ("b", 4, 2, 1)
    assert second["verify"]["outcome"] == "skipped" and second["source_count"] is None
    assert result["ok"] is True


def test_a_mismatch_or_a_failed_check_is_not_ok(migration_result):
    mismatch = migration_result([copy("a")], [dict(match=False, level="count", source_count=6, dest_count=5,
                                                   msg="source 6, destination 5", failed=False)])
    assert mismatch["indices"][0]["verify"]["outcome"] == "mismatch" and mismatch["ok"] is False
    failed = migration_result([copy("a")], [dict(msg="cannot reach the source", failed=False)])
    assert failed["indices"][0]["verify"] == dict(level=None, outcome="failed", message="cannot reach the source")
    assert failed["ok"] is False


def test_wrong_input_is_refused(migration_result):
    with pytest.raises(AnsibleFilterError, match="results lists"):
        migration_result(None, [])


def test_the_samples_of_each_copy_come_with_their_rates(migration_result):
    samples = [dict(seconds=0.0, documents=0), dict(seconds=0.5, documents=1000), dict(seconds=2.5, documents=3000),
               dict(seconds=2.5, documents=3000)]
    result = migration_result([copy("a", progress=samples), copy("b")], [])
    first, second = result["indices"]
    assert [row["docs_per_second"] for row in first["progress"]] == [None, 2000.0, 1000.0, None]
    assert [row["seconds"] for row in first["progress"]] == [0.0, 0.5, 2.5, 2.5]
    assert first["peak_docs_per_second"] == 2000.0
    assert second["progress"] == [] and second["peak_docs_per_second"] is None  # a skipped copy, or an old module
