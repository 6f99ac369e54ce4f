# fuzz.mk: the clang build and the runs of the fuzz targets (GNU make),
# apart from the automake build so that `make check` and `make distcheck`
# stay with the configured compiler. Called by `make fuzz` (local.mk), which
# passes srcdir, builddir (config.h), out (the build directory), the
# modules' sources and the libraries' flags.
FUZZ_CC ?= clang
FUZZ_CXX ?= clang++
FUZZ_TIME ?= 60
FUZZ_TIMEOUT ?= 1
FUZZ_TARGETS ?= analyse query request jsonl wxr html

SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
CPPFLAGS_F := -I$(srcdir)/src -I$(builddir) -I$(srcdir)/tests $(DEP_CFLAGS) \
	-DFUZZ_SRCDIR='"$(srcdir)"'
CFLAGS_F := -std=c11 -g -O1 $(SAN) -fsanitize=fuzzer-no-link -Wall -Wextra -Wshadow \
	-Wno-unused-parameter -MMD -MP
CXXFLAGS_F := -std=c++11 -g -O1 $(SAN) -fsanitize=fuzzer-no-link -Wall -Wextra \
	-Wno-unused-parameter -MMD -MP

MOD_C := $(filter %.c,$(MODULE_SRCS))
MOD_CC := $(filter %.cc,$(MODULE_SRCS))
MOD_OBJS := $(MOD_C:%.c=$(out)/obj/%.o) $(MOD_CC:%.cc=$(out)/obj/%.o)
HELP_OBJS := $(out)/obj/tests/fuzz/fuzz-common.o $(out)/obj/tests/fuzz/fuzz-db.o
BINS := $(FUZZ_TARGETS:%=$(out)/fuzz-%)

all: $(BINS)

# V=1 shows the commands.
Q := $(if $(filter 1,$(V)),,@)

$(out)/obj/%.o: $(srcdir)/%.c
	@mkdir -p $(@D)
	@echo "  FUZZ CC  $*.c"
	$(Q)$(FUZZ_CC) $(CPPFLAGS_F) $(CFLAGS_F) -c $< -o $@

$(out)/obj/%.o: $(srcdir)/%.cc
	@mkdir -p $(@D)
	@echo "  FUZZ CXX $*.cc"
	$(Q)$(FUZZ_CXX) $(CPPFLAGS_F) $(CXXFLAGS_F) -c $< -o $@

# An archive, so that each target links only the objects it uses.
$(out)/libmodules.a: $(MOD_OBJS) $(HELP_OBJS)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(out)/fuzz-%: $(out)/obj/tests/fuzz/fuzz-%.o $(out)/libmodules.a
	@echo "  FUZZ LD  fuzz-$*"
	$(Q)$(FUZZ_CXX) $(SAN) -fsanitize=fuzzer $^ $(DEP_LIBS) -o $@

# Each target for FUZZ_TIME seconds; the summary lines, and the end of the
# log of a target that found something. The inputs may grow to 64 KiB for
# the converters (a cost that grows faster than the input shows only on
# large ones: that is what the 1 s timeout is for), 4 KiB for a query or a
# request line.
#
# A timeout alone may be the machine (CI shares its cores): its input is
# replayed 3 times with the same limit, and only one slow in a replay too
# is a finding (fuzz_stall says when none was).
run: $(BINS)
	@mkdir -p $(out)/findings $(out)/unconfirmed; status=0; \
	fuzz_stall() { \
	  grep -q 'ERROR: libFuzzer: timeout' $(out)/$$1.log || return 1; \
	  set -- $$1 $$(ls $(out)/findings/$$1-timeout-* 2>/dev/null); \
	  [ $$# -eq 2 ] || return 1; \
	  for i in 1 2 3; do \
	    top_srcdir=$(srcdir) $(out)/fuzz-$$1 -timeout=$(FUZZ_TIMEOUT) $$2 >/dev/null 2>&1 || return 1; \
	  done; \
	  mv $$2 $(out)/unconfirmed/; \
	}; \
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(out)/corpus/$$t; \
	  seeds=$(srcdir)/tests/fuzz/corpus/$$t; \
	  kept=; [ -d $(srcdir)/tests/fuzz/regress/$$t ] && kept=$(srcdir)/tests/fuzz/regress/$$t; \
	  dict=; [ -f $(srcdir)/tests/fuzz/dict/$$t.dict ] && dict=-dict=$(srcdir)/tests/fuzz/dict/$$t.dict; \
	  case $$t in html|wxr|jsonl) len=65536;; analyse) len=16384;; *) len=4096;; esac; \
	  echo "fuzz: $$t for $(FUZZ_TIME) s"; \
	  if top_srcdir=$(srcdir) $(out)/fuzz-$$t $(out)/corpus/$$t $$seeds $$kept $$dict \
	      -max_total_time=$(FUZZ_TIME) -timeout=$(FUZZ_TIMEOUT) -max_len=$$len -print_final_stats=1 \
	      -artifact_prefix=$(out)/findings/$$t- >$(out)/$$t.log 2>&1; then \
	    sed -n 's/^stat::number_of_executed_units: */  executions: /p; s/^stat::peak_rss_mb: */  peak RSS (MB): /p' $(out)/$$t.log; \
	    echo "  corpus: $$(ls $(out)/corpus/$$t | wc -l) inputs"; \
	  elif fuzz_stall $$t; then \
	    echo "  a slow input under load ran under $(FUZZ_TIMEOUT) s in 3 replays: not a finding (kept in $(out)/unconfirmed)"; \
	  else \
	    status=1; echo "fuzz: $$t FOUND A CRASH OR A SLOW INPUT (log: $(out)/$$t.log)"; \
	    tail -n 40 $(out)/$$t.log; \
	  fi; \
	done; \
	ls $(out)/findings | sed 's/^/  finding: /'; \
	exit $$status

.PHONY: all run
-include $(MOD_OBJS:.o=.d) $(HELP_OBJS:.o=.d) $(FUZZ_TARGETS:%=$(out)/obj/tests/fuzz/fuzz-%.d)
