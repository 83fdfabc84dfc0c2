# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The launcher's command line, kept at this path for the Makefile, molecule and inventories/local.

The launcher is esops_testbed/eslocal.py (tools/setup.sh installs the esops_testbed package into
.venv); `python -m esops_testbed.eslocal` is the same command.
"""

import sys

from esops_testbed.eslocal import main

if __name__ == "__main__":
    sys.exit(main())
