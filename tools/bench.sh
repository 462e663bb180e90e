#!/usr/bin/env bash
# Benchmark of the collection against the lab simulator (not part of tools/test.sh):
#
#   bash tools/bench.sh                 # full run (1 Exchange + 50 Skype hosts, 3 repetitions; about 15 minutes)
#   bash tools/bench.sh --quick         # a few minutes: 1 repetition, 10 Skype hosts, latency scale 0.2
#   bash tools/bench.sh --help          # every option (tools/bench.py)
#
# Sets up .venv (as tools/test.sh does), copies the collection into .build/bench/ (its own copy, so that a test run
# that rebuilds .build/ansible_collections meanwhile is not disturbed, and the other way round), then runs tools/bench.py,
# which starts its own labs (temporary state directories, free ports) and prints the table of docs/performance.md.
set -euo pipefail

# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VENV="$UCOPS_ROOT/.venv"

main() {
    local arg
    for arg in "$@"; do
        if [[ ($arg == -h || $arg == --help) && -x $VENV/bin/python ]]; then
            exec "$VENV/bin/python" "$UCOPS_ROOT/tools/bench.py" --help
        fi
    done
    ucops_setup_primary_venv
    # lib.sh's copy goes to $UCOPS_BUILD_ROOT: a directory of the benchmark's own (ignored by git: under .build/)
    UCOPS_BUILD_ROOT="$UCOPS_ROOT/.build/bench"
    # shellcheck disable=SC2034  # read by ucops_build_collection (lib.sh)
    UCOPS_COLLECTION_DIR="$UCOPS_BUILD_ROOT/ansible_collections/ucops/skype_exchange"
    ucops_build_collection

    cd "$UCOPS_ROOT"
    export PATH="$VENV/bin:$PATH"
    export ANSIBLE_COLLECTIONS_PATH="$UCOPS_BUILD_ROOT"
    # the labs the benchmark starts choose their latency model themselves
    unset UCOPS_LAB_LATENCY
    exec "$VENV/bin/python" tools/bench.py "$@"
}

main "$@"
