#!/usr/bin/env bash
# Demo of the whole integration against the lab simulator:
#
#   bash tools/demo.sh
#
# Sets up .venv (as tools/test.sh does), copies the collection into .build/, starts the lab on lab/topology-demo.yml (one
# Exchange Server 2019 organisation, one Skype for Business Server SE deployment with an Enterprise pool of two Front
# Ends), then runs, with the inventory groups exchange and skype:
#   1. playbooks/audit.yml           check mode: the report must show drift (the fresh lab needs the integration)
#   2. playbooks/integration.yml     --diff: must change, with no failed or unreachable host
#   3. playbooks/integration.yml     again: changed=0 on every host (idempotence)
#   4. playbooks/audit.yml           with skype_exchange_audit_fail_on_drift=true: every step compliant
# and checks each PLAY RECAP. Global settings are written once per organisation or deployment, so on the first apply at
# least one host of the Skype deployment changes, not necessarily each (the second Front End finds them written). The
# audit reports are in .build/demo/audit-before/ and .build/demo/audit-after/ (open audit-report.html). The lab is
# stopped on exit, whatever happens.
set -euo pipefail

# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VENV="$UCOPS_ROOT/.venv"
STATE_DIR="lab/.state"
INTEGRATION="playbooks/integration.yml"
AUDIT="playbooks/audit.yml"
TOPOLOGY="lab/topology-demo.yml"
LOG_DIR="$UCOPS_BUILD_ROOT/demo"

# shared_deployments: "host=deployment ..." for the Skype hosts of the lab topology that share a deployment with another.
shared_deployments() {
    "$VENV/bin/python" - <<'PYTHON'
import collections
import sys

sys.path.insert(0, '.')
from lab.topology import load_topology  # noqa: E402

hosts = [host for host in load_topology('lab/topology-demo.yml').hosts if host.product == 'skype']
key = {host.name: str(host.settings.get('deployment', host.name)) for host in hosts}
count = collections.Counter(key.values())
print(' '.join('%s=%s' % (name, deployment) for name, deployment in key.items() if count[deployment] > 1))
PYTHON
}

# recap_check LOG MODE: read the PLAY RECAP of an ansible-playbook log. Every host must have failed=0 and
# unreachable=0; MODE "first" (fresh lab) also needs changed>0 (for hosts of a shared deployment: on at least one host of
# the deployment), MODE "idempotent" changed=0. Prints the recap lines.
recap_check() {
    local log=$1 mode=$2 shared
    shared=$(shared_deployments)
    sed 's/\x1b\[[0-9;]*m//g' "$log" | awk -v mode="$mode" -v shared="$shared" '
        BEGIN { n = split(shared, pairs, " "); for (i = 1; i <= n; i++) { split(pairs[i], kv, "="); deployment[kv[1]] = kv[2] } }
        /^PLAY RECAP/ { in_recap = 1; next }
        in_recap && NF == 0 { in_recap = 0; next }
        in_recap && $2 == ":" && $1 != "localhost" {
            hosts++
            for (i = 3; i <= NF; i++) { split($i, kv, "="); count[kv[1]] = kv[2] + 0 }
            print "  " $0
            if (count["failed"] > 0 || count["unreachable"] > 0) { bad++; print "    -> failed or unreachable" }
            if (mode == "first" && ($1 in deployment)) {
                group_changed[deployment[$1]] += count["changed"]
                if (count["changed"] == 0) { print "    -> changed=0: deployment " deployment[$1] " shares its global settings, changed once per deployment" }
            } else if (mode == "first" && count["changed"] == 0) { bad++; print "    -> changed=0 on the first run against a fresh lab" }
            if (mode == "idempotent" && count["changed"] > 0) { bad++; print "    -> changed=" count["changed"] " on a second run (not idempotent)" }
        }
        END {
            if (hosts == 0) { print "  no PLAY RECAP found"; exit 1 }
            for (group in group_changed) {
                if (group_changed[group] == 0) { bad++; print "  -> no host of deployment " group " changed on the first run" }
            }
            exit (bad > 0)
        }'
}

run_playbook() {
    local run=$1 playbook=$2 log="$LOG_DIR/run-$1.log" rc=0
    shift 2
    printf '\n==================== run %s: ansible-playbook %s %s ====================\n' "$run" "$playbook" "$*"
    ansible-playbook -i "$STATE_DIR/inventory.yml" "$playbook" "$@" 2>&1 | tee "$log" || rc=$?
    if ((rc != 0)); then
        ucops_die "run $run: ansible-playbook exited with $rc"
    fi
}

# audit_status DIR: the overall status of the audit report in DIR (compliant, drift or failed).
audit_status() {
    python -c 'import json, sys; print(json.load(open(sys.argv[1]))["summary"]["status"])' "$1/audit-report.json"
}

stop_lab() {
    local rc=$?
    printf '\n>>> Stopping the lab\n' >&2
    (cd "$UCOPS_ROOT" && "$VENV/bin/python" -m lab stop --state-dir "$STATE_DIR") || true
    exit "$rc"
}

main() {
    ucops_setup_primary_venv
    ucops_build_collection
    [[ -f $UCOPS_ROOT/$INTEGRATION ]] || ucops_die "$INTEGRATION does not exist yet"

    cd "$UCOPS_ROOT"
    rm -rf "$LOG_DIR"
    mkdir -p "$LOG_DIR"
    export PATH="$VENV/bin:$PATH"
    export ANSIBLE_COLLECTIONS_PATH="$UCOPS_BUILD_ROOT"
    export ANSIBLE_RETRY_FILES_ENABLED=0

    # A fresh lab state, so that the first apply shows the changes and the second shows none.
    python -m lab stop --state-dir "$STATE_DIR" >/dev/null 2>&1 || true
    rm -rf "$STATE_DIR"
    trap stop_lab EXIT
    ucops_log "Starting the lab (state in $STATE_DIR, topology $TOPOLOGY)"
    python -m lab start --state-dir "$STATE_DIR" --topology "$TOPOLOGY"
    [[ -f $STATE_DIR/inventory.yml ]] || ucops_die "the lab wrote no $STATE_DIR/inventory.yml"

    run_playbook 1 "$AUDIT" -e "skype_exchange_audit_report_dir=$LOG_DIR/audit-before"
    [[ $(audit_status "$LOG_DIR/audit-before") == drift ]] || ucops_die "run 1: the audit of the fresh lab should report drift"

    run_playbook 2 "$INTEGRATION" --diff
    printf '\nRecap of run 2:\n'
    recap_check "$LOG_DIR/run-2.log" first || ucops_die "run 2 failed on some host"

    run_playbook 3 "$INTEGRATION" --diff
    printf '\nRecap of run 3:\n'
    recap_check "$LOG_DIR/run-3.log" idempotent || ucops_die "run 3 was not idempotent (changed > 0) or failed"

    run_playbook 4 "$AUDIT" -e "skype_exchange_audit_report_dir=$LOG_DIR/audit-after" -e skype_exchange_audit_fail_on_drift=true
    [[ $(audit_status "$LOG_DIR/audit-after") == compliant ]] || ucops_die "run 4: the audit after the integration is not compliant"

    printf '\nDemo passed: the audit found drift, the integration applied it, the second run changed nothing and the audit\n'
    printf 'is compliant. Reports: %s/audit-before/audit-report.html, %s/audit-after/audit-report.html\n' "$LOG_DIR" "$LOG_DIR"
}

main "$@"
