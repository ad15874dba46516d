# hull: build, demo and test. `make build` only checks that the build's
# packages are there and says which are missing; every other target
# installs what it needs first (scripts/install-deps.sh is idempotent and
# quick when nothing is missing).

SHELL     := /bin/bash
GO        ?= go
# urfave_cli_no_docs leaves out urfave/cli's man-page generator (blackfriday),
# whose package init costs every hull start-up ~0.7 ms; osusergo reads
# /etc/passwd for the owner in state and list instead of going through NSS,
# and netgo resolves names in Go: neither needs glibc's NSS modules, which a
# static binary cannot load.
TAGS      := seccomp,urfave_cli_no_docs,osusergo,netgo
VERSION   := $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1.0-dev)
LDFLAGS   := -X github.com/hullrt/hull/cmd/hull/app.version=$(VERSION)
# hull is linked statically (glibc's libc.a and libseccomp.a, from libc6-dev
# and libseccomp-dev), as runc's release binaries are: hull and each
# container's `hull init` (the same binary) start without the dynamic loader
# mapping and relocating libc and libseccomp. Measured interleaved against
# the dynamic build: `hull --version` 0.7 ms faster, a foreground `run` 1.4 ms.
# `make build STATIC=` links dynamically.
STATIC    ?= -extldflags -static
HULL      := $(CURDIR)/bin/hull
# The unit tests: the product and the test tools (bench, VM, harness parts).
PKGS_UNIT := ./spec/... ./linux/... ./cmd/... ./tests/bench ./tests/internal/... ./tests/vm/...

.PHONY: all build deps demo test unit integration vet fuzz clean docs install uninstall

all: build

deps:
	@./scripts/install-deps.sh

build:
	@./scripts/install-deps.sh --check build
	CGO_ENABLED=1 $(GO) build -tags $(TAGS) -trimpath -ldflags '$(LDFLAGS) $(STATIC)' -o $(HULL) ./cmd/hull

# Man pages (hull(8), hull-<command>(8)) and bash, zsh and fish completion,
# written by cmd/hull-docs from the command definitions in cmd/hull/app, so
# that they list exactly the commands and flags of this build. The
# generator writes its own roff rather than calling urfave/cli's ToMan, so
# it is built with hull's tags (urfave_cli_no_docs included): it reads the
# definitions as the binary has them. The pages' date is the last commit's,
# so two builds of one commit write the same files.
DOCS      := $(CURDIR)/bin/docs
DOCSGEN   := $(CURDIR)/bin/hull-docs
DOCS_DATE := $(shell git log -1 --format=%cs 2>/dev/null)
docs:
	@./scripts/install-deps.sh --check build
	CGO_ENABLED=1 $(GO) build -tags $(TAGS) -trimpath -ldflags '$(LDFLAGS)' -o $(DOCSGEN) ./cmd/hull-docs
	$(DOCSGEN) -o $(DOCS) -date '$(DOCS_DATE)'

# `make install PREFIX=/usr/local DESTDIR=` (DESTDIR for packaging).
# sbin, like runc's own Makefile and Debian's /usr/sbin/runc: hull is a
# system administration tool whose pages are in section 8. zsh's
# completion goes to site-functions, which zsh's default $fpath has under
# its own prefix and Debian's zsh has for /usr/local; a Debian package
# (PREFIX=/usr) sets ZSHCOMPDIR=/usr/share/zsh/vendor-completions. bash
# (bash-completion 2) and fish (vendor_completions.d) find theirs under
# the XDG data directories, /usr/local/share included.
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/sbin
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
install: build docs
	install -D -m 0755 $(HULL) $(DESTDIR)$(BINDIR)/hull
	install -d -m 0755 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 $(DOCS)/man/man8/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -D -m 0644 $(DOCS)/completion/hull.bash $(DESTDIR)$(BASHCOMPDIR)/hull
	install -D -m 0644 $(DOCS)/completion/_hull $(DESTDIR)$(ZSHCOMPDIR)/_hull
	install -D -m 0644 $(DOCS)/completion/hull.fish $(DESTDIR)$(FISHCOMPDIR)/hull.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/hull $(DESTDIR)$(MANDIR)/man8/hull.8 $(DESTDIR)$(MANDIR)/man8/hull-*.8 \
		$(DESTDIR)$(BASHCOMPDIR)/hull $(DESTDIR)$(ZSHCOMPDIR)/_hull $(DESTDIR)$(FISHCOMPDIR)/hull.fish

# Builds hull, makes a busybox bundle with `hull spec` and runs a
# container that shows it is isolated. Leaves nothing behind.
demo: deps build
	@./scripts/demo.sh $(HULL)

# The whole suite, as CI runs it: unit tests, real containers, the real
# engines (containerd, podman), the OCI validation suite, and the
# integration and end-to-end suites again on a cgroup v2 host with
# systemd as PID 1 (vm-test).
test: deps build tidy vet unit integration conformance e2e vm-test

