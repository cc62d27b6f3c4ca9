# deps.sh — the Debian packages Yuchain needs, and installing the missing ones.
#
# Sourced by scripts/run, scripts/test and scripts/bench (bash). Installs only what
# dpkg-query says is missing, runs `apt-get update` at most once, and uses sudo when
# not root. Set YC_SKIP_DEPS=1 to skip the check (e.g. on a machine you manage).

# Build and test dependencies (DESIGN.md §2, STYLE.md "Layout").
YC_DEPS=(
    cmake gcc make pkg-config python3
    libsecp256k1-dev libleveldb-dev libuv1-dev libsodium-dev libmsgpack-dev
    libjansson-dev libhttp-parser-dev libinih-dev libcmocka-dev
    libcurl4-openssl-dev   # the CLIs' HTTP(S) client (wallet, audit --node, bench)
    libssl-dev   # OpenSSL 3: TLS on the node's RPC listener ([rpc] tls_cert_file); core's SHA-256
    graphviz   # rendering the provenance graph's DOT (and the DOT output checks)
    fonts-wqy-microhei  # CJK glyphs: the provenance graph's DOT font; the explorer's screenshots
)

# Needed by the tests only (scripts/test installs them as well; scripts/run does not).
YC_TEST_DEPS=(
    clang-format # the layout check (tests/format.sh, .clang-format)
    clang        # libFuzzer harnesses
    chromium     # the explorer's browser test (tests/functional/test_explorer.py)
    prometheus   # promtool: the alert rules' unit tests and the metrics check (test_ops_files.py)
    openssl      # the CLI: throwaway CAs and certificates (test_node_tls.py, test_remote_access.py)
)

# Prints the packages of "$@" that are not installed, one per line.
yc_missing_packages()
{
    local p status
    for p in "$@"; do
        status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        case "$status" in
            *"install ok installed"*) ;;
            *) printf '%s\n' "$p" ;;
        esac
    done
}

# Installs the missing packages of YC_DEPS plus any given as arguments.
yc_install_deps()
{
    if [ "${YC_SKIP_DEPS:-0}" = 1 ]; then
        return 0
    fi
    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "deps: not a Debian-like system (no dpkg-query); install these yourself:" >&2
        echo "deps:   ${YC_DEPS[*]} $*" >&2
        return 0
    fi
    local missing
    mapfile -t missing < <(yc_missing_packages "${YC_DEPS[@]}" "$@")
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "deps: missing packages: ${missing[*]}; run as root or install sudo" >&2
            return 1
        fi
        sudo=(sudo)
    fi
    echo "deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    # One update per run: a fresh machine has no package lists yet.
    "${sudo[@]}" apt-get update -q >&2 || return 1
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 || return 1
}

# Number of parallel build jobs: YC_JOBS, else the core count capped at 2 (CI has 2 cores).
yc_jobs()
{
    if [ -n "${YC_JOBS:-}" ]; then
        echo "$YC_JOBS"
        return
    fi
    local n
    n=$(nproc 2>/dev/null || echo 2)
    [ "$n" -gt 2 ] && n=2
    echo "$n"
}
