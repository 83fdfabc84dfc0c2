# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure helpers for catch-up copies (es_reindex's since option): range clauses and high-water mark arithmetic.

A round copies the documents whose field is at or above a lower bound. With ``since.value: auto`` the bound is
the high-water mark of the previous round (the maximum of the field on the source, read before that round's copy
started) minus an overlap, so that documents written during a round, or made searchable late (refresh interval),
or stamped by a clock slightly behind, are caught by the next round. The marks live in the destination index's
mapping ``_meta`` under ``esops_migration.high_water_marks``, one entry per source index and field.
"""

from __future__ import annotations

import datetime
import re

SINCE_AUTO = "auto"
META_KEY = "esops_migration"
MARKS_KEY = "high_water_marks"

DATE_KINDS = ("date", "date_nanos")
INTEGER_KINDS = ("long", "integer", "short", "byte", "unsigned_long")
FLOAT_KINDS = ("double", "float", "half_float", "scaled_float")

# Default overlap for date fields: covers the default refresh interval (1s) many times over, and clocks of the
# writers a little apart. Numeric fields (sequence numbers, versions) have no clock: their default overlap is 0.
DEFAULT_DATE_OVERLAP = "1m"
TIME_UNITS_MILLIS = {"ms": 1, "s": 1000, "m": 60000, "h": 3600000, "d": 86400000}
TIME_VALUE = re.compile(r"^\s*(\d+)\s*(ms|s|m|h|d)\s*$")


def time_value_millis(text):
    """Milliseconds of a time value such as 30s, 1m, 2h or 500ms (pure); ValueError when it is not one."""
    match = TIME_VALUE.match(str(text))
    if not match:
        raise ValueError("%r is not a time value such as 30s, 1m or 2h" % (text,))
    return int(match.group(1)) * TIME_UNITS_MILLIS[match.group(2)]


def mark_kind(field_type):
    """'date', 'integer' or 'float' for a mapping type a catch-up can range on, None for any other (pure)."""
    if field_type in DATE_KINDS:
        return "date"
    if field_type in INTEGER_KINDS:
        return "integer"
    if field_type in FLOAT_KINDS:
        return "float"
    return None


def overlap_amount(kind, overlap):
    """The overlap in the field's units: milliseconds for dates, the field's own numbers otherwise (pure)."""
    if kind == "date":
        return time_value_millis(DEFAULT_DATE_OVERLAP if overlap in (None, "") else overlap)
    if overlap in (None, ""):
        return 0
    number = float(overlap)
    return int(number) if kind == "integer" and number == int(number) else number


def overlap_problems(overlap):
    """Why an overlap can be used neither as a time value nor as a number, or [] (pure)."""
    if overlap in (None, ""):
        return []
    try:
        time_value_millis(overlap)
        return []
    except ValueError:
        pass
    try:
        if float(overlap) >= 0:
            return []
    except ValueError:
        pass
    return ["since.overlap %r is neither a time value (such as 1m, for date fields) nor a number at least 0 (for "
            "numeric fields)" % (overlap,)]


def since_problems(params):
    """Everything wrong with the since option and what it is combined with, told before asking a cluster (pure)."""
    since = params.get("since")
    if not since:
        return []
    problems = overlap_problems(since.get("overlap"))
    value = since.get("value")
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append("since.value is empty; give auto, a date (2026-11-26T10:00:00Z, now-1h) or a number")
    if isinstance(value, (bool, list, dict)):
        problems.append("since.value must be auto, a date or a number, not %r" % (value,))
    if value == SINCE_AUTO and not params.get("wait", True):
        problems.append("since.value auto needs wait=true: the high-water mark is stored once the copy has succeeded")
    if value == SINCE_AUTO and params.get("max_docs"):
        problems.append("since.value auto cannot be combined with max_docs: the mark would pass documents not copied")
    return problems


def lower_bound(kind, value, previous_mark, overlap):
    """Where the round starts: an explicit value as given, or the previous mark minus the overlap (pure).

    None means no lower bound (auto without a previous mark: the first round copies everything).
    """
    if value != SINCE_AUTO:
        return value
    if previous_mark is None:
        return None
    return previous_mark - overlap_amount(kind, overlap)


def since_clause(field, kind, bound):
    """The range clause of a round, or None when it has no lower bound (pure).

    Numeric bounds on a date field are epoch milliseconds; a text bound (a date, or date math such as now-1h) is
    read by the field's own format on the source.
    """
    if bound is None:
        return None
    interval = {"gte": bound}
    if kind == "date" and isinstance(bound, (int, float)):
        interval["format"] = "epoch_millis"
    return {"range": {field: interval}}


def mark_from_max(kind, aggregation):
    """The mark from a max aggregation's answer ({value, value_as_string}): an integer for dates (epoch millis,
    floored) and integer fields, a float otherwise; None when no document has the field (pure)."""
    value = (aggregation or {}).get("value")
    if value is None:
        return None
    return float(value) if kind == "float" else int(value)


def advance_mark(previous, observed):
    """The new mark: never below the previous one, even when the documents holding it were deleted (pure)."""
    if previous is None:
        return observed
    if observed is None:
        return previous
    return max(previous, observed)


def _entries(meta):
    return list(((meta or {}).get(META_KEY) or {}).get(MARKS_KEY) or [])


def stored_mark(meta, source_index, field, kind):
    """The mark a previous round stored in this _meta for (source_index, field), or None (pure)."""
    for entry in _entries(meta):
        if (entry.get("source_index"), entry.get("field"), entry.get("kind")) == (source_index, field, kind):
            return entry.get("mark")
    return None


def previous_mark(mappings, source_index, field, kind):
    """The mark of the destination (GET _mapping by index: {index: mappings}), or None (pure).

    A destination behind several indices (an alias) takes the lowest of their marks, and none when one of them
    has none: copying too much is safe, skipping documents is not.
    """
    marks = [stored_mark((mapping or {}).get("_meta"), source_index, field, kind) for mapping in mappings.values()]
    if not marks or any(mark is None for mark in marks):
        return None
    return min(marks)


def meta_with_mark(meta, entry):
    """The whole _meta to put back (a mapping update replaces _meta) with `entry` stored, others kept (pure)."""
    meta = dict(meta or {})
    ours = dict(meta.get(META_KEY) or {})
    key = (entry["source_index"], entry["field"])
    kept = [old for old in _entries(meta) if (old.get("source_index"), old.get("field")) != key]
    ours[MARKS_KEY] = kept + [entry]
    meta[META_KEY] = ours
    return meta


def overlap_kind_problem(field, kind, overlap):
    """Why the overlap does not fit a field of this kind, or None (pure): dates take a time value, numbers a number."""
    try:
        overlap_amount(kind, overlap)
        return None
    except ValueError:
        if kind == "date":
            return "since.overlap %r must be a time value such as 1m for the date field %s" % (overlap, field)
        return "since.overlap %r must be a number for the numeric field %s" % (overlap, field)


def mark_as_string(kind, mark):
    """The mark as people read it: an ISO 8601 UTC time for dates (epoch millis), the number otherwise (pure)."""
    if mark is None:
        return None
    if kind != "date":
        return str(mark)
    seconds, millis = divmod(int(mark), 1000)
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + (
        ".%03dZ" % millis)
