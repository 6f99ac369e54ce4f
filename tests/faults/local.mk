# tests/faults: fault tests (issue 12): kill -9 of the indexer with the
# daemon serving, a full disk, the database removed, replaced or made
# unreadable under the daemon, file descriptors exhausted, SIGHUP and
# reindexing under load. Not in `make check` (they take minutes): run by
# `make check-faults`, with their own test-suite log (faults-suite.log),
# and by .ci/run after `make check`.
check_PROGRAMS += tests/faults/loadclient
tests_faults_loadclient_SOURCES = tests/faults/loadclient.c
tests_faults_loadclient_CFLAGS = $(AM_CFLAGS) -pthread
tests_faults_loadclient_LDFLAGS = $(AM_LDFLAGS) -pthread
check_PROGRAMS += tests/faults/swapdirs
tests_faults_swapdirs_SOURCES = tests/faults/swapdirs.c
FAULT_TESTS = tests/faults/kill.sh tests/faults/disk-full.sh tests/faults/db-swap.sh \
	tests/faults/swap-load.sh \
	tests/faults/fds.sh tests/faults/reload.sh
EXTRA_DIST += $(FAULT_TESTS) tests/faults/faults-lib.sh tests/faults/lsan.supp
FAULTS_SUITE_LOG = faults-suite.log
# The same harness as `make check`, with the fault tests as TESTS.
check-faults:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(FAULT_TESTS)' TEST_SUITE_LOG='$(FAULTS_SUITE_LOG)'
.PHONY: check-faults
CLEANFILES += $(FAULTS_SUITE_LOG) $(FAULT_TESTS:.sh=.log) $(FAULT_TESTS:.sh=.trs)
