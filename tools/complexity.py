"""Fail when a function in the project's Python code is above cyclomatic complexity 11 (make complexity)."""

from __future__ import annotations

import sys
from pathlib import Path

from radon.complexity import cc_visit

LIMIT = 11
ROOTS = ("plugins", "esops_testbed", "tools", "bench")


def blocks_above_limit(root):
    for path in sorted(Path(root).rglob("*.py")):
        for block in cc_visit(path.read_text()):
            if block.complexity > LIMIT:
                yield "%s:%d %s (%d)" % (path, block.lineno, block.fullname, block.complexity)


def main():
    over = [line for root in ROOTS if Path(root).is_dir() for line in blocks_above_limit(root)]
    for line in over:
        print(line)
    print("%d function(s) above complexity %d" % (len(over), LIMIT))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
