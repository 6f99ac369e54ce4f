#!/bin/sh
# replication.sh: a primary and a replica on loopback with Xapian's own
# replication (xapian-replicate-server, xapian-replicate). The replica's
# daemon finds what the primary's finds; a live put and delete on the
# primary reach it (the lag printed); it answers writes "forbidden"
# naming the primary and its copy stays as it was; version and stats say
# the roles; socasma-index refuses the replica's database; a new database
# on the primary reaches it as a full copy under a client's load with no
# failed search; and a reload without primary promotes it.
. "$top_srcdir/tests/replication/repl-lib.sh"

"$SOCASMA_INDEX" --quiet --db "$PDB" "$SAMPLE" || { fail "index the sample on the primary"; finish; }
ls "$PDB"/changes* >/dev/null 2>&1 && pass "the primary keeps changesets" ||
    fail "no changeset in $PDB with XAPIAN_MAX_CHANGESETS set"
start_primary || { fail "the primary's daemon starts"; finish; }
start_repl_server || { fail "xapian-replicate-server starts"; finish; }
replicate_once || { cat "$T/replicate.log" >&2; fail "the first replication"; finish; }
check "the replica is a stub and a copy" test -f "$RDB/XAPIANDB"
start_replica || { fail "the replica's daemon starts"; finish; }

# The same answers on both.
for q in permis 'résidence' 'medecin famille' equivalence IMG 'lang:fr stage'; do
    expect_eq "same hits for '$q'" "$(ids p "$q")" "$(ids r "$q")"
done
out=$("$SOCASMA_SEARCH" --db "$RDB" --json permis 2>&1)
expect_match "socasma-search opens the replica's directory" '^\{"ok":true,"total":[1-9]' "$out"
expect_eq "the replica holds the 31 posts" 31 "$(ask r '{"op":"stats"}' | sed -n 's/^{"ok":true,"posts":\([0-9]*\),.*/\1/p')"

# Roles.
expect_match "version: the primary" '"role":"primary"' "$(ask p '{"op":"version"}')"
v=$(ask r '{"op":"version","id":1}')
expect_match "version: a replica and its primary" '"role":"replica","primary":"primary\.example\.org:7700","id":1' "$v"
expect_match "stats: a replica and its primary" '"server":\{.*"role":"replica","primary":"primary\.example\.org:7700"' "$(ask r '{"op":"stats"}')"

# The replica refuses writes, naming its primary, and its copy stays.
before=$(tree_sum "$RDB")
out=$(ask r "{\"op\":\"put\",\"post\":$(post rep-0 zorbreplica)}")
expect_match "replica: put over the socket forbidden, naming the primary" \
    '"code":"forbidden","message":"this daemon is a replica; send writes to the primary at primary\.example\.org:7700"' "$out"
out=$(ask_tcp r '{"op":"delete","ids":["sample-001"]}')
expect_match "replica: delete over TCP forbidden" '"code":"forbidden","message":"this daemon is a replica' "$out"
sleep 1.2 # the writer's lock_idle: had it opened the database, it would show
expect_eq "replica: its copy untouched by the refused writes" "$before" "$(tree_sum "$RDB")"
expect_eq "replica: nothing of the put" 0 "$(total r zorbreplica)"
expect_eq "replica: the delete's post is still there" 1 "$(ask r '{"op":"doc","doc_id":"sample-001"}' | grep -c '"ok":true')"
expect_match "replica: stats count the forbidden writes" '"forbidden":2' "$(ask r '{"op":"stats"}')"
"$SOCASMA_INDEX" --config "$T/r.conf" --quiet "$SAMPLE" 2>"$T/index.err"
expect_eq "socasma-index on the replica's config: exit 2" 2 $?
expect_match "socasma-index says to index on the primary" 'this host is a replica \(primary = primary\.example\.org:7700\): index on the primary' "$(cat "$T/index.err")"
expect_eq "replica: its copy untouched by socasma-index" "$before" "$(tree_sum "$RDB")"

