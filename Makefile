# ctrkit: one rule builds every tools/*.c into bin/ against lib/.
#   make            build the tools into bin/
#   make test       install what is missing, build, run the whole suite
#   make demo       a short guided demo
#   make san        build with ASan+UBSan into build-san/ and run the suite on it
#   make test-v2    the VM lane: the tests on Debian's kernel with cgroup v2 only
#   make fuzz       libFuzzer on lib/'s parsers and mkrootfs's readers, into
#                   build-fuzz/, FUZZ_SECONDS (30) each; FUZZ="tar oci" for some
#   make install    PREFIX=/usr/local DESTDIR= : tools and man pages
#   make clean

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror
CPPFLAGS += -D_GNU_SOURCE -Ilib
PREFIX  ?= /usr/local
DESTDIR ?=

TOOLS   := $(patsubst tools/%.c,%,$(wildcard tools/*.c))
LIBSRC  := $(wildcard lib/*.c)
LIBHDR  := lib/ctrkit.h

# OUT is where a build goes: bin/ for the normal one, build-san/bin for
# the sanitizer one. Objects live beside the binaries they make.
OUT     ?= bin
OBJ     := $(OUT)/.obj
LIBOBJ  := $(patsubst lib/%.c,$(OBJ)/%.o,$(LIBSRC))
LIBA    := $(OBJ)/libctrkit.a

all: $(addprefix $(OUT)/,$(TOOLS)) $(OUT)/minictr-config

# Libraries, for the tools that need one.
$(OUT)/mkrootfs: LDLIBS += -larchive -ljson-c -lz -lnettle
$(OUT)/ovlmount: LDLIBS += -larchive
$(OUT)/vethpair: LDLIBS += -lmnl
$(OUT)/portmap: LDLIBS += -lnftables -ljson-c
$(OUT)/capdrop: LDLIBS += -lcap
$(OUT)/sysfilter: LDLIBS += -lseccomp -ljson-c
$(OUT)/lsns-lite: LDLIBS += -lmnl -lsmartcols
$(OUT)/cgset: LDLIBS += -ljson-c
# capdrop and sysfilter run inside the container, after pivotroot has
# made its root: one static file then works in any rootfs (bind-mount
# bin/ into it with pivotroot --volume), as runc's init is runc itself.
# The sanitizer build cannot be static: it passes STATIC= .
STATIC  ?= -static
$(OUT)/capdrop $(OUT)/sysfilter: LDFLAGS += $(STATIC)
# cgset, pivotroot and minictr-config are on every start of a minictr
# container (cgset twice): static, each exec skips the dynamic loader,
# about 1 ms on the machine ctrkit is developed on (scripts/bench rt).
# (nsunshare and nsenter-lite look users up by name through NSS, which
# a static glibc program cannot do safely: they stay dynamic.)
$(OUT)/cgset $(OUT)/pivotroot $(OUT)/minictr-config: LDFLAGS += $(STATIC)

$(OBJ)/%.o: lib/%.c $(LIBHDR) | $(OBJ)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

# One archive: a tool links only the parts of lib/ it calls.
$(LIBA): $(LIBOBJ)
	$(AR) rcs $@ $^

$(OUT)/%: tools/%.c $(LIBA) $(EXTRA_OBJ) $(LIBHDR) | $(OUT)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< $(EXTRA_OBJ) $(LIBA) $(LDFLAGS) $(LDLIBS)

# minictr's reader of config.json: a helper of the script, not a tool.
$(OUT)/minictr-config: scripts/minictr-config.c $(LIBA) $(EXTRA_OBJ) $(LIBHDR) | $(OUT)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< $(EXTRA_OBJ) $(LIBA) $(LDFLAGS) -ljson-c

$(OBJ)/san-options.o: tests/san-options.c | $(OBJ)
	$(CC) $(CFLAGS) $(WARN) -c -o $@ $<

$(OUT) $(OBJ):
	mkdir -p $@

deps:
	@scripts/deps

test: deps all
	@scripts/test

test-v2: deps all
	@scripts/deps vm
	@scripts/vm

demo: deps all
	@scripts/demo

# Sanitizers: a separate tree, so bin/ stays the plain build. A finding
# exits 86, which no tool uses. Leak checks are off for the suite as a
# whole: LeakSanitizer's exit-time tracer is a child process, and after
# unshare(CLONE_NEWPID) or setns(CLONE_NEWPID) that child lands in the
# new pid namespace, cannot see its parent, and the check spins.
# tests/sanitizers.bats runs each tool with leak checks on, where it can.
# The options are compiled in (tests/san-options.c), because a process
# cannot always read its environment through /proc/self.
SANFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
san: deps
	$(MAKE) OUT=build-san/bin CFLAGS="$(SANFLAGS)" LDFLAGS="$(SANFLAGS)" STATIC= \
		EXTRA_OBJ=build-san/bin/.obj/san-options.o
	@CTRKIT_BIN=$(CURDIR)/build-san/bin CTRKIT_SAN=1 scripts/test

# Fuzzing (tests/fuzz/): clang's libFuzzer with ASan and UBSan, one
# harness per reader: lib/'s parsers, mkrootfs's tar, layer and OCI
# readers (the harness includes tools/mkrootfs.c), and sysfilter's OCI
# seccomp profiles (it includes tools/sysfilter.c). die() calls exit(),
# which --wrap=exit turns into a jump back to the harness. The seeds of
# the archive harnesses are made by tests/fuzz/mkseeds with tests/mktar.c.
FUZZ_SECONDS ?= 30
FUZZ      ?= parse tar layer oci seccomp
FUZZFLAGS := -O1 -g -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZSRC   := tests/fuzz/fuzz.c tests/fuzz/fuzz.h $(LIBSRC) $(LIBHDR)

fuzz: deps $(addprefix build-fuzz/fuzz-,$(FUZZ)) build-fuzz/seeds/.made
	@tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ)

build-fuzz/fuzz-%: tests/fuzz/%.c $(FUZZSRC)
	@mkdir -p build-fuzz
	clang $(CPPFLAGS) $(FUZZFLAGS) $(WARN) -Wl,--wrap=exit -o $@ $< tests/fuzz/fuzz.c $(LIBSRC) \
		-larchive -ljson-c -lz -lnettle -lseccomp
build-fuzz/fuzz-tar build-fuzz/fuzz-layer build-fuzz/fuzz-oci: tests/fuzz/tar.c tools/mkrootfs.c
build-fuzz/fuzz-seccomp: tools/sysfilter.c

build-fuzz/seeds/.made: tests/fuzz/mkseeds tests/mktar.c
	@mkdir -p build-fuzz
	$(CC) $(CFLAGS) -o build-fuzz/mktar tests/mktar.c -larchive
	tests/fuzz/mkseeds build-fuzz/mktar build-fuzz/seeds
	@touch $@

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(addprefix $(OUT)/,$(TOOLS)) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(wildcard tools/*.1) $(DESTDIR)$(PREFIX)/share/man/man1/
	# the runtime: the script, the file it sources, its man page
	install -m 755 scripts/minictr $(DESTDIR)$(PREFIX)/bin/minictr
	install -m 755 $(OUT)/minictr-config $(DESTDIR)$(PREFIX)/bin/minictr-config
	install -m 644 scripts/minictr-learner $(DESTDIR)$(PREFIX)/bin/minictr-learner
	install -m 644 scripts/minictr.1 $(DESTDIR)$(PREFIX)/share/man/man1/

clean:
	rm -rf bin build-san build-vm build-fuzz

.PHONY: all deps test test-v2 demo san fuzz install clean
.SECONDARY:
