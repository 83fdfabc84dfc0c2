# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for the get-pip bootstrap script ansible-test downloads from ci-files.testing.ansible.com.

That host is not reachable from every network (it is not from this project's CI), while PyPI is.
ansible-test runs this file as get_pip.py with pip-install arguments ("pip==24.2 --no-setuptools ...")
inside each fresh sanity virtualenv: install the interpreter's bundled pip with ensurepip, then
let that pip install what ansible-test asked for from PyPI. tools/sanity.sh copies it into
~/.ansible/test/cache/ under the name ansible-test looks for.
"""

import subprocess
import sys

pip_args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, "-m", "pip", "install"] + pip_args)
