# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Credentials written into URLs: shown without them, and found to be masked (pure).

Kept apart from the connection layer, which imports the clients: the role's filters use these on the controller,
where importing elasticsearch-py and opensearch-py would cost each task that templates them about 0.3 s of CPU.
"""

from __future__ import annotations


def redact_url(url):
    """Drop any user:password@ part of a URL (with or without a scheme) so it can be shown in messages."""
    text = str(url)
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "", text
    # Up to the last @ before the path: a password may itself hold an @.
    authority_end = len(rest)
    for char in "/?#":
        at = rest.find(char, rest.rfind("@") if "@" in rest else 0)
        if at >= 0:
            authority_end = min(authority_end, at)
    authority = rest[:authority_end]
    if "@" not in authority:
        return text
    return scheme + sep + authority.rpartition("@")[2] + rest[authority_end:]


def url_secrets(value):
    """Passwords written into URLs anywhere in module parameters (nested dicts and lists), to mask in output."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return set().union(*(url_secrets(item) for item in value))
    return url_password(value)


def url_password(value):
    """{the password} written into a URL string (with or without a scheme), or an empty set."""
    if not isinstance(value, str) or "@" not in value or redact_url(value) == value:
        return set()
    userinfo = value.partition("://")[2] if "://" in value else value
    userinfo = userinfo[: len(userinfo) - len(redact_url(userinfo)) - 1]
    password = userinfo.partition(":")[2]
    return {password} if password else set()
