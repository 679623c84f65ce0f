#!/usr/bin/env bash
# The one test command: installs what the tests need, starts a throwaway PostgreSQL and real mail
# servers (Postfix, Dovecot) on loopback,
# builds the CLI the end-to-end tests drive, and runs every test. Safe to run repeatedly, on a
# fresh machine (as root, as CI does) or on a developer's.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib/setup.sh
need swift || { echo "error: swift is not on PATH (Swift 6.1 or newer is required)" >&2; exit 1; }
need python3 || apt_install python3 || true

# PostgreSQL: the store conformance suite and the cross-engine tests run on it; CI never skips it.
# Two throwaway clusters: a shared one (OVERDUE_TEST_POSTGRES_URL) and one the restart test may stop
# and start (OVERDUE_TEST_POSTGRES_RESTART_URL, restarted by running OVERDUE_TEST_POSTGRES_RESTART).
. scripts/lib/postgres.sh
start_postgres() {
    if [ -n "${OVERDUE_TEST_POSTGRES_URL:-}" ]; then return 0; fi
    if ! find_postgres; then
        echo "warning: PostgreSQL is not installed; PostgreSQL tests will not run (they are required in CI)" >&2
        return 0
    fi
    start_cluster shared
    export OVERDUE_TEST_POSTGRES_URL=$cluster_url
    echo "== PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on ${cluster_url#*@} (throwaway cluster in $cluster_dir) =="
    start_cluster restart
    export OVERDUE_TEST_POSTGRES_RESTART_URL=$cluster_url
    export OVERDUE_TEST_POSTGRES_RESTART="$cluster_dir/restart.sh"
    echo "== PostgreSQL for the restart test on ${cluster_url#*@} (restart: $OVERDUE_TEST_POSTGRES_RESTART) =="
}
start_postgres

# Real mail servers (Postfix + Dovecot on loopback, a test CA) for the email tests; CI never skips them.
. scripts/lib/mail.sh
if [ -z "${OVERDUE_TEST_SMTP:-}" ]; then start_mail_servers; fi

# The providers' official Python libraries sign test webhooks (Twilio, Plivo, Vonage).
echo "== provider libraries for webhook signatures =="
python3 -c "import twilio, plivo, vonage_http_client" 2>/dev/null || python3 -m pip install -q --root-user-action=ignore twilio plivo vonage
export OVERDUE_TEST_PROVIDER_SIGNER="$PWD/scripts/provider-sign.py"
# Schemathesis fuzzes the live API against its OpenAPI document, once per role.
echo "== schemathesis (API fuzzing from the OpenAPI document) =="
# Pinned: the test reads its summary ("Selected:", "Tested:", "N generated").
python3 -c "import schemathesis, sys; sys.exit(schemathesis.__version__ != '4.32.5')" 2>/dev/null \
    || python3 -m pip install -q --root-user-action=ignore 'schemathesis==4.32.5'
OVERDUE_TEST_SCHEMATHESIS="$(command -v schemathesis || echo "$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/schemathesis")"
export OVERDUE_TEST_SCHEMATHESIS
# bcrypt's cost 10 instead of the production 12 (the same code, a quarter of the CPU in a debug build).
export OVERDUE_BCRYPT_COST="${OVERDUE_BCRYPT_COST:-10}"
# The stand-ins (webhook receivers, the model server) listen on loopback: tenant-set URLs may reach
# it here; the tests of that refusal turn it off for themselves.
export OVERDUE_ALLOW_PRIVATE_TARGETS=1

# A real OpenAI-compatible model server (llama.cpp's, a tiny random model) for the model composer.
. scripts/lib/llm.sh
start_llm_server
trap 'stop_postgres; stop_llm' EXIT

echo "== linting deployment files =="
python3 -c "import yaml" 2>/dev/null || python3 -m pip install -q pyyaml
# The dashboard is checked in a real headless Chromium over the DevTools protocol.
if ! command -v chromium >/dev/null 2>&1; then
    echo "== installing Chromium (headless dashboard tests) =="
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
python3 -c "import websocket" 2>/dev/null || python3 -m pip install -q --root-user-action=ignore websocket-client
# The OpenAPI document is checked with the reference validators.
python3 -c "import openapi_spec_validator, openapi_schema_validator" 2>/dev/null || python3 -m pip install -q --root-user-action=ignore openapi-spec-validator openapi-schema-validator
python3 scripts/lint-deploy.py

echo "== format (swift format lint --strict, .swift-format) =="
swift format lint --strict -r --configuration .swift-format Sources Tests Package.swift
echo "== module boundaries =="
python3 scripts/check-imports.py
echo "== building (debug) =="
swift build
echo "== testing =="
OVERDUE_BIN="$(swift build --show-bin-path)/overdue" swift test "$@"
