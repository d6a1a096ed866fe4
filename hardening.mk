# Hardening: bad input, faults and load (issue #5) -- included by the Makefile
# (anywhere after BUILD is set, e.g. next to `include bench/bench.mk`).
#
#   make fuzz          the proptest properties of host/tests/fuzz_decoding.rs
#                      and host/tests/fuzz_instance.rs
#                      with many more cases (FUZZ_CASES, default 20000)
#   make reliability   runs the hardening suites and writes docs/reliability.md
#                      from the `RELIABILITY: key=value` lines they print
#
# The same tests run, with fewer fuzz cases, in `make test` (cargo test --workspace).

FUZZ_CASES ?= 20000
HARDENING_HOST_TESTS := bad_input_table fuzz_decoding fuzz_instance faults contract
HARDENING_E2E_TESTS  := faults load hostile tls

.PHONY: fuzz reliability

fuzz:
	PROPTEST_CASES=$(FUZZ_CASES) $(CARGO) test -p wasock-host --test fuzz_decoding --test fuzz_instance

reliability: setup host guests
	@rm -f $(BUILD)/reliability.log; mkdir -p $(BUILD)
	@set -o pipefail; export PROPTEST_CASES=$(FUZZ_CASES); for t in $(HARDENING_HOST_TESTS); do \
	  $(CARGO) test -p wasock-host --test $$t -- --nocapture --test-threads=1 2>&1 | tee -a $(BUILD)/reliability.log | grep -E '^(test result|RELIABILITY)' || exit 1; \
	done
	@set -o pipefail; for t in $(HARDENING_E2E_TESTS); do \
	  $(CARGO) test -p wasock-e2e --test $$t -- --nocapture --test-threads=1 2>&1 | tee -a $(BUILD)/reliability.log | grep -E '^(test result|RELIABILITY)' || exit 1; \
	done
	scripts/reliability.sh $(BUILD)/reliability.log docs/reliability.md
