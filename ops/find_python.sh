#!/bin/sh
# Print the path of a Python that shopstream supports and that can create a virtualenv
# (`make venv` runs this when .venv does not exist yet). Tries python3.13, python3.12,
# python3.11, then python3. With none, as root on Debian it installs Debian's python3 and
# python3-venv (3.11 on Debian 12, 3.13 on Debian 13); otherwise it says what to install.
# VERSIONS follows pyproject.toml's requires-python (tests/test_makefile.py checks it).
VERSIONS="3.13 3.12 3.11"

fits() {
    "$1" -c "
import sys, venv, ensurepip
sys.exit('%d.%d' % sys.version_info[:2] not in '$VERSIONS'.split())" >/dev/null 2>&1
}

find_fitting() {
    for name in $(printf 'python%s ' $VERSIONS) python3; do
        path=$(command -v "$name") && fits "$path" && { echo "$path"; return 0; }
    done
    return 1
}

find_fitting && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "no Python $VERSIONS with venv found: apt-get install python3 python3-venv" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq python3 python3-venv >&2
    find_fitting && exit 0
fi
cat >&2 <<MESSAGE
No usable Python: shopstream needs Python 3.11, 3.12 or 3.13 with the venv module
(tried python3.13, python3.12, python3.11 and python3 on PATH). Install one, e.g. on Debian
or Ubuntu as root: apt-get install python3 python3-venv (Debian 12 has 3.11, Debian 13 has
3.13), or name one outright: make venv PYTHON=/path/to/python3.12
MESSAGE
exit 1
