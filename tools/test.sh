#!/usr/bin/env bash
# The single test command of ucops.skype_exchange.
#
#   bash tools/test.sh                 # every step
#   bash tools/test.sh sanity          # one group: sanity | units | lint | pytest
#   bash tools/test.sh units pytest    # several groups or single steps (see --help)
#
# It needs only this repository, Python 3.11 and 3.12+ and the package indexes (PyPI, Debian). It creates
# .venv (Python 3.11, ansible-core 2.19.x) and .venv-latest (newest Python, newest ansible-core) from
# tests/requirements.txt and reuses them while that file is unchanged, copies the collection into
# .build/ansible_collections/ucops/skype_exchange/ (fresh on every run) and runs each step there. A failing
# step does not stop the others; the summary lists every step and the exit status is 1 if any failed.
set -euo pipefail

# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VENV="$UCOPS_ROOT/.venv"
VENV_LATEST="$UCOPS_ROOT/.venv-latest"

ALL_STEPS=(sanity sanity-latest units units-latest ansible-lint changelog shellcheck galaxy-importer pytest pytest-latest)

usage() {
    cat <<'EOF'
Usage: tools/test.sh [GROUP|STEP]...

Groups (default: all of them, in this order):
  sanity   ansible-test sanity --venv with ansible-core 2.19 / Python 3.11 (step sanity)
           and with the newest ansible-core and Python (step sanity-latest)
  units    ansible-test units --venv, same two environments (steps units, units-latest)
  lint     ansible-lint (production profile), antsibull-changelog lint (step changelog),
           shellcheck of the shell scripts, galaxy-importer on the built collection artifact
  pytest   python -m pytest tests/lab tests/integration (starts the lab, runs ansible-playbook) with
           ansible-core 2.19, then tests/integration/test_modules.py without session reuse and with modules in their own
           process (step pytest), and tests/integration with the newest ansible-core (step pytest-latest)

Environment: CI=true installs shellcheck, bind9 (named, for the RFC 2136 tests) and chromium (headless, for the
audit report HTML tests) with apt-get when they are missing (otherwise the shellcheck step and those tests are skipped).
EOF
}

# ---------------------------------------------------------------------------------------------------------
# Steps. Each runs in a subshell with errexit on; a non-zero status fails the step, 77 marks it skipped.

python_version_of() {
    "$1/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])'
}

ansible_test() {
    local venv=$1 command=$2
    shift 2
    local python
    python=$(python_version_of "$venv")
    cd "$UCOPS_COLLECTION_DIR"
    # ansible-test looks up pythonX.Y on PATH: the venv's own interpreter comes first.
    PATH="$venv/bin:$PATH" "$venv/bin/ansible-test" "$command" --venv --python "$python" "$@"
}

step_sanity() { ansible_test "$VENV" sanity; }
step_sanity_latest() { ansible_test "$VENV_LATEST" sanity; }
step_units() { ansible_test "$VENV" units; }
step_units_latest() { ansible_test "$VENV_LATEST" units; }

step_ansible_lint() {
    cd "$UCOPS_ROOT"
    # .ansible-lint sets the production profile and offline mode; FQCNs resolve from the .build copy.
    PATH="$VENV/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$UCOPS_BUILD_ROOT" "$VENV/bin/ansible-lint"
}

step_changelog() {
    cd "$UCOPS_ROOT"
    "$VENV/bin/antsibull-changelog" lint
    "$VENV/bin/antsibull-changelog" lint-changelog-yaml changelogs/changelog.yaml
    echo "antsibull-changelog: fragments and changelogs/changelog.yaml are valid"
}

