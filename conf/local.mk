# conf: what `make install` puts in place for running the service: the
# documented config file, the glossary, the nightly reindex script, the
# systemd units and the cron entry for hosts without systemd.
#
# The config file, the units and socasma-reindex name installation paths, so
# they are made from *.in templates at build time (paths depend on
# ./configure --prefix and friends).

pkglocalstatedir = $(localstatedir)/lib/$(PACKAGE)
systemdunitdir = $(prefix)/lib/systemd/system
crondir = $(sysconfdir)/cron.d

conf_substitute = $(SED) \
	-e 's|@bindir[@]|$(bindir)|g' \
	-e 's|@pkgsysconfdir[@]|$(pkgsysconfdir)|g' \
	-e 's|@pkglocalstatedir[@]|$(pkglocalstatedir)|g' \
	-e 's|@PACKAGE_VERSION[@]|$(PACKAGE_VERSION)|g'

CONF_GENERATED = conf/socasma-search.conf conf/socasma-reindex \
	conf/systemd/socasma-searchd.service conf/systemd/socasma-reindex.service \
	conf/cron.d/socasma-reindex
CONF_TEMPLATES = $(CONF_GENERATED:=.in)

conf/socasma-search.conf: $(srcdir)/conf/socasma-search.conf.in
conf/socasma-reindex: $(srcdir)/conf/socasma-reindex.in
conf/systemd/socasma-searchd.service: $(srcdir)/conf/systemd/socasma-searchd.service.in
conf/systemd/socasma-reindex.service: $(srcdir)/conf/systemd/socasma-reindex.service.in
conf/cron.d/socasma-reindex: $(srcdir)/conf/cron.d/socasma-reindex.in
$(CONF_GENERATED): Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && rm -f $@ $@.tmp && \
	$(conf_substitute) $(srcdir)/$@.in > $@.tmp && \
	if test $@ = conf/socasma-reindex; then chmod +x $@.tmp; fi && \
	mv $@.tmp $@

pkgsysconf_DATA = conf/socasma-search.conf
# The glossary (written with src/text): the installed config names it as
# "synonyms.txt", next to itself.
dist_pkgsysconf_DATA = conf/synonyms.txt
bin_SCRIPTS = conf/socasma-reindex
systemdunit_DATA = conf/systemd/socasma-searchd.service \
	conf/systemd/socasma-reindex.service
dist_systemdunit_DATA = conf/systemd/socasma-reindex.timer
cron_DATA = conf/cron.d/socasma-reindex

CLEANFILES += $(CONF_GENERATED)
EXTRA_DIST += $(CONF_TEMPLATES)
# The website examples (conf/examples/) and their tests: conf/examples/local.mk.

# The directory of the database, made at install time so that the units'
# ReadWritePaths= names an existing directory whatever the prefix (under
# /var/lib systemd's StateDirectory= also makes it, owned by the service's
# user; elsewhere give it to that user: chown socasma:socasma DIR).
install-data-local:
	$(MKDIR_P) '$(DESTDIR)$(pkglocalstatedir)'

# Operations tests: socasma-reindex against a real database (and the daemon),
# `make run`, and `make install DESTDIR=...` with a run of
# the installed programs (tests/ops/install.sh: it runs make itself, and
# needs the configured directories).
TESTS += tests/ops/reindex.sh tests/ops/make-run.sh tests/ops/install.sh tests/ops/messages.sh
EXTRA_DIST += tests/ops/reindex.sh tests/ops/make-run.sh tests/ops/install.sh tests/ops/messages.sh \
	tests/ops/ops-lib.sh
AM_TESTS_ENVIRONMENT += \
	SOCASMA_MAKE='$(MAKE)'; export SOCASMA_MAKE; \
	SOCASMA_INSTALL_DIRS="bindir='$(bindir)' pkgsysconfdir='$(pkgsysconfdir)' \
	pkglocalstatedir='$(pkglocalstatedir)' systemdunitdir='$(systemdunitdir)' \
	crondir='$(crondir)' mandir='$(mandir)' version='$(PACKAGE_VERSION)'"; \
	export SOCASMA_INSTALL_DIRS;
