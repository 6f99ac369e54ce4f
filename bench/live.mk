# bench/live.mk: the live index's benchmark (bench/live) and its long write
# load (bench/live-soak), scripts. They drive the daemon with
# tests/live/liveclient, which they build.
EXTRA_DIST += bench/live bench/live-soak