# go.mod and go.sum must be what `go mod tidy` makes of the imports.
.PHONY: tidy
tidy:
	@$(GO) mod tidy -diff >/dev/null || { echo "go.mod/go.sum are not tidy; run 'go mod tidy'" >&2; $(GO) mod tidy -diff; exit 1; }

vet: deps
	$(GO) vet -tags $(TAGS) ./...

# The shells and groff check the generated completion scripts and man
# pages (cmd/hull-docs); its tests also run `make install` into a
# temporary DESTDIR.
DOCS_DEPS := zsh:/usr/bin/zsh fish:/usr/bin/fish groff-base:/usr/bin/groff
unit: deps
	@./scripts/install-deps.sh $(DOCS_DEPS)
	$(GO) test -tags $(TAGS) -count=1 $(PKGS_UNIT)

# Real containers; needs root. testsum prints every failure's output, every
# skip's reason and "integration: N passed, N failed, N skipped". The
# comparisons with runc (tests/parity_test.go) run the reference runc that
# scripts/install-runc-ref.sh builds once from go.mod's runc version.
integration: deps build
	set -o pipefail; runc_ref=$$(./scripts/install-runc-ref.sh) || exit 1; \
	HULL_BINARY=$(HULL) HULL_RUNC_REF=$$runc_ref $(GO) test -json -tags $(TAGS) -count=1 -timeout 15m ./tests/... \
		| $(GO) run ./tests/internal/testsum integration

# Short fuzzing of every parser; `make fuzz FUZZTIME=5m` for longer runs.
FUZZTIME ?= 20s
fuzz: deps
	@for t in $$($(GO) test -tags $(TAGS) -list 'Fuzz.*' ./spec/ | grep '^Fuzz'); do \
		echo "fuzz $$t"; \
		$(GO) test -tags $(TAGS) -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./spec/ || exit 1; \
	done

clean:
	rm -rf bin

# End-to-end tests: containerd (runc v2 shim, ctr) and podman drive bin/hull.
# Needs root; scripts/install-deps.sh e2e installs the engines when missing.
# E2E_RUN=Containerd limits the run; HULL_E2E_DEBUG=1 runs hull with --debug.
# crictl, for the CRI test, is built once by scripts/install-crictl.sh.
.PHONY: e2e
E2E_RUN ?= .
e2e: deps build
	@./scripts/install-deps.sh e2e
	crictl=$$(./scripts/install-crictl.sh) && \
	HULL_CRICTL=$$crictl HULL_BINARY=$(HULL) $(GO) test -tags 'e2e,$(TAGS)' -count=1 -timeout 9m -v -run '$(E2E_RUN)' ./tests/e2e/

# The integration and end-to-end suites on a cgroup v2 host with systemd
# as PID 1: a Debian VM under qemu (tests/vm; software emulation when
# there is no KVM). The image is built once into /var/cache/hull-vm.
# VM_PARTS=integration or e2e runs one suite, VM_RUN=TestX limits the
# tests.
.PHONY: vm-test
vm-test: deps build
	@./scripts/install-deps.sh vm
	./tests/vm/vm-test.sh $(HULL)

# OCI runtime-tools v0.9.0 validation suite against bin/hull; needs root.
# Fails on any failure not in tests/conformance/expected-failures.txt.
# The suite is built once into /var/cache/hull-conformance (see the script).
.PHONY: conformance
conformance: deps build
	./scripts/conformance.sh $(CONFORMANCE_FLAGS)

# hull against runc, interleaved in one run; prints medians and p90 per
# scenario, hull's phases (from --timings) next to them, and asserts
# nothing. BENCH_ROUNDS=50 for steadier numbers. BENCH_MEM=1 adds the
# memory figures: peak RSS of run and of the container's init, and the
# smallest memory limit a container runs under. BENCH_TRACE=1 adds the
# kernel's view of `run` for both (tracefs events): which part of
# libcontainer's start costs what. The runc is the reference
# one (go.mod's runc version, the same libcontainer, built once by
# scripts/install-runc-ref.sh); BENCH_RUNC=/path/to/runc compares with
# another, e.g. BENCH_RUNC=/usr/sbin/runc for Debian's.
.PHONY: bench
BENCH_ROUNDS ?= 20
BENCH_RUNC ?=
BENCH_MEM ?=
BENCH_TRACE ?=
bench: deps build
	runc='$(BENCH_RUNC)'; runc=$${runc:-$$(./scripts/install-runc-ref.sh)} || exit 1; \
	$(GO) run ./tests/bench -hull $(HULL) -runc "$$runc" -n $(BENCH_ROUNDS) $(if $(BENCH_MEM),-mem) $(if $(BENCH_TRACE),-trace)