# Live writes on the primary reach the replica: xapian-replicate as its
# unit runs it (every second), the lag from the put's answer to the
# replica's first answer with the post.
start_replicate_loop
t0=$(now_ms)
expect_match "primary: put" '"ok":true,"added":1' "$(ask p "{\"op\":\"put\",\"post\":$(post rep-1 zorbalpha)}")"
expect_eq "primary: the put is found at once" 1 "$(total p zorbalpha)"
if wait_total r zorbalpha 1 20; then
    pass "replica: the primary's put is found"
    echo "lag put -> found on the replica: $(( $(now_ms) - t0 )) ms (xapian-replicate -i 1 -r 0)"
else
    cat "$T/replicate.log" >&2
    fail "replica: the primary's put is not found within 20 s"
fi
expect_eq "replica: the post's record" '"id":"rep-1"' "$(ask r '{"op":"doc","doc_id":"rep-1"}' | grep -o '"id":"rep-1"' | head -n 1)"
ask p '{"op":"delete","ids":["rep-1","sample-002"]}' >/dev/null
t0=$(now_ms)
if wait_total r zorbalpha 0 20; then
    pass "replica: the primary's delete reaches it"
    echo "lag delete -> gone on the replica: $(( $(now_ms) - t0 )) ms"
else
    fail "replica: the primary's delete does not reach it"
fi
expect_match "replica: the other deleted post is gone" '"code":"not_found"' "$(ask r '{"op":"doc","doc_id":"sample-002"}')"
# A burst of writes, one commit each, is followed whole, the changesets
# applied one after the other (-r 0) under the searches of a client, none
# of which fails (the engine tries a search again on a revision changed
# under it).
if [ -x "$LOAD" ]; then
    printf '%s\n' '{"op":"search","q":"zorbburst"}' '{"op":"search","q":"residency program"}' \
        '{"op":"stats"}' >"$T/reqs"
    rm -f "$T/stop"
    "$LOAD" -U "$T/r.sock" -f "$T/reqs" -c 2 -S "$T/stop" -w 10000 >"$T/load.out" 2>"$T/load.err" &
    LPID=$!
fi
i=0
while [ $i -lt 20 ]; do
    ask p "{\"op\":\"put\",\"post\":$(post "burst-$i" zorbburst)}" >/dev/null
    i=$((i + 1))
done
expect_eq "primary: the burst" 20 "$(total p zorbburst)"
if wait_total r zorbburst 20 30; then pass "replica: the whole burst"; else fail "replica: the burst: $(total r zorbburst) of 20"; fi
stop_replicate_loop
if [ -x "$LOAD" ]; then
    touch "$T/stop"
    wait "$LPID"
    lrc=$?
    expect_eq "no failed search while the burst was applied ($(cat "$T/load.out"))" 0 "$lrc"
    if [ "$lrc" != 0 ]; then
        head -n 5 "$T/load.err" >&2
        echo "the replica daemon's last messages:" >&2
        grep -v 'reload' "$T/r.err" | tail -n 20 | sed 's/^/  /' >&2
    fi
    rm -f "$T/stop"
fi

# A new database on the primary (built aside and moved in, as after a
# rebuild): the replica gets a full copy, into replica_0 or replica_1
# beside the old one, and switches its stub; its daemon answers from the
# new copy without a failed request from a client searching all along.
head -n 12 "$SAMPLE" >"$T/part.jsonl"
printf '%s\n' "$(post fresh-1 zorbfresh)" >>"$T/part.jsonl"
"$SOCASMA_INDEX" --quiet --db "$T/primary/new.db" "$T/part.jsonl" || fail "index the new database"
live_before=$(sed -n 's/^auto //p' "$RDB/XAPIANDB")
if [ -x "$LOAD" ]; then
    printf '%s\n' '{"op":"search","q":"permis"}' '{"op":"search","q":"residency program"}' \
        '{"op":"stats"}' '{"op":"suggest","q":"equi"}' >"$T/reqs"
    "$LOAD" -U "$T/r.sock" -f "$T/reqs" -c 2 -S "$T/stop" -w 10000 >"$T/load.out" 2>"$T/load.err" &
    LPID=$!
    sleep 0.5
