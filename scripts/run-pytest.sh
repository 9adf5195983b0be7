#!/usr/bin/env bash
# Runs the Python client's pytest suite against real managers (started by its fixtures from dist/).
# The interpreter: $SWARMLAB_PYTHON, else Debian's /usr/bin/python3 (where python3-torch, numpy, lmdb and pytest
# are installed), else the first python3 on PATH. Without pytest the suite is skipped with a message, except
# under CI=true, where that is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${SWARMLAB_PYTHON:-}
if [ -z "$py" ]; then
  if [ -x /usr/bin/python3 ]; then py=/usr/bin/python3; else py=python3; fi
fi
if ! "$py" -c 'import pytest' 2>/dev/null; then
  if [ "${CI:-}" = true ]; then
    echo "run-pytest: $py has no pytest (apt install python3-pytest python3-numpy python3-lmdb python3-torch)" >&2
    exit 1
  fi
  echo "run-pytest: skipped, $py has no pytest (apt install python3-pytest python3-numpy python3-lmdb python3-torch)"
  exit 0
fi
export PYTHONPATH="$PWD/clients/python${PYTHONPATH:+:$PYTHONPATH}"
exec "$py" -m pytest clients/python/tests -q -p no:cacheprovider "$@"
