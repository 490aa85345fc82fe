# The VM test framework's make targets, included by the top Makefile.
#
#   make bin/meme      the memory exerciser, one file like bin/memtierd
#   make e2e           the e2e suite in QEMU VMs (E2E_TESTS=... picks tests)
#   make demo          the seed README's walk-through in a 4-node VM
#   make vm-kernel     the test kernel with idle page tracking (cached)
#   make e2e-tools     checks the host tools, says which packages are missing
#
# See tests/e2e/README.md.

MEME_SOURCES := $(shell find src/meme -name '*.ts' -not -name '*_test.ts') src/version.ts

.PHONY: e2e demo vm-kernel e2e-tools

bin/meme: $(DENO) $(MEME_SOURCES) deno.json $(BUILD_TOOLS)
	$(DENO) run -A tools/build.ts meme src/meme/main.ts $@

e2e-tools:
	@tests/e2e/run.sh check-tools

# E2E_TESTS: test scripts, topology or suite folders, or shell patterns of
# them (default: every suite under tests/e2e/suites).
e2e: $(DENO) bin/memtierd bin/meme
	DENO=$(DENO) tests/e2e/run_tests.sh $(E2E_TESTS)

demo: $(DENO) bin/memtierd bin/meme
	DENO=$(DENO) tests/e2e/demo.sh

vm-kernel:
	tests/e2e/kernel/build.sh
