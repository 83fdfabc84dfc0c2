# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: migration_result
short_description: Per-index figures of a migration from the registered results of es_reindex and es_verify
version_added: 0.1.0
author: esops.migration contributors (@esops)
description:
  - Takes the registered loop results of M(esops.migration.es_reindex) and of M(esops.migration.es_verify), one item
    per index in the same order, and returns the figures the C(esops.migration.remote_reindex) role publishes as
    C(remote_reindex_result).
  - When the es_verify items carry C(position) (the number of the es_reindex item they check, as the role's
    C(mapping_type_plan) gives them), the checks of one copy are combined, their counts summed (one destination
    index per mapping type).
  - Holds no connection detail and no secret, only index names and figures.
options:
  _input:
    description: The C(results) list of the registered es_reindex loop.
    type: list
    elements: dict
    required: true
  verifications:
    description: The C(results) list of the registered es_verify loop (items skipped when no check ran).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Figures per index
  ansible.builtin.set_fact:
    result: "{{ copies.results | esops.migration.migration_result(verifications.results) }}"
"""

RETURN = r"""
_value:
  description:
    - C(indices), one dict per index with C(source), C(dest), C(source_count), C(dest_count), C(total), C(created),
      C(updated), C(version_conflicts), C(failures), C(duration_seconds), C(docs_per_second) and C(verify)
      (C(level), C(outcome) V(match), V(mismatch), V(failed) or V(skipped), and C(message)),
      C(progress) (the samples es_reindex took while following the copy, each with C(seconds) since the copy
      started, C(documents) processed by then and C(docs_per_second) since the previous sample, null for the first)
      and C(peak_docs_per_second) (the highest of those rates, null with fewer than two samples);
    - C(ok), true when every copy succeeded and no verification failed.
  type: dict
"""

from ansible.errors import AnsibleFilterError

COUNTERS = ("total", "created", "updated", "version_conflicts")


def verify_outcome(verification):
    """The level, outcome and message of one es_verify result."""
    if verification.get("skipped") or not verification:
        return dict(level=None, outcome="skipped", message=verification.get("skip_reason", ""))
    if verification.get("match"):
        outcome = "match"
    elif "match" in verification:
        outcome = "mismatch"
    else:
        outcome = "failed"
    return dict(level=verification.get("level"), outcome=outcome, message=verification.get("msg", ""))


def summed(numbers):
    numbers = list(numbers)
    return sum(numbers) if all(isinstance(number, int) for number in numbers) else None


def combined_verification(verifications):
    """One verification of several destination indices of a copy (one per mapping type): their counts summed,
    a match when every one matched, skipped when every one was skipped."""
    ran = [verification for verification in verifications if verification and not verification.get("skipped")]
    if len(verifications) == 1 or not ran:
        return verifications[0] if verifications else {}
    combined = dict(level=ran[0].get("level"), msg=" ".join(check.get("msg", "") for check in ran).strip(),
                    source_count=summed(check.get("source_count") for check in ran),
                    dest_count=summed(check.get("dest_count") for check in ran))
    return dict(combined, **matched(ran))


def matched(checks):
    """{match: every check matched}, or {} when one of them failed without comparing (no match key)."""
    if all("match" in check for check in checks):
        return dict(match=all(check["match"] for check in checks))
    return {}


def verifications_per_copy(copies, verifications):
    """The verification of each copy: by the position of its item when the checks carry one (a copy verified as
    several indices), else in the same order."""
    positioned = [verification for verification in verifications
                  if isinstance((verification.get("item") or {}).get("position"), int)]
    if not positioned:
        return verifications + [{}] * (len(copies) - len(verifications))
    return [combined_verification([verification for verification in positioned
                                   if verification["item"]["position"] == number]) for number in range(len(copies))]


def progress_rates(samples):
    """The samples of a copy, each with the documents per second since the previous one (None for the first)."""
    rows = []
    previous = None
    for sample in samples or []:
        row = dict(seconds=sample["seconds"], documents=sample["documents"], docs_per_second=None)
        if previous is not None and sample["seconds"] > previous["seconds"]:
            row["docs_per_second"] = round(
                (sample["documents"] - previous["documents"]) / (sample["seconds"] - previous["seconds"]), 1)
        rows.append(row)
        previous = sample
    return rows


def peak_rate(rows):
    rates = [row["docs_per_second"] for row in rows if row["docs_per_second"] is not None]
    return max(rates) if rates else None


def index_figures(copy, verification):
    """The figures of one index."""
    item = copy.get("item") or {}
    took = copy.get("took")
    figures = dict(source=item.get("source"), dest=item.get("dest_index") or item.get("dest") or item.get("source"))
    figures.update((name, copy.get(name)) for name in COUNTERS)
    figures.update(
        failures=len(copy.get("failures") or []),
        duration_seconds=round(took / 1000.0, 3) if isinstance(took, (int, float)) else None,
        docs_per_second=copy.get("docs_per_second"),
        source_count=verification.get("source_count"),
        dest_count=verification.get("dest_count"),
        copy_failed=bool(copy.get("failed")),
        copy_message=copy.get("msg", "") if copy.get("failed") else "",
        verify=verify_outcome(verification),
        progress=progress_rates(copy.get("progress")),
    )
    figures["peak_docs_per_second"] = peak_rate(figures["progress"])
    return figures


def migration_result(copies, verifications):
    if not isinstance(copies, list) or not isinstance(verifications, list):
        raise AnsibleFilterError("migration_result: give the results lists of the es_reindex and es_verify loops")
    per_copy = verifications_per_copy(copies, verifications)
    indices = [index_figures(copy, verification) for copy, verification in zip(copies, per_copy)]
    ok = all(not index["copy_failed"] and index["verify"]["outcome"] in ("match", "skipped") for index in indices)
    return dict(indices=indices, ok=ok)


class FilterModule:
    def filters(self):
        return {"migration_result": migration_result}
