# common.sh: sourced by the shell tests. Sets up a scratch directory that is
# removed on exit, paths to the built programs, and small assertion helpers.
# Exit 77 means "skipped" to automake's harness.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
SOCASMA_INDEX="$top_builddir/src/socasma-index"
SOCASMA_SEARCH="$top_builddir/src/socasma-search"
SOCASMA_SEARCHD="$top_builddir/src/socasma-searchd"
T=$(mktemp -d "${TMPDIR:-/tmp}/socasma-test.XXXXXX") || exit 99
_cleanup_hooks=""
on_exit() { _cleanup_hooks="$1; $_cleanup_hooks"; }
trap 'eval "$_cleanup_hooks"; rm -rf "$T"' EXIT

_failures=0
fail() { echo "FAIL: $*" >&2; _failures=$((_failures + 1)); }
pass() { echo "ok: $*"; }
skip() { echo "SKIP: $*"; exit 77; }
# check DESC COMMAND...: runs the command, counts a failure if it fails.
check() { local d="$1"; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
# expect_eq DESC EXPECTED ACTUAL
expect_eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: expected [$2], got [$3]"; fi; }
# expect_match DESC REGEX TEXT
expect_match() { if printf '%s' "$3" | grep -Eq -- "$2"; then pass "$1"; else fail "$1: [$3] does not match /$2/"; fi; }
# finish: the test's exit status
finish() { if [ "$_failures" -eq 0 ]; then exit 0; else echo "$_failures failure(s)" >&2; exit 1; fi; }
shared_dir() { if [ -d "${SOCASMA_SHARED:-}" ]; then echo "$SOCASMA_SHARED"; else return 1; fi; }
