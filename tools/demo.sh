#!/usr/bin/env bash
# Demo of the Autodiscover slice against the lab simulator:
#
#   bash tools/demo.sh
#
# Sets up .venv (as tools/test.sh does), copies the collection into .build/, starts the lab, runs
#   ansible-playbook -i lab/.state/inventory.yml playbooks/autodiscover.yml --diff
# twice and checks the PLAY RECAP: the first run must change every host, the second must report changed=0 on every host
# (idempotence). Exception on the first run: Skype hosts of one deployment (lab/topology.yml settings.deployment, e.g.
# the two SE Front Ends sfbse1 and sfbse2) share the global OAuth setting, which is changed once per deployment: a Front
# End that finds it already changed by another reports changed=0, so there at least one host per deployment must change.
# The lab is stopped on exit, whatever happens.
set -euo pipefail

# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VENV="$UCOPS_ROOT/.venv"
STATE_DIR="lab/.state"
PLAYBOOK="playbooks/autodiscover.yml"
LOG_DIR="$UCOPS_BUILD_ROOT/demo"

# shared_deployments: "host=deployment ..." for the Skype hosts of the lab topology that share a deployment with another.
shared_deployments() {
    "$VENV/bin/python" - <<'PYTHON'
import collections
import sys

sys.path.insert(0, '.')
from lab.topology import load_topology  # noqa: E402

hosts = [host for host in load_topology().hosts if host.product == 'skype']
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
        in_recap && $2 == ":" {
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
