# bench/live.mk: the live index's benchmark (bench/live, a script). It
# drives the daemon with tests/live/liveclient, which it builds.
EXTRA_DIST += bench/live
