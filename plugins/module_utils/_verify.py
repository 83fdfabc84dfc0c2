# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure helpers for es_verify: compare the two sides and word the outcome."""

from __future__ import annotations


def compare_counts(source_index, source_count, dest_index, dest_count):
    """Result fields and a message for the document counts of both sides."""
    difference = dest_count - source_count
    result = dict(source_count=source_count, dest_count=dest_count, difference=difference, match=difference == 0)
    if difference == 0:
        message = "source %s and destination %s both hold %d documents" % (source_index, dest_index, source_count)
    elif difference < 0:
        message = "destination %s has %d of the %d documents of source %s: %d missing" % (
            dest_index, dest_count, source_count, source_index, -difference
        )
    else:
        message = "destination %s has %d documents, %d more than the %d of source %s" % (
            dest_index, dest_count, difference, source_count, source_index
        )
    return result, message
