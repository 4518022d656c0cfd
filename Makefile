# por: proof of reserves inside PostgreSQL.
#
#   make            builds the extension (por.so), the database-free library,
#                   por-verify
#   make install    installs the extension and por-verify (pg_config --bindir)
#   make check      every test: C unit tests (plain and ASan+UBSan), then a
#                   throwaway cluster for pg_regress and pgTAP
#   make bench      builds bench/por-bench
#   make fuzz       libFuzzer on the inclusion-proof and batch-proof decoders (clang)
#   make demo       the whole pipeline on a throwaway cluster (scripts/demo.sh)
#   make keys       regenerates the shipped verifier keys (src/lib/por/vk_table_data.c)
#                   from keys/shapes.txt
#   make mutation   mutation testing: each soundness check of test/mutation/*.mut
#                   removed in turn must fail a unit test (test/mutation/run.py)

EXTENSION = por
DATA = por--1.0.sql por--1.1.sql por--1.0--1.1.sql
MODULE_big = por
PGFILEDESC = "por - proof of reserves inside PostgreSQL"

LIB_SRCS := $(sort $(wildcard src/lib/*/*.c))
PG_SRCS := $(sort $(wildcard src/pg/*.c))
# the library goes into por.so as build/pic/libpor.a: compiled once with the
# library's own flags (PGXS's -fno-omit-frame-pointer and stack protector cost
# the hashing loops), position-independent
OBJS = $(PG_SRCS:.c=.o)

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --outputdir=build/regress

PG_CONFIG ?= pg_config
# no LLVM bitcode: JIT inlining of por's code is of no use and needs clang
override with_llvm = no
PG_CPPFLAGS = -Isrc/lib
PG_CFLAGS = -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wno-missing-field-initializers -Wno-sign-compare \
	-Wno-declaration-after-statement
SHLIB_LINK = build/pic/libpor.a -lcrypto -lpthread
EXTRA_CLEAN = build bench/por-bench

PGXS := $(shell $(PG_CONFIG) --pgxs)
# PGXS's own "check" only says it is not supported for extensions; "make check"
# is ours (below), so PGXS is left out when it is the goal (its sub-makes
# include it) and no recipe is overridden
ifeq ($(filter check,$(MAKECMDGOALS)),)
include $(PGXS)
endif

# PGXS tracks no header dependencies: the glue is rebuilt when any header changes
$(PG_SRCS:.c=.o): $(wildcard src/pg/*.h) $(wildcard src/lib/*/*.h)
por$(DLSUFFIX): build/pic/libpor.a

# ---------------------------------------------------------------------------
# The database-free library, its tests, por-verify and the bench binary are
# built with our own flags, without PostgreSQL headers.

CC_LIB ?= cc
LIB_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -O2 -g -Wall -Wextra -Werror -Isrc/lib -pthread
SAN_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -O1 -g -Wall -Wextra -Werror -Isrc/lib -pthread \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LIB_LDLIBS = -lcrypto -lpthread -lm

LIB_OBJS := $(patsubst src/lib/%.c,build/lib/%.o,$(LIB_SRCS))
SAN_OBJS := $(patsubst src/lib/%.c,build/san/lib/%.o,$(LIB_SRCS))
PIC_OBJS := $(patsubst src/lib/%.c,build/pic/lib/%.o,$(LIB_SRCS))
UNIT_SRCS := $(sort $(wildcard test/unit/*/test_*.c))
UNIT_BINS := $(patsubst test/unit/%.c,build/test/%,$(UNIT_SRCS))
SAN_BINS := $(patsubst test/unit/%.c,build/san/test/%,$(UNIT_SRCS))
LIB_HDRS := $(wildcard src/lib/*/*.h)

all: build/por-verify

build/lib/%.o: src/lib/%.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC_LIB) $(LIB_CFLAGS) -c $< -o $@

build/pic/lib/%.o: src/lib/%.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC_LIB) $(LIB_CFLAGS) -fPIC -c $< -o $@

build/san/lib/%.o: src/lib/%.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC_LIB) $(SAN_CFLAGS) -c $< -o $@

build/libpor.a: $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

build/pic/libpor.a: $(PIC_OBJS)
	rm -f $@ && ar rcs $@ $^

build/san/libpor.a: $(SAN_OBJS)
	rm -f $@ && ar rcs $@ $^

build/por-verify: tools/por_verify.c build/libpor.a
	$(CC_LIB) $(LIB_CFLAGS) $< build/libpor.a $(LIB_LDLIBS) -o $@

build/por-keys: tools/por_keys.c build/libpor.a
	$(CC_LIB) $(LIB_CFLAGS) $< build/libpor.a $(LIB_LDLIBS) -o $@

# The shipped verifier keys (src/lib/por/vk_table.h): derived for every shape
# of keys/shapes.txt and written as C; test/unit/agg/test_vk_table.c checks
# the table against a fresh derivation.
keys: build/por-keys
	build/por-keys keys/shapes.txt > src/lib/por/vk_table_data.c.new
	mv src/lib/por/vk_table_data.c.new src/lib/por/vk_table_data.c

