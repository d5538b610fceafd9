# kefu — see README.md. `make run` and `make test` do all set-up on Debian 12.

PKGS := libmicrohttpd sqlite3 jansson libsodium libre spandsp xlsxwriter libpcre2-8 opencc libutf8proc libcmark libzip expat gmime-3.0 libcurl gnutls libsystemd
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
# libre (SIP, src/sip/) was built with these; its headers fall back to
# their own integer and bool types without them.
RE_DEFS := -DHAVE_INTTYPES_H -DHAVE_STDBOOL_H -DHAVE_INET6
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -Isrc -Itests $(WARN) $(RE_DEFS)
# The C maths library: the in-band DTMF detector's levels (src/media/inband.c).
SYSLIBS := -lm -lpthread

# Two builds from the same sources: the release build with gcc, and the
# test build with clang under AddressSanitizer + UndefinedBehaviorSanitizer,
# so every change is compiled clean by both compilers.
CC := gcc
CFLAGS := -O2 -g
ASAN_CC := clang
ASAN_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
# The fuzzing build (make fuzz, docs/fuzzing.md): the library instrumented
# for libFuzzer's coverage feedback as well as under ASan and UBSan.
FUZZ_CC := clang
FUZZ_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all

LIB_SRC := $(filter-out src/kefu.c,$(sort $(wildcard src/*/*.c)))
TEST_SRC := $(sort $(wildcard tests/*/test_*.c))
GEN_SRC := gen/openapi.c

.PHONY: all asan run test check bench crash-test soak deps clean fmt web screenshots install deb fuzz fuzz-build

all: build/kefu web/dist/index.html build/prompts/.stamp

# The IVR's prompts (CALL-1, CALL-3), spoken by espeak-ng's Mandarin voice
# and turned into 8 kHz WAV by sox, from the texts in etc/prompts.txt (see
# docs/media.md). A center's own recordings replace them.
build/prompts/.stamp: etc/prompts.txt mk/prompts.sh mk/prompt-voice.sh | deps-ok
	sh mk/prompts.sh build/prompts
	@touch $@

# The web workbench (web/): npm ci from the committed lockfile whenever it
# changes, then Vite builds web/dist, which kefu serves (web_root). Big
# scripts and styles get a gzip copy beside them (see src/http/static.c).
WEB_SRC := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.js

web: web/dist/index.html

web/node_modules/.package-lock.json: web/package-lock.json web/package.json | deps-ok
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SRC)
	cd web && npx vite build --logLevel warn
	find web/dist/assets -type f \( -name '*.js' -o -name '*.css' \) -size +1k -exec gzip -9 -k -f {} +
	@touch $@

deps:
	@sh mk/deps.sh

# $(1): build dir, $(2): compiler, $(3): extra flags
define build_rules
$(1)/obj/%.o: %.c | deps-ok
	@mkdir -p $$(dir $$@)
	$(2) $(BASE_CFLAGS) $(3) $$$$(pkg-config --cflags $(PKGS)) -MMD -MP -c $$< -o $$@

$(1)/obj/gen/openapi.o: $(1)/gen/openapi.c
	@mkdir -p $$(dir $$@)
	$(2) -std=c11 $(3) -c $$< -o $$@

$(1)/gen/openapi.c: docs/openapi.json mk/embed.sh
	@mkdir -p $$(dir $$@)
	sh mk/embed.sh kefu_openapi_json $$< > $$@

# QA-3's forbidden phrases, seeded as rules (src/qa/qa_seed.c).
$(1)/obj/gen/qa_phrases.o: $(1)/gen/qa_phrases.c
	@mkdir -p $$(dir $$@)
	$(2) -std=c11 $(3) -c $$< -o $$@

$(1)/gen/qa_phrases.c: src/qa/forbidden-phrases.tsv mk/embed.sh
	@mkdir -p $$(dir $$@)
	sh mk/embed.sh kefu_qa_phrases_tsv $$< > $$@

