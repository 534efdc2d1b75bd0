#!/usr/bin/env bash
# The Python tools the tests use, pinned, in a virtual environment under .build-python (ignored by
# git, kept between runs). Prints nothing when they are already there.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.build-python
requirements=(schemathesis==4.32.5 jsonschema_rs==0.60.3 websockets==17.4 feedparser==6.0.12 dnslib==0.9.25 selenium==4.51.0)

if [[ ! -x $venv/bin/python ]]; then
    python3 -m venv "$venv"
fi
for requirement in "${requirements[@]}"; do
    name=${requirement%%==*}
    version=${requirement##*==}
    if [[ $("$venv/bin/python" -m pip show "$name" 2>/dev/null | sed -n 's/^Version: //p') != "$version" ]]; then
        echo "python-tools: installing $requirement"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$requirement"
    fi
done
