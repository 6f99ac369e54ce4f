# tests/replication: a primary and a replica on loopback with Xapian's own
# replication tools (xapian-tools: xapian-replicate-server and
# xapian-replicate), the replica's daemon with `primary =`, and the TCP
# load balancer of conf/examples/balancer in front of two daemons, one
# stopped mid-load. They skip (77) without xapian-replicate, nginx's stream
# module or HAProxy. doc/SCALING.md, "Replicas".
REPLICATION_TESTS = tests/replication/replication.sh tests/replication/balancer.sh
TESTS += $(REPLICATION_TESTS)
EXTRA_DIST += $(REPLICATION_TESTS) tests/replication/repl-lib.sh \
	tests/replication/balancer-load.php
