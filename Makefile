# memtierd build, test and demo entry points.
#
# Deno: the `deno` on PATH when it is version $(DENO_VERSION); otherwise Deno
# $(DENO_VERSION) from the npm package `deno`, installed into .deno/ (nothing
# global). `make deno` prints which one is used.

DENO_VERSION := 2.9.6
LOCAL_DENO := .deno/node_modules/@deno/linux-x64-glibc/deno
PATH_DENO := $(shell command -v deno 2>/dev/null)
ifneq ($(PATH_DENO),)
ifeq ($(shell deno --version 2>/dev/null | head -n1 | cut -d' ' -f2),$(DENO_VERSION))
DENO := $(PATH_DENO)
endif
endif
DENO ?= $(abspath $(LOCAL_DENO))

SOURCES := $(shell find src -name '*.ts' -not -name '*_test.ts') deno.json deno.lock
BUILD_TOOLS := tools/build.ts tools/sfx/launcher.c

.PHONY: all deno check fmt lint test unit unit-loaded integration e2e demo bench compare clean install

all: bin/memtierd

deno: $(DENO)
	@echo "deno: $(DENO) ($$($(DENO) --version | head -n1))"

$(abspath $(LOCAL_DENO)):
	@echo "installing Deno $(DENO_VERSION) from the npm registry into .deno/"
	mkdir -p .deno
	cd .deno && npm install --no-audit --no-fund --no-save --loglevel=error deno@$(DENO_VERSION)
	@test -x $@ && $@ --version | head -n1

bin/memtierd: $(DENO) $(SOURCES) $(BUILD_TOOLS)
	$(DENO) run -A tools/build.ts memtierd src/main.ts $@

# One gate: formatting, lint, type check, the @example blocks of src (run as
# tests: `deno test --doc` on the modules that have one) and unit +
# integration tests.
DOC_MODULES = $(shell grep -rl --include='*.ts' --exclude='*_test.ts' '```ts' src | sort)

check: $(DENO)
	$(DENO) fmt --check
	$(DENO) lint
	$(DENO) check src tests tools
	$(DENO) test -A --quiet --doc $(DOC_MODULES)
	$(MAKE) --no-print-directory unit integration

fmt: $(DENO)
	$(DENO) fmt

unit: $(DENO)
	$(DENO) test -A --quiet src tests/e2e/lib tests/compare tools

# `make unit` three times while two busy loops load two cores: every test
# must pass every time (none may depend on the machine's speed).
unit-loaded: $(DENO)
	MAKE="$(MAKE)" tools/unit_loaded.sh 3

integration: $(DENO) bin/memtierd
	$(DENO) test -A --quiet tests/integration

# The VM test framework (tests/e2e) adds: e2e, demo, vm-kernel, bin/meme.
-include tests/e2e/e2e.mk

test: check e2e

# Benchmarks (tests/bench): natively on this host, then in a VM; figures,
# ratios and targets printed as "bench:" lines. Not part of `make test`.
# GO_MEMTIERD=/path/to/memtierd adds the Go memtierd's figures (see
# tests/bench/README.md); BENCH_REPS sets the runs per figure.
GO_MEMTIERD ?=
bench: $(DENO) bin/memtierd bin/meme build/bench/benchhelp
	DENO=$(DENO) GO_MEMTIERD=$(if $(GO_MEMTIERD),$(abspath $(GO_MEMTIERD))) tests/bench/native.sh
	DENO=$(DENO) BENCH_HELPER=$(abspath build/bench/benchhelp) \
	  GO_MEMTIERD=$(if $(GO_MEMTIERD),$(abspath $(GO_MEMTIERD))) tests/e2e/run_tests.sh tests/bench
	@cat build/bench/native.log
	@grep -h '^bench:' tests/e2e/output/bench/*/*.log

# The tiering comparison (tests/compare, docs/tiering-vs-kernel.md): the
# same workload (meme hotset) under no tiering, the kernel's NUMA balancing
# tiering, DAMON's DAMOS, the Go memtierd and ours, one after the other in
# one HMAT VM; "compare:" lines and charts in tests/e2e/output/compare/runs.
# Not part of `make test`. COMPARE_WS, COMPARE_TTL, COMPARE_SHIFT,
# COMPARE_VARIANTS, COMPARE_CONTENDERS_write (or _read): tests/compare/lib.bash
# and hmat/test01-compare.sh. COMPARE_TESTS=tests/compare/hmat/test01-compare.sh
# leaves out the idle page tracker's contenders (and their VM boot).
COMPARE_TESTS ?= tests/compare
compare: $(DENO) bin/memtierd bin/meme
	rm -rf tests/e2e/output/compare/runs
	DENO=$(DENO) GO_MEMTIERD=$(if $(GO_MEMTIERD),$(abspath $(GO_MEMTIERD))) tests/e2e/run_tests.sh $(COMPARE_TESTS)
	@cat tests/e2e/output/compare/runs/compare.log tests/e2e/output/compare/runs/report.txt 2> /dev/null | grep '^compare:'

# The C reference and timing helper of the benchmarks, static so that it
# runs in the VM as it is.
build/bench/benchhelp: tests/bench/benchhelp.c
	@mkdir -p build/bench
	$(CC) -static -O2 -Wall -Wextra -o $@ $<
	strip $@

# Install: the binary, the example configs, the systemd unit (paths filled
# in) and, if absent, the config and defaults files it reads. PREFIX=/usr
# for a distribution; DESTDIR to stage.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
DOCDIR ?= $(PREFIX)/share/doc/memtierd
install: bin/memtierd
	install -D -m 0755 bin/memtierd $(DESTDIR)$(BINDIR)/memtierd
	install -D -m 0644 -t $(DESTDIR)$(DOCDIR)/examples deploy/config/*.yaml
	install -D -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -d $(DESTDIR)$(UNITDIR)
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' \
	  deploy/systemd/memtierd.service.in >$(DESTDIR)$(UNITDIR)/memtierd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/memtierd.service
	test -e $(DESTDIR)$(SYSCONFDIR)/memtierd/memtierd.yaml || \
	  install -D -m 0644 deploy/config/memtierd.yaml $(DESTDIR)$(SYSCONFDIR)/memtierd/memtierd.yaml
	test -e $(DESTDIR)$(SYSCONFDIR)/default/memtierd || \
	  install -D -m 0644 deploy/systemd/memtierd.default $(DESTDIR)$(SYSCONFDIR)/default/memtierd

clean:
	rm -rf bin build
