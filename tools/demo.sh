#!/usr/bin/env bash
# Demo of the Autodiscover slice against the lab simulator:
#
#   bash tools/demo.sh
#
# Sets up .venv (as tools/test.sh does), copies the collection into .build/, starts the lab, runs
#   ansible-playbook -i lab/.state/inventory.yml playbooks/autodiscover.yml --diff
# twice and checks the PLAY RECAP: the first run must change every host, the second must report changed=0 on every host
# (idempotence). The lab is stopped on exit, whatever happens.
set -euo pipefail

# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VENV="$UCOPS_ROOT/.venv"
STATE_DIR="lab/.state"
PLAYBOOK="playbooks/autodiscover.yml"
LOG_DIR="$UCOPS_BUILD_ROOT/demo"

# recap_check LOG MODE: read the PLAY RECAP of an ansible-playbook log. Every host must have failed=0 and
# unreachable=0; MODE "first" (fresh lab) also needs changed>0, MODE "idempotent" changed=0. Prints the recap lines.
recap_check() {
    local log=$1 mode=$2
    sed 's/\x1b\[[0-9;]*m//g' "$log" | awk -v mode="$mode" '
        /^PLAY RECAP/ { in_recap = 1; next }
        in_recap && NF == 0 { in_recap = 0; next }
        in_recap && $2 == ":" {
            hosts++
            for (i = 3; i <= NF; i++) { split($i, kv, "="); count[kv[1]] = kv[2] + 0 }
            print "  " $0
            if (count["failed"] > 0 || count["unreachable"] > 0) { bad++; print "    -> failed or unreachable" }
            if (mode == "first" && count["changed"] == 0) { bad++; print "    -> changed=0 on the first run against a fresh lab" }
            if (mode == "idempotent" && count["changed"] > 0) { bad++; print "    -> changed=" count["changed"] " on a second run (not idempotent)" }
        }
        END {
            if (hosts == 0) { print "  no PLAY RECAP found"; exit 1 }
            exit (bad > 0)
        }'
}

run_playbook() {
    local run=$1 log="$LOG_DIR/run-$1.log" rc=0
    printf '\n==================== ansible-playbook run %s ====================\n' "$run"
    ansible-playbook -i "$STATE_DIR/inventory.yml" "$PLAYBOOK" --diff 2>&1 | tee "$log" || rc=$?
    if ((rc != 0)); then
        ucops_die "run $run: ansible-playbook exited with $rc"
    fi
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
    [[ -f $UCOPS_ROOT/$PLAYBOOK ]] || ucops_die "$PLAYBOOK does not exist yet"

    cd "$UCOPS_ROOT"
    mkdir -p "$LOG_DIR"
    export PATH="$VENV/bin:$PATH"
    export ANSIBLE_COLLECTIONS_PATH="$UCOPS_BUILD_ROOT"
    export ANSIBLE_RETRY_FILES_ENABLED=0

    # A fresh lab state, so that the first run shows the changes and the second shows none.
    python -m lab stop --state-dir "$STATE_DIR" >/dev/null 2>&1 || true
    rm -rf "$STATE_DIR"
    trap stop_lab EXIT
    ucops_log "Starting the lab (state in $STATE_DIR)"
    python -m lab start --state-dir "$STATE_DIR"
    [[ -f $STATE_DIR/inventory.yml ]] || ucops_die "the lab wrote no $STATE_DIR/inventory.yml"

    run_playbook 1
    printf '\nRecap of run 1:\n'
    recap_check "$LOG_DIR/run-1.log" first || ucops_die "run 1 failed on some host"

    run_playbook 2
    printf '\nRecap of run 2:\n'
    recap_check "$LOG_DIR/run-2.log" idempotent || ucops_die "run 2 was not idempotent (changed > 0) or failed"

    printf '\nDemo passed: the second run changed nothing.\n'
}

main "$@"