step_shellcheck() {
    cd "$UCOPS_ROOT"
    local -a scripts=(tools/*.sh .ci/run)
    local script
    for script in "${scripts[@]}"; do
        bash -n "$script"
    done
    if ! command -v shellcheck >/dev/null 2>&1; then
        if [[ ${CI:-} == true ]] && command -v apt-get >/dev/null 2>&1; then
            ucops_log "Installing shellcheck (apt-get)"
            DEBIAN_FRONTEND=noninteractive apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null
        else
            ucops_log "shellcheck is not installed (apt-get install shellcheck): skipped"
            return 77
        fi
    fi
    shellcheck --version | sed -n 's/^version: /shellcheck /p'
    shellcheck --external-sources --shell=bash "${scripts[@]}"
    echo "shellcheck: ${scripts[*]}: no findings"
}

step_galaxy_importer() {
    local dist="$UCOPS_BUILD_ROOT/dist"
    rm -rf "$dist"
    mkdir -p "$dist"
    cd "$UCOPS_COLLECTION_DIR"
    "$VENV/bin/ansible-galaxy" collection build --force --output-path "$dist"
    local artifact
    artifact=$(find "$dist" -name 'ucops-skype_exchange-*.tar.gz' -print -quit)
    [[ -n $artifact ]] || ucops_die "ansible-galaxy collection build made no artifact"
    cd "$dist"
    # Galaxy's import checks (artifact integrity, galaxy.yml schema, ansible-doc of every plugin,
    # ansible-lint, changelog). Its warnings are what users see on the collection's Galaxy page, and some
    # errors (ansible-doc failures) do not change its exit status: both fail the step.
    PATH="$VENV/bin:$PATH" "$VENV/bin/python" -m galaxy_importer.main "$artifact" 2>&1 | tee importer.log
    if grep -Eq '^(ERROR|WARNING):' importer.log; then
        printf '\ngalaxy-importer findings:\n'
        grep -E '^(ERROR|WARNING):' importer.log
        ucops_die "galaxy-importer reported errors or warnings"
    fi
}

# run_pytest VENV DIR...: pytest in the repository with the collection importable from .build.
run_pytest() {
    local venv=$1
    shift
    cd "$UCOPS_ROOT"
    local dir
    for dir in "$@"; do
        [[ -e $dir ]] || ucops_die "$dir does not exist: no lab or integration tests to run"
    done
    local rc=0
    PATH="$venv/bin:$PATH" \
        ANSIBLE_COLLECTIONS_PATH="$UCOPS_BUILD_ROOT" \
        PYTHONPATH="$UCOPS_BUILD_ROOT${PYTHONPATH:+:$PYTHONPATH}" \
        "$venv/bin/python" -m pytest "$@" -q || rc=$?
    if ((rc == 5)); then
        ucops_die "pytest collected no tests in $*"
    fi
    return "$rc"
}

# The RFC 2136 tests (tests/integration/test_autodiscover_dns_record.py) start a real BIND 9 on loopback. CI=true installs
# Debian's bind9 when named is missing; without it they are skipped locally and fail under CI.
ensure_named() {
    if command -v named >/dev/null 2>&1 || [[ -x /usr/sbin/named ]]; then
        return 0
    fi
    if [[ ${CI:-} == true ]] && command -v apt-get >/dev/null 2>&1; then
        ucops_log "Installing bind9 (apt-get) for the RFC 2136 tests"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bind9 >/dev/null
        [[ -x /usr/sbin/named ]] || command -v named >/dev/null 2>&1 || ucops_die "bind9 is installed but named is not found"
    else
        ucops_log "named (BIND 9) is not installed (apt-get install bind9): the RFC 2136 tests are skipped (they fail with CI=true)"
    fi
}

# The audit report HTML tests (tests/integration/test_audit_report_html.py) open the page in headless Chromium. CI=true
# installs Debian's chromium when it is missing; without it they are skipped locally and fail under CI.
ensure_chromium() {
    local name
    for name in chromium chromium-browser google-chrome-stable google-chrome; do
        if command -v "$name" >/dev/null 2>&1; then
            return 0
        fi
    done
    if [[ ${CI:-} == true ]] && command -v apt-get >/dev/null 2>&1; then
        ucops_log "Installing chromium (apt-get) for the audit report HTML tests"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
        command -v chromium >/dev/null 2>&1 || ucops_die "chromium is installed but not found on PATH"
    else
        ucops_log "chromium is not installed (apt-get install chromium): the audit report HTML tests are skipped (they fail with CI=true)"
    fi
}

step_pytest() {
    ensure_named
    ensure_chromium
    run_pytest "$VENV" tests/lab tests/integration
    # the module tests again the old way: one PowerShell run and product-shell load per request (no session reuse) and
    # the module in its own AnsiballZ process, so both paths stay tested
    UCOPS_SKYPE_EXCHANGE_SESSION_REUSE=false UCOPS_MODULE_PROCESS=subprocess run_pytest "$VENV" tests/integration/test_modules.py
}
step_pytest_latest() {
    ensure_named
    ensure_chromium
    run_pytest "$VENV_LATEST" tests/integration
}

# ---------------------------------------------------------------------------------------------------------
# Bookkeeping

declare -a RESULT_STEPS=() RESULT_STATUS=() RESULT_SECONDS=() RESULT_DETAIL=()

record() {
    RESULT_STEPS+=("$1")
    RESULT_STATUS+=("$2")
    RESULT_SECONDS+=("$3")
    RESULT_DETAIL+=("$4")
}

detail_of() {
    case $1 in
        sanity | units) env_label "$VENV" ;;
        sanity-latest | units-latest | pytest-latest) env_label "$VENV_LATEST" ;;
        *) echo "" ;;
    esac
}

env_label() {
    "$1/bin/python" -c 'import sys, ansible.release; print("ansible-core %s, Python %d.%d" % ((ansible.release.__version__,) + sys.version_info[:2]))' 2>/dev/null || echo "?"
}

run_step() {
    local name=$1 function=step_${1//-/_} start rc=0 status
    printf '\n==================== %s ====================\n' "$name"
    start=$SECONDS
    set +e
    (
        set -euo pipefail
        "$function"
    )
    rc=$?
    set -e
    case $rc in
        0) status=passed ;;
        77) status=skipped ;;
        *) status=failed ;;
    esac
    printf '==================== %s: %s (%ss) ====================\n' "$name" "$status" "$((SECONDS - start))"
    record "$name" "$status" "$((SECONDS - start))" "$(detail_of "$name")"
}

print_summary() {
    local i passed=0 failed=0 skipped=0
    printf '\n%-16s %-8s %7s  %s\n' STEP RESULT SECONDS DETAIL
    printf '%-16s %-8s %7s  %s\n' ---------------- -------- ------- ------------------------------
    for i in "${!RESULT_STEPS[@]}"; do
        printf '%-16s %-8s %7s  %s\n' "${RESULT_STEPS[$i]}" "${RESULT_STATUS[$i]}" "${RESULT_SECONDS[$i]}" "${RESULT_DETAIL[$i]}"
        case ${RESULT_STATUS[$i]} in
            passed) passed=$((passed + 1)) ;;
            failed) failed=$((failed + 1)) ;;
            skipped) skipped=$((skipped + 1)) ;;
        esac
    done
    printf '\n'
    if ((skipped > 0)); then
        printf 'steps: %d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
    else
        printf 'steps: %d passed, %d failed\n' "$passed" "$failed"
    fi
    ((failed == 0))
}

# ---------------------------------------------------------------------------------------------------------
# Main

main() {
    local -a steps=()
    local arg step
    if (($# == 0)); then
        set -- all
    fi
    for arg in "$@"; do
        case $arg in
            -h | --help)
                usage
                return 0
                ;;
            all) steps+=("${ALL_STEPS[@]}") ;;
            sanity) steps+=(sanity sanity-latest) ;;
            units) steps+=(units units-latest) ;;
            lint) steps+=(ansible-lint changelog shellcheck galaxy-importer) ;;
            pytest) steps+=(pytest pytest-latest) ;;
            *)
                if [[ " ${ALL_STEPS[*]} " == *" $arg "* ]]; then
                    steps+=("$arg")
                else
                    printf 'Unknown group or step: %s\n\n' "$arg" >&2
                    usage >&2
                    return 2
                fi
                ;;
        esac
    done

    local need_latest=false
    for step in "${steps[@]}"; do
        [[ $step == *-latest ]] && need_latest=true
    done

    printf '==================== setup ====================\n'
    local start=$SECONDS rc=0
    set +e
    (
        set -euo pipefail
        ucops_setup_primary_venv
        if [[ $need_latest == true ]]; then
            ucops_setup_latest_venv
        fi
        ucops_write_get_pip "$VENV" "$VENV_LATEST"
        ucops_build_collection
    )
    rc=$?
    set -e
    if ((rc != 0)); then
        record setup failed "$((SECONDS - start))" "virtual environments or .build copy"
        print_summary || true
        return 1
    fi
    local environments
    environments=$(env_label "$VENV")
    if [[ $need_latest == true ]]; then
        environments+=" / $(env_label "$VENV_LATEST")"
    fi
    record setup passed "$((SECONDS - start))" "$environments"

    for step in "${steps[@]}"; do
        run_step "$step"
    done
    print_summary
}

main "$@"