build/test/%: test/unit/%.c $(wildcard test/unit/*.h) build/libpor.a
	@mkdir -p $(dir $@)
	$(CC_LIB) $(LIB_CFLAGS) -Itest/unit $< build/libpor.a $(LIB_LDLIBS) -o $@

build/san/test/%: test/unit/%.c $(wildcard test/unit/*.h) build/san/libpor.a
	@mkdir -p $(dir $@)
	$(CC_LIB) $(SAN_CFLAGS) -Itest/unit $< build/san/libpor.a $(LIB_LDLIBS) -o $@

BENCH_SRCS := $(sort $(wildcard bench/*.c))
bench/por-bench: $(BENCH_SRCS) bench/bench.h build/libpor.a
	$(CC_LIB) $(LIB_CFLAGS) -O3 -Ibench $(BENCH_SRCS) build/libpor.a $(LIB_LDLIBS) -o $@

bench: bench/por-bench

# libFuzzer on the inclusion-proof, batch-proof/manifest and final-proof decoders (needs clang): make fuzz FUZZ_SECONDS=300
FUZZ_SECONDS ?= 60
build/fuzz_inclusion: test/fuzz/fuzz_inclusion.c $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p build
	clang -std=c11 -D_DEFAULT_SOURCE -O1 -g -Isrc/lib -fsanitize=fuzzer,address,undefined \
		test/fuzz/fuzz_inclusion.c $(LIB_SRCS) $(LIB_LDLIBS) -o $@
build/fuzz_batch_proof: test/fuzz/fuzz_batch_proof.c $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p build
	clang -std=c11 -D_DEFAULT_SOURCE -O1 -g -Isrc/lib -fsanitize=fuzzer,address,undefined \
		test/fuzz/fuzz_batch_proof.c $(LIB_SRCS) $(LIB_LDLIBS) -o $@
build/fuzz_final_proof: test/fuzz/fuzz_final_proof.c $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p build
	clang -std=c11 -D_DEFAULT_SOURCE -O1 -g -Isrc/lib -fsanitize=fuzzer,address,undefined \
		test/fuzz/fuzz_final_proof.c $(LIB_SRCS) $(LIB_LDLIBS) -o $@
fuzz: build/fuzz_inclusion build/test/por/test_fuzz_inclusion build/fuzz_batch_proof build/test/por/test_batch_proof build/test/por/test_bundle build/fuzz_final_proof build/test/agg/test_agg
	mkdir -p build/fuzz-corpus build/fuzz-corpus-batch
	POR_FUZZ_SEED_DIR=build/fuzz-corpus build/test/por/test_fuzz_inclusion >/dev/null
	build/fuzz_inclusion -max_total_time=$(FUZZ_SECONDS) build/fuzz-corpus
	POR_FUZZ_SEED_DIR=build/fuzz-corpus-batch build/test/por/test_batch_proof >/dev/null
	POR_FUZZ_SEED_DIR=build/fuzz-corpus-batch build/test/por/test_bundle >/dev/null
	build/fuzz_batch_proof -max_total_time=$(FUZZ_SECONDS) -max_len=200000 build/fuzz-corpus-batch
	mkdir -p build/fuzz-corpus-final
	POR_AGG_EXPORT_DIR=build/fuzz-corpus-final build/test/agg/test_agg >/dev/null
	build/fuzz_final_proof -max_total_time=$(FUZZ_SECONDS) -max_len=400000 build/fuzz-corpus-final

install: install-por-verify
install-por-verify: build/por-verify
	$(INSTALL_PROGRAM) build/por-verify '$(DESTDIR)$(bindir)/por-verify'

# C unit tests, plain then under AddressSanitizer + UndefinedBehaviorSanitizer,
# UNIT_JOBS binaries at a time (they share no files; most run on one thread).
UNIT_JOBS ?= 2
unit-check: $(UNIT_BINS) $(SAN_BINS)
	bash scripts/check-layers.sh
	prove -f -j$(UNIT_JOBS) $(UNIT_BINS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 prove -f -j$(UNIT_JOBS) $(SAN_BINS)

# SQL tests (pg_regress for exact output, pgTAP for behaviour) on a running
# server reached through the PG* environment, with the extension installed.
PGTAP_TESTS := $(sort $(wildcard test/pgtap/*.sql))
sql-check:
	$(MAKE) installcheck
	prove -f --exec 'psql -X -A -t -q -v ON_ERROR_STOP=1 -f' $(PGTAP_TESTS)
	prove -f test/cli/*.t

ifneq ($(filter check,$(MAKECMDGOALS)),)
check: unit-check
	$(MAKE) install
	pg_virtualenv -o 'shared_preload_libraries=' sh -c '$(MAKE) sql-check'
endif

demo: all
	bash scripts/demo.sh

# Mutation testing (CI runs it after make check; no database needed):
# MUTATION_ARGS='--only plonk.' runs some, POR_MUTATION_JOBS the parallel builds.
MUTATION_ARGS ?=
mutation:
	python3 test/mutation/run.py $(MUTATION_ARGS)

# every include of src/lib runs downward (the order of src/lib/README.md)
layers:
	@bash scripts/check-layers.sh

.PHONY: keys layers bench fuzz unit-check sql-check demo install-por-verify mutation