# The knowledge base's pinyin initials (tk → 退款), from the Unihan database.
$(1)/obj/gen/kb_pinyin.o: $(1)/gen/kb_pinyin.c
	@mkdir -p $$(dir $$@)
	$(2) -std=c11 $(3) -c $$< -o $$@

$(1)/gen/kb_pinyin.c: mk/pinyin.sh | deps-ok
	@mkdir -p $$(dir $$@)
	sh mk/pinyin.sh /usr/share/unicode/Unihan_Readings.txt.bz2 > $$@.tmp && mv $$@.tmp $$@

# The scripts transcribed from the rulebooks (WO-10), seeded by src/kb/kb_seed_store.c.
$(1)/obj/gen/kb_scripts.o: $(1)/gen/kb_scripts.c
	@mkdir -p $$(dir $$@)
	$(2) -std=c11 $(3) -c $$< -o $$@

$(1)/gen/kb_scripts.c: src/kb/kb-scripts.md mk/embed.sh
	@mkdir -p $$(dir $$@)
	sh mk/embed.sh kefu_kb_scripts_md $$< > $$@

# Each migration's one-line description, from its comment (kefu migrate --dry-run).
$(1)/obj/gen/migration_notes.o: $(1)/gen/migration_notes.c
	@mkdir -p $$(dir $$@)
	$(2) -std=c11 $(3) -c $$< -o $$@

$(1)/gen/migration_notes.c: src/store/migrations.c mk/migration-notes.sh
	@mkdir -p $$(dir $$@)
	sh mk/migration-notes.sh $$< > $$@.tmp && mv $$@.tmp $$@

$(1)/libkefu.a: $(patsubst %.c,$(1)/obj/%.o,$(LIB_SRC)) $(1)/obj/gen/openapi.o $(1)/obj/gen/qa_phrases.o $(1)/obj/gen/kb_pinyin.o $(1)/obj/gen/kb_scripts.o $(1)/obj/gen/migration_notes.o
	ar rcs $$@ $$^

$(1)/kefu: $(1)/obj/src/kefu.o $(1)/libkefu.a
	$(2) $(3) -o $$@ $$^ $$$$(pkg-config --libs $(PKGS)) $(SYSLIBS)

$(1)/tests/%: $(1)/obj/tests/%.o $(1)/libkefu.a
	@mkdir -p $$(dir $$@)
	$(2) $(3) -o $$@ $$^ $$$$(pkg-config --libs $(PKGS) cmocka) $(SYSLIBS)

-include $$(wildcard $(1)/obj/*/*.d $(1)/obj/*/*/*.d)
endef

$(eval $(call build_rules,build,$(CC),$(CFLAGS)))
$(eval $(call build_rules,build-asan,$(ASAN_CC),$(ASAN_CFLAGS)))
$(eval $(call build_rules,build-fuzz,$(FUZZ_CC),$(FUZZ_CFLAGS)))

# The fuzz targets (tests/fuzz/fuzz_NAME.c, docs/fuzzing.md). Each is linked
# twice: with libFuzzer for `make fuzz`, and with our own replay driver
# (tests/fuzz/replay.c) as BUILD/tests/fuzz/test_fuzz_NAME, a unit test that
# feeds every file of tests/fuzz/corpus/NAME/ to the target once.
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_SECONDS ?= 300
TEST_BINS = $(patsubst tests/%.c,%,$(TEST_SRC)) $(addprefix fuzz/test_fuzz_,$(FUZZ_NAMES))

# $(1): build dir, $(2): compiler, $(3): flags
define fuzz_replay_rule
$(1)/tests/fuzz/test_fuzz_%: $(1)/obj/tests/fuzz/fuzz_%.o $(1)/obj/tests/fuzz/replay.o $(1)/libkefu.a
	@mkdir -p $$(dir $$@)
	$(2) $(3) -o $$@ $$^ $$$$(pkg-config --libs $(PKGS)) $(SYSLIBS)
endef
$(eval $(call fuzz_replay_rule,build,$(CC),$(CFLAGS)))
$(eval $(call fuzz_replay_rule,build-asan,$(ASAN_CC),$(ASAN_CFLAGS)))

build-fuzz/fuzz/fuzz_%: build-fuzz/obj/tests/fuzz/fuzz_%.o build-fuzz/libkefu.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $$(pkg-config --libs $(PKGS)) $(SYSLIBS)

# Kept between builds (make would delete them as intermediate files).
.SECONDARY: $(foreach b,build build-asan build-fuzz,$(b)/obj/tests/fuzz/replay.o \
	$(patsubst %,$(b)/obj/tests/fuzz/fuzz_%.o,$(FUZZ_NAMES)))

fuzz-build: $(addprefix build-fuzz/fuzz/fuzz_,$(FUZZ_NAMES))

# Runs every target for FUZZ_SECONDS over a copy of its seed corpus
# (mk/fuzz.sh); fails when any target finds a crash, leak or hang.
fuzz: deps
	@$(MAKE) --no-print-directory -j2 fuzz-build
	@sh mk/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)

# A marker so the compile rules wait for the packages without re-running apt each time.
.PHONY: deps-ok
deps-ok:
	@sh mk/deps.sh

asan: build-asan/kefu $(addprefix build-asan/tests/,$(TEST_BINS))

units: build/kefu $(addprefix build/tests/,$(TEST_BINS))

# Builds both, then runs the unit tests and the API tests against both.
test: deps
	@$(MAKE) --no-print-directory build/prompts/.stamp
	@$(MAKE) --no-print-directory -j2 units asan
	@$(MAKE) --no-print-directory web
	@python3 tests/run.py build build-asan

check: test

# Installs kefu on a server (docs/operations.md): the binary, the workbench,
# the prompts and the announcement script under PREFIX, the configuration in
# SYSCONFDIR/kefu (never over an operator's own: an upgrade keeps it), and
# the systemd unit. The paths in both point at the installed tree and at
# STATEDIR for the data. DESTDIR stages the whole tree elsewhere (packages,
# tests/api/test_install.py).
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
STATEDIR ?= /var/lib/kefu
SYSTEMDDIR ?= /lib/systemd/system
SHAREDIR = $(PREFIX)/share/kefu

install: build/kefu web/dist/index.html build/prompts/.stamp
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(SHAREDIR)/mk $(DESTDIR)$(SYSCONFDIR)/kefu $(DESTDIR)$(SYSTEMDDIR)
	install -m 755 build/kefu $(DESTDIR)$(PREFIX)/bin/kefu
	rm -rf $(DESTDIR)$(SHAREDIR)/web $(DESTDIR)$(SHAREDIR)/prompts
	cp -R web/dist $(DESTDIR)$(SHAREDIR)/web
	install -d $(DESTDIR)$(SHAREDIR)/prompts
	install -m 644 build/prompts/*.wav $(DESTDIR)$(SHAREDIR)/prompts/
	install -m 755 mk/say.sh $(DESTDIR)$(SHAREDIR)/mk/say.sh
	install -m 644 mk/prompt-voice.sh $(DESTDIR)$(SHAREDIR)/mk/prompt-voice.sh
	@if [ -f $(DESTDIR)$(SYSCONFDIR)/kefu/kefu.conf ]; then \
		echo "kefu: keeping $(DESTDIR)$(SYSCONFDIR)/kefu/kefu.conf; the new defaults are in kefu.conf.new"; \
		conf=kefu.conf.new; else conf=kefu.conf; fi; \
	sed -e 's|^db = .*|db = $(STATEDIR)/kefu.db|' \
	    -e 's|^web_root = .*|web_root = $(SHAREDIR)/web|' \
	    -e 's|^prompts_dir = .*|prompts_dir = $(SHAREDIR)/prompts|' \
	    -e 's|^notice_say = .*|notice_say = $(SHAREDIR)/mk/say.sh|' \
	    -e 's|^recordings_dir = .*|recordings_dir = $(STATEDIR)/recordings|' \
	    -e 's|^attachments_dir = .*|attachments_dir = $(STATEDIR)/attachments|' \
	    etc/kefu.conf > $(DESTDIR)$(SYSCONFDIR)/kefu/$$conf; \
	chmod 640 $(DESTDIR)$(SYSCONFDIR)/kefu/$$conf
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@STATEDIR@|$(STATEDIR)|g' \
	    etc/kefu.service.in > $(DESTDIR)$(SYSTEMDDIR)/kefu.service
	chmod 644 $(DESTDIR)$(SYSTEMDDIR)/kefu.service

# The Debian package build/kefu_<version>_<arch>.deb: the same tree as
# make install (PREFIX=/usr), with the user kefu, /var/lib/kefu and the
# database made by its postinst (mk/deb.sh, mk/debian/; docs/operations.md).
deb: build/kefu web/dist/index.html build/prompts/.stamp
	@MAKE="$(MAKE)" sh mk/deb.sh

# Creates the demo center on first run, then serves it.
run: deps
	@$(MAKE) --no-print-directory -j2 build/kefu build/prompts/.stamp
	@$(MAKE) --no-print-directory web
	@mkdir -p var
	@if [ ! -f var/kefu.db ]; then \
		umask 077; ./build/kefu init --demo --db var/kefu.db > var/first-passwords.txt && \
		echo "kefu: created the demo center; first passwords are in var/first-passwords.txt"; \
	fi
	@echo "kefu: open http://127.0.0.1:8080/ (admin and manager 8001: see var/first-passwords.txt)"
	./build/kefu serve --db var/kefu.db --listen 127.0.0.1:8080

bench: deps
	@$(MAKE) --no-print-directory -j2 build/kefu build/bench/seed build/bench/rtpsink build/bench/roster build/bench/qa build/bench/kb build/bench/mail build/bench/perf build/bench/report build/bench/report_calls build/bench/report_agents build/prompts/.stamp
	@$(MAKE) --no-print-directory web
	@./build/bench/roster
	@./build/bench/qa
	@./build/bench/kb
	@./build/bench/mail
	@./build/bench/perf
	@./build/bench/report
	@./build/bench/report_calls
	@./build/bench/report_agents
	@sh bench/run.sh
	@sh bench/orders.sh
	@node bench/web.mjs
	@sh bench/calls.sh
	@sh bench/out.sh
	@python3 bench/chat.py
	@python3 bench/crash.py
	@python3 bench/slow.py
	@python3 bench/soak.py

# Issue 21: kefu killed with SIGKILL under a write load, CRASH_CYCLES times
# (default 1000): no acknowledged write lost, `kefu check` clean, the
# scheduler firing nothing twice (bench/crash.py).
crash-test: deps
	@$(MAKE) --no-print-directory build/kefu
	@python3 bench/crash.py

# Issue 21: an hour (SOAK_SECONDS, default 3600) of mixed load (API, event
# streams, hotline calls): RSS growth at most 5 %, no descriptor or thread
# leak, the probe's latency flat (bench/soak.py).
soak: deps
	@$(MAKE) --no-print-directory build/kefu build/bench/rtpsink build/prompts/.stamp
	@python3 bench/soak.py

fmt:
	clang-format -i $(LIB_SRC) src/kefu.c $(wildcard src/*/*.h) $(TEST_SRC) $(wildcard tests/*/*.h)

# Runs the browser tests and keeps their screenshots in docs/screenshots/.
screenshots: deps
	@$(MAKE) --no-print-directory build/kefu web
	KEFU_SCREENSHOTS=docs/screenshots node --test --test-reporter=spec --test-concurrency=1 tests/web/test_*.mjs

clean:
	rm -rf build build-asan build-fuzz web/dist

# Each benchmark is one C program over the library; bench/rand.h is their
# shared generator.
build/bench/%: bench/%.c build/libkefu.a
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $$(pkg-config --cflags $(PKGS)) -o $@ $^ $$(pkg-config --libs $(PKGS)) $(SYSLIBS)
