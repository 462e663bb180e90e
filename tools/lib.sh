# shellcheck shell=bash
# Shared helpers for tools/test.sh and tools/demo.sh. Source this file; do not run it.
#
# It finds the Python interpreters, creates and reuses the project's virtual environments, and copies the
# collection into the physical ansible_collections/ucops/skype_exchange tree that ansible-test, ansible-lint
# and ansible-playbook need.

UCOPS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
UCOPS_BUILD_ROOT="$UCOPS_ROOT/.build"
UCOPS_COLLECTION_DIR="$UCOPS_BUILD_ROOT/ansible_collections/ucops/skype_exchange"
UCOPS_REQUIREMENTS="$UCOPS_ROOT/tests/requirements.txt"
# Bump to force every venv to be rebuilt when the way it is set up changes.
UCOPS_VENV_RECIPE=1

ucops_log() {
    printf '>>> %s\n' "$*" >&2
}

ucops_die() {
    printf 'ERROR: %s\n' "$*" >&2
    exit 1
}

# Print the path of a working interpreter for the given version (e.g. 3.11), or return 1.
# Candidates, in order: $UCOPS_PYTHON_<MAJOR><MINOR>, pyenv's real interpreters, pythonX.Y on PATH (pyenv
# shims of non-global versions fail, so every candidate is run to check it), /usr/local/bin, /usr/bin.
ucops_find_python() {
    local version=$1 override_name candidate
    local -a candidates=()
    override_name="UCOPS_PYTHON_${version//./}"
    if [[ -n ${!override_name:-} ]]; then
        candidates+=("${!override_name}")
    fi
    local -a pyenv_roots=()
    [[ -n ${PYENV_ROOT:-} ]] && pyenv_roots+=("$PYENV_ROOT")
    if command -v pyenv >/dev/null 2>&1; then
        pyenv_roots+=("$(pyenv root 2>/dev/null || true)")
        # <root>/bin/pyenv links to <root>/libexec/pyenv
        pyenv_roots+=("$(dirname "$(dirname "$(readlink -f "$(command -v pyenv)")")")")
    fi
    pyenv_roots+=("$HOME/.pyenv")
    local root path
    for root in "${pyenv_roots[@]}"; do
        [[ -n $root ]] || continue
        for path in "$root"/versions/"$version"*/bin/"python$version"; do
            [[ -x $path ]] && candidates+=("$path")
        done
    done
    if command -v "python$version" >/dev/null 2>&1; then
        candidates+=("$(command -v "python$version")")
    fi
    candidates+=("/usr/local/bin/python$version" "/usr/bin/python$version")
    for candidate in "${candidates[@]}"; do
        [[ -x $candidate ]] || continue
        if [[ $("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) == "$version" ]] &&
            "$candidate" -c 'import venv, ensurepip' >/dev/null 2>&1; then
            printf '%s\n' "$candidate"
            return 0
        fi
    done
    return 1
}

# The interpreter for .venv: Python 3.11 (resolves ansible-core 2.19.x).
ucops_python_primary() {
    ucops_find_python 3.11 || ucops_die "Python 3.11 not found (set UCOPS_PYTHON_311=/path/to/python3.11)"
}

# The interpreter for .venv-latest: the newest of 3.14, 3.13, 3.12 (resolves the newest ansible-core).
ucops_python_latest() {
    local version
    for version in 3.14 3.13 3.12; do
        if ucops_find_python "$version"; then
            return 0
        fi
    done
    ucops_die "Python 3.12 or newer not found (set UCOPS_PYTHON_313=/path/to/python3.13)"
}

# ucops_setup_venv DIR PYTHON: create DIR with PYTHON and install tests/requirements.txt, unless DIR was
# already made from the same interpreter version and the same requirements file (then it is reused).
ucops_setup_venv() {
    local venv=$1 python=$2 stamp wanted
    stamp="$venv/.ucops-stamp"
    wanted=$(
        {
            printf 'recipe %s\n' "$UCOPS_VENV_RECIPE"
            "$python" -c 'import sys; print(sys.version)'
            cat "$UCOPS_REQUIREMENTS"
        } | sha256sum | cut -d' ' -f1
    )
    if [[ -f $stamp && $(<"$stamp") == "$wanted" ]] && "$venv/bin/python" -c 'import ansible' >/dev/null 2>&1; then
        ucops_log "Reusing $venv ($("$venv/bin/python" --version), requirements unchanged)"
        return 0
    fi
    ucops_log "Creating $venv with $python"
    rm -rf "$venv"
    "$python" -m venv "$venv"
    # pip's output goes to a log that is shown only when the installation fails.
    local log="$venv/pip-install.log"
    if ! {
        "$venv/bin/python" -m pip install --disable-pip-version-check --upgrade pip &&
            "$venv/bin/python" -m pip install --disable-pip-version-check -r "$UCOPS_REQUIREMENTS"
    } >"$log" 2>&1; then
        tail -n 60 "$log" >&2
        ucops_die "pip install -r ${UCOPS_REQUIREMENTS#"$UCOPS_ROOT"/} failed in $venv (full log: $log)"
    fi
    printf '%s\n' "$wanted" >"$stamp"
    ucops_log "Ready: $venv ($("$venv/bin/python" --version), ansible-core $("$venv/bin/python" -c 'import ansible.release; print(ansible.release.__version__)'))"
}

ucops_setup_primary_venv() {
    local python
    python=$(ucops_python_primary)
    ucops_setup_venv "$UCOPS_ROOT/.venv" "$python"
}

ucops_setup_latest_venv() {
    local python
    python=$(ucops_python_latest)
    ucops_setup_venv "$UCOPS_ROOT/.venv-latest" "$python"
}

# ansible-test creates its venvs without pip and downloads a pip bootstrap script from a host this project's
# machines cannot reach. A local stand-in in ansible-test's cache installs the requested pip from the package
# index with the pip wheel that CPython bundles for ensurepip. Written for the pip versions ansible-core 2.19
# (24.2) and 2.21 (25.2) ask for, and for whatever version the given venvs' ansible-test asks for.
ucops_write_get_pip() {
    local cache="$HOME/.ansible/test/cache" venv version
    local -a versions=(24.2 25.2)
    for venv in "$@"; do
        local source_file
        for source_file in "$venv"/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py; do
            [[ -f $source_file ]] || continue
            version=$(sed -n "s/^ *pip='\([0-9][0-9.]*\)',.*$/\1/p" "$source_file" | head -n 1)
            [[ -n $version ]] && versions+=("$version")
        done
    done
    mkdir -p "$cache"
    for version in "${versions[@]}"; do
        cat >"$cache/get_pip_${version//./_}.py" <<'PYTHON'
# Stand-in for ansible-test's get-pip download, written by tools/lib.sh of ucops.skype_exchange.
# Runs CPython's bundled ensurepip wheel to install the requested pip from the package index.
import glob, os, runpy, sys
import ensurepip
wheel = sorted(glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), '_bundled', 'pip-*.whl')))[-1]
sys.path.insert(0, wheel)
args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
sys.argv = ['pip', 'install', '--upgrade', '--force-reinstall'] + args
runpy.run_module('pip', run_name='__main__', alter_sys=True)
PYTHON
    done
}

# Copy the collection (git-tracked files and untracked files that are not ignored) into a fresh physical
# .build/ansible_collections/ucops/skype_exchange/. ansible-test rejects symlinked collection roots.
ucops_build_collection() {
    ucops_log "Copying the collection to ${UCOPS_COLLECTION_DIR#"$UCOPS_ROOT"/}"
    rm -rf "$UCOPS_BUILD_ROOT"
    mkdir -p "$UCOPS_COLLECTION_DIR"
    (
        cd "$UCOPS_ROOT" || exit 1
        git ls-files -z --cached --others --exclude-standard |
            while IFS= read -r -d '' path; do
                # skip files deleted in the work tree but still in the index
                if [[ -e $path || -L $path ]]; then
                    printf '%s\0' "$path"
                fi
            done |
            tar --null --files-from=- --create --file=- |
            tar --extract --file=- --directory="$UCOPS_COLLECTION_DIR"
    )
    # ansible-test looks for version control upwards from the collection root. It would find this
    # repository, in which .build/ is ignored, and see no files at all. A repository of its own makes the
    # copy its own content root (files are listed with `git ls-files --cached --others --exclude-standard`,
    # so nothing needs to be committed there).
    git -C "$UCOPS_COLLECTION_DIR" init --quiet
}
