# bench/soak.mk: the soak (bench/soak, a script): the daemon under mixed
# and hostile load for minutes, with a reindex every minute. It uses the
# daemon, the indexer and the fault tests' load client; never run by make
# check or CI.
EXTRA_DIST += bench/soak
