#!/bin/sh
# access.sh: who may write. write = token: over TCP with the file's token
# (not without it, nor with a wrong one), over the Unix socket always; a
# token file readable by others, missing or empty, keeps the daemon from
# starting; write = none: nobody. The access log names a write's op,
# counts and status, never its content nor its token.
. "$top_srcdir/tests/live/live-lib.sh"

TOKEN=s3cret-Token-Xq7
printf '%s\n' "$TOKEN" >"$T/token"

# A token file others may read: refused, and said why.
chmod 644 "$T/token"
if start_daemon "write = token
write_token_file = $T/token"; then
    fail "world-readable token file: the daemon started"
    stop_daemon
else
    expect_eq "world-readable token file: exit 1" 1 "$(cat "$T/daemon.rc")"
    expect_match "world-readable token file: says why" 'readable by every user: chmod o-r' "$(cat "$T/daemon.err")"
fi
chmod 600 "$T/token"
: >"$T/empty"; chmod 600 "$T/empty"
if start_daemon "write = token
write_token_file = $T/empty"; then fail "empty token file: the daemon started"; stop_daemon
else expect_match "empty token file: refused" 'empty' "$(tail -n 1 "$T/daemon.err")"; fi
if start_daemon "write = token"; then fail "token mode without a file: the daemon started"; stop_daemon
else expect_match "token mode without a file: refused" 'write = token needs write_token_file' "$(tail -n 1 "$T/daemon.err")"; fi
if start_daemon "write = sometimes"; then fail "bad write mode: the daemon started"; stop_daemon
else expect_match "bad write mode: FILE:LINE" 'conf:[0-9]+: write: expected socket, token or none' "$(tail -n 1 "$T/daemon.err")"; fi

start_daemon "write = token
write_token_file = $T/token
access_log = $T/access.log" || { fail "token mode starts"; finish; }
expect_match "Unix socket without a token: allowed" '"ok":true,"added":1' "$(ask "{\"op\":\"put\",\"post\":$(post tok-3 zorbunix)}")"
out=$(ask_tcp "{\"op\":\"put\",\"post\":$(post tok-1 zorbnotoken)}")
expect_match "TCP without a token: forbidden" '"code":"forbidden".*needs \\"token\\"' "$out"
out=$(ask_tcp "{\"op\":\"put\",\"token\":\"wrong\",\"post\":$(post tok-1 zorbnotoken)}")
expect_match "TCP with a wrong token: forbidden" '"code":"forbidden","message":"wrong token"' "$out"
out=$(ask_tcp "{\"op\":\"put\",\"token\":\"${TOKEN}x\",\"post\":$(post tok-1 zorbnotoken)}")
expect_match "TCP with a longer token: forbidden" '"code":"forbidden"' "$out"
expect_eq "forbidden writes applied nothing" 0 "$(found zorbnotoken)"
out=$(ask_tcp "{\"op\":\"put\",\"token\":\"$TOKEN\",\"post\":$(post tok-2 zorbwithtoken ' Secretbodyword.')}")
expect_match "TCP with the token: added" '"ok":true,"added":1' "$out"
expect_eq "the token's put is found" 1 "$(found zorbwithtoken)"
out=$(ask_tcp "{\"op\":\"delete\",\"token\":\"$TOKEN\",\"ids\":[\"tok-2\",\"tok-404\"]}")
expect_match "TCP delete with the token" '"deleted":1,"missing":1' "$out"
stop_daemon
log=$(cat "$T/access.log")
expect_match "access log: a forbidden put" ' put [0-9]+ [0-9.]+ forbidden' "$log"
expect_match "access log: a put's counts" ' put [0-9]+ [0-9.]+ ok added=1 updated=0 unchanged=0 deleted=0 missing=0' "$log"
expect_match "access log: a delete's counts" ' delete [0-9]+ [0-9.]+ ok added=0 updated=0 unchanged=0 deleted=1 missing=1' "$log"
case $log in
*"$TOKEN"*|*wrong*|*Secretbodyword*|*zorbwithtoken*|*tok-2*) fail "access log holds content or a token: $log" ;;
*) pass "access log: no content, no token, no id" ;;
esac

# write = none: nobody, not even the socket
start_daemon "write = none" || { fail "write = none starts"; finish; }
expect_match "write = none: socket forbidden" '"code":"forbidden","message":"writes are disabled' "$(ask "{\"op\":\"put\",\"post\":$(post none-1 zorbnone)}")"
expect_match "write = none: searches answered" '"ok":true' "$(ask '{"op":"search","q":"zorbunix"}')"
expect_match "stats count forbidden writes" '"forbidden":1' "$(ask '{"op":"stats"}')"
finish
