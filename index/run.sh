#!/bin/sh
# index/run.sh: what `make run` does. Indexes the bundled sample archive
# (index/sample/sample.jsonl) into BUILDDIR/index/socasma.db, then runs the
# daemon in the foreground on BUILDDIR/index/socasma.sock and 127.0.0.1:7700
# until Ctrl-C (`make run PORT=7701` moves the port: the Makefile passes
# SOCASMA_RUN_LISTEN).
#   usage: sh index/run.sh SRCDIR BUILDDIR
set -u
srcdir=${1:?usage: run.sh SRCDIR BUILDDIR}
builddir=${2:?usage: run.sh SRCDIR BUILDDIR}
indexer=$builddir/src/socasma-index
daemon=$builddir/src/socasma-searchd
search=$builddir/src/socasma-search
# Where the database, socket and run config go (a test moves them).
rundir=${SOCASMA_RUN_DIR:-$builddir/index}
db=$rundir/socasma.db
sock=$rundir/socasma.sock
listen=${SOCASMA_RUN_LISTEN:-127.0.0.1:7700}

for prog in "$indexer" "$daemon"; do
    if [ ! -x "$prog" ]; then
        echo "make run: $prog is not built yet (make src/$(basename "$prog"))" >&2
        exit 1
    fi
done
mkdir -p "$rundir" || exit 1

# The port taken (by an earlier `make run`, or Meilisearch, which uses 7700
# too): say how to move, before indexing.
port_hint() {
    echo "make run: $listen is already in use (another socasma-searchd, or Meilisearch, which uses 7700 too);" >&2
    echo "make run: choose another port: make run PORT=$((${listen##*:} + 1))" >&2
}
if command -v nc >/dev/null 2>&1 && nc -z "${listen%:*}" "${listen##*:}" 2>/dev/null; then
    port_hint
    exit 1
fi

# A config for this run: the sample's database, the repository's glossary,
# and the socket and port above. Flags would do for most of it, but the
# glossary is only a config setting.
conf=$rundir/run.conf
{
    echo "# Written by index/run.sh for \`make run\`; rewritten at every run."
    echo "[index]"
    echo "database = $db"
    if [ -f "$srcdir/conf/synonyms.txt" ]; then
        echo "glossary = $srcdir/conf/synonyms.txt"
    fi
    echo "[server]"
    echo "socket = $sock"
    echo "listen = $listen"
    echo "access_log = -"
} >"$conf"

echo "Indexing the sample archive into $db ..."
"$indexer" --config "$conf" --db "$db" --prune --quiet "$srcdir/index/sample/sample.jsonl" || {
    echo "make run: socasma-index failed" >&2
    exit 1
}

rm -f "$sock"
"$daemon" --config "$conf" --db "$db" --socket "$sock" --listen "$listen" --foreground &
pid=$!
# Ctrl-C reaches the daemon too (same process group); pass on TERM as well
# and wait for its clean exit.
trap 'kill -TERM $pid 2>/dev/null; wait $pid; echo; echo "stopped."; exit 0' INT TERM

# Ready when the socket answers (or after 10 s, whatever happens).
i=0
while [ $i -lt 100 ] && [ ! -S "$sock" ]; do
    if ! kill -0 $pid 2>/dev/null; then
        wait $pid
        echo "make run: socasma-searchd exited (its message is above)" >&2
        nc -z "${listen%:*}" "${listen##*:}" 2>/dev/null && port_hint
        exit 1
    fi
    sleep 0.1
    i=$((i + 1))
done

cat <<READY

ready: socasma-searchd is serving the sample archive
  socket: $sock
  tcp:    $listen
Try, in another terminal:
  printf 'permis\n' | nc -N -U $sock
  printf '{"op":"search","q":"équivalence","facets":true}\n' | nc -N ${listen%:*} ${listen##*:}
  $search --db $db 'permis restrictif'
  $search --socket $sock 'residency'
Ctrl-C stops it.
READY
wait $pid
status=$?
trap - INT TERM
exit $status
