# The VM test framework's make targets, included by the top Makefile.
#
#   make bin/meme      the memory exerciser, one file like bin/memtierd
#   make e2e           the e2e suite in QEMU VMs (E2E_TESTS=... picks tests)
#   make demo          the seed README's walk-through in a 4-node VM
#   make vm-kernel     the test kernel with idle page tracking (cached)
#
# E2E_BUILD_KERNEL=1 (the default when CI=true): `make test` builds that
# kernel (when it is missing or out of date) in the background while `make
# check` and the tests that do not need it run; the tests that need it run
# last, and fail if it cannot be built. Otherwise they run only when it is
# built already.
#   make e2e-tools     checks the host tools, says which packages are missing
#
# See tests/e2e/README.md.

MEME_SOURCES := $(shell find src/meme -name '*.ts' -not -name '*_test.ts') src/version.ts \
  src/ffi/signal_mask.ts

.PHONY: e2e demo vm-kernel e2e-tools e2e-kernel-start

E2E_BUILD_KERNEL ?= $(if $(filter true 1 yes,$(CI)),1,0)
export E2E_BUILD_KERNEL

bin/meme: $(DENO) $(MEME_SOURCES) deno.json $(BUILD_TOOLS)
	$(DENO) run -A tools/build.ts meme src/meme/main.ts $@

e2e-tools:
	@tests/e2e/run.sh check-tools

# E2E_TESTS: test scripts, topology or suite folders, or shell patterns of
# them (default: every suite under tests/e2e/suites).
# The run waits for the background kernel build (E2E_PREBUILD_OWNER) only
# when it comes to the tests that need that kernel.
e2e: $(DENO) bin/memtierd bin/meme
	DENO=$(DENO) E2E_PREBUILD_OWNER=$$PPID tests/e2e/run_tests.sh $(E2E_TESTS)

demo: $(DENO) bin/memtierd bin/meme
	DENO=$(DENO) tests/e2e/demo.sh

vm-kernel:
	tests/e2e/kernel/build.sh

# Read before the top Makefile's `test: check e2e`, so it comes first:
# the kernel's build (E2E_BUILD_KERNEL=1) overlaps `make check` and the
# first e2e tests; run_tests.sh waits for it before the tests that need
# it. $$PPID: this make, which the build must not outlive.
test: e2e-kernel-start
e2e-kernel-start:
	@tests/e2e/kernel/prebuild.sh start $$PPID