fi
mv "$PDB" "$T/primary/old.db" && mv "$T/primary/new.db" "$PDB"
replicate_once || { cat "$T/replicate.log" >&2; fail "the full copy"; }
tail -n 1 "$T/replicate.log" | grep -q '1 copies' && pass "a full copy was sent" ||
    fail "no full copy: $(tail -n 1 "$T/replicate.log")"
live_after=$(sed -n 's/^auto //p' "$RDB/XAPIANDB")
[ "$live_before" != "$live_after" ] && pass "the stub switched ($live_before -> $live_after)" ||
    fail "the stub still names $live_before"
[ ! -d "$RDB/$live_before" ] && pass "the old copy is removed" || fail "the old copy $live_before is still there"
if wait_total r zorbfresh 1 20; then pass "replica: answers from the new copy"; else fail "replica: the new copy not seen"; fi
expect_eq "replica: the new copy's posts" 13 "$(ask r '{"op":"stats"}' | sed -n 's/^{"ok":true,"posts":\([0-9]*\),.*/\1/p')"
expect_eq "replica: no post of the old database" 0 "$(total r zorbburst)"
if [ -x "$LOAD" ]; then
    sleep 0.5
    touch "$T/stop"
    wait "$LPID"
    lrc=$?
    expect_eq "no failed request during the full copy ($(cat "$T/load.out"))" 0 "$lrc"
    [ "$lrc" = 0 ] || head -n 5 "$T/load.err" >&2
fi
expect_eq "replica: no unavailable answer" 0 "$(ask r '{"op":"stats"}' | sed -n 's/.*"unavailable":\([0-9]*\).*/\1/p')"

# Promotion: replication stopped, primary removed, a reload: writes taken
# by the replica, into its copy (the stub's directory).
sed -i '/^primary = /d' "$T/r.conf"
kill -HUP "$RPID"
sleep 0.5
expect_match "promoted: version says primary" '"role":"primary"' "$(ask r '{"op":"version"}')"
expect_match "promoted: a put is taken" '"ok":true,"added":1' "$(ask r "{\"op\":\"put\",\"post\":$(post prom-1 zorbpromoted)}")"
expect_eq "promoted: the put is found" 1 "$(total r zorbpromoted)"
# Demoted again, with the longest primary (128 bytes): named whole.
long="https://search-primary.example.org/$(printf '%093d' 0)"
printf 'primary = %s\n' "$long" >>"$T/r.conf"
kill -HUP "$RPID"
sleep 0.5
expect_match "demoted again by a reload: forbidden, the long primary whole" \
    "\"code\":\"forbidden\",\"message\":\"this daemon is a replica; send writes to the primary at $long\"" \
    "$(ask r "{\"op\":\"put\",\"post\":$(post prom-2 zorbdemoted)}")"
expect_eq "demoted: nothing of the put" 0 "$(total r zorbdemoted)"
printf 'primary = %sx\n' "$long" >>"$T/r.conf"
kill -HUP "$RPID"
sleep 0.5
expect_match "a primary over 128 bytes: the reload refused, FILE:LINE" 'r\.conf:[0-9]+: primary: expected where writes go' "$(cat "$T/r.err")"

if kill -0 "$PPID_" 2>/dev/null && kill -0 "$RPID" 2>/dev/null; then
    pass "both daemons still running"
else
    fail "a daemon died"
    for d in p r; do
        echo "the $d daemon's last messages:" >&2
        grep -v reload "$T/$d.err" | grep -v "^    0x\|Shadow\|redzone\|Partially\|Addressable\|Freed heap\|Stack \|Global \|Container\|Array cookie\|Intra object\|ASan internal\|Poisoned" | tail -n 80 | sed 's/^/  /' >&2
    done
fi
finish
