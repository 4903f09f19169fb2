# Framecast: `make run` starts it, `make test` proves it. Both install what is
# missing first (Debian/Ubuntu packages, the Wails CLI, npm packages), and are
# quick when everything is there.

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
.DEFAULT_GOAL := run

# Go 1.26.10 fixes standard-library vulnerabilities this code reaches
# (make vulncheck); the Go module proxy serves the toolchain and go fetches
# it once. A go.mod toolchain line alone is ignored here, so it is exported.
export GOTOOLCHAIN := go1.26.10

GO        ?= go
GOBIN     := $(shell $(GO) env GOPATH)/bin
WAILS_VER := v2.11.0
BIN       := build/bin/framecast
export PATH := $(GOBIN):$(PATH)

# Debian 12 names; the OpenCV here (4.6) is the one gocv v0.31.0 builds with.
# python3-opencv and python3-websockets run the old setup's producer in e2e
# and, with numpy, the Python client (python/), tested with pytest in a venv;
# libopenh264-dev is the H.264 encoder (backend/encode), ffmpeg's ffprobe
# checks what it makes.
APT_PKGS := build-essential pkg-config libopencv-dev libwebkit2gtk-4.0-dev libgtk-3-dev \
            chromium xvfb xauth xdotool imagemagick python3-opencv python3-websockets \
            python3-numpy python3-pytest python3-venv python3-setuptools \
            libopenh264-dev ffmpeg gstreamer1.0-libav gstreamer1.0-plugins-bad
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# What `framecast --version` says: the nearest tag (or "dev"), and the commit.
VERSION ?= $(shell git describe --tags --abbrev=0 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null)$(shell git diff --quiet HEAD 2>/dev/null || echo -modified)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT)

GO_SRC := $(shell find . -name '*.go' -not -path './frontend/*') go.mod go.sum
FE_SRC := $(shell find frontend -path frontend/node_modules -prune -o -path frontend/dist -prune -o -type f -print)

.PHONY: deps deps-apt deps-wails deps-npm build relay run generate test vulncheck test-go test-frontend test-e2e test-python bench bench-chromium bench-grid bench-relay fuzz soak test-soak lint clean

deps: deps-apt deps-wails deps-npm

deps-apt:
	@missing=$$(for p in $(APT_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

deps-wails:
	@if ! wails version 2>/dev/null | grep -q '$(WAILS_VER)'; then \
		echo "installing the wails CLI $(WAILS_VER)"; \
		$(GO) install github.com/wailsapp/wails/v2/cmd/wails@$(WAILS_VER); \
	fi

deps-npm: frontend/node_modules/.installed

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

frontend/dist/index.html: frontend/node_modules/.installed $(FE_SRC)
	cd frontend && npm run build

build: deps $(BIN)

# wails build compiles with the desktop,production tags the window needs; the
# frontend is built above, and Wails' bindings are not generated (the UI
# calls window.go.app.App through backend.ts, typed by make generate).
$(BIN): frontend/dist/index.html $(GO_SRC) build/appicon.png wails.json
	wails build -s -skipbindings -m -nosyncgomod -ldflags "$(LDFLAGS)"

# The relay alone, for a public server: one static file, no OpenCV, no
# WebKit (cmd/framecast-relay). Copy build/bin/framecast-relay anywhere.
relay: deps-npm frontend/dist/index.html
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o build/bin/framecast-relay ./cmd/framecast-relay
	@file build/bin/framecast-relay 2>/dev/null || true

# The desktop app where there is a display, the headless server where not.
run: build
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then ./$(BIN); else \
		echo "no display: starting the headless server instead"; ./$(BIN) serve --source test; fi

test: build lint vulncheck test-go test-soak test-frontend test-e2e test-python

# The desktop window's contract with Go, written from the Go code:
# frontend/src/desktop/generated.ts (bound methods, their types, events,
# resolution presets) and frontend/e2e/desktop-contract.json (the same facts
# for the e2e fake). Run it after changing any of them and commit the result:
# test-go fails while they are stale (cmd/tsgen's test), and the frontend
# build type-checks the UI and the e2e fake bindings against them.
generate:
	$(GO) run ./cmd/tsgen

# govulncheck against a vulnerability database built from the
# golang.org/x/vulndb module (vuln.go.dev cannot be reached here): it fails
# on any known vulnerability the code can reach.
VULN_VER   := v1.9.0
VULNDB_VER := v0.0.0-20261105234957-e22db6528018
VULNDB     := build/vulndb-$(VULNDB_VER)
vulncheck: frontend/dist/index.html $(VULNDB)/index/db.json
	$(GO) run golang.org/x/vuln/cmd/govulncheck@$(VULN_VER) -db file://$(CURDIR)/$(VULNDB) ./...

$(VULNDB)/index/db.json:
	@src=$$($(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VER) | sed -n 's/^\t"Dir": "\(.*\)",$$/\1/p'); \
	test -d "$$src/data/osv" || { echo "golang.org/x/vulndb@$(VULNDB_VER) has no data/osv"; exit 1; }; \
	echo "building the vulnerability database from $$src"; \
	rm -rf $(VULNDB) && $(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VER) -vulns "$$src/data/osv" -out $(VULNDB)

GOLANGCI_VER := v2.15.0
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@if ! golangci-lint version 2>/dev/null | grep -q "$(GOLANGCI_VER:v%=%)"; then \
		echo "installing golangci-lint $(GOLANGCI_VER) from the Go module proxy"; \
		$(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VER); \
	fi
	golangci-lint run ./...

# -tags matprofile makes gocv count Mats, so tests fail on a leak.
# Go tests need frontend/dist only because main.go embeds it.
test-go:
	$(GO) test -race -tags matprofile -count=1 ./...

# 60 s, 50 viewers, the processing chain on; memory must not grow.
# make soak runs it for SOAK (an hour by default).
SOAK ?= 1h
test-soak:
	FRAMECAST_SOAK=60s $(GO) test -tags soak,matprofile -count=1 -run Soak -v ./backend/soak | grep -E '^(---|ok|FAIL)|soak_test'

soak:
	FRAMECAST_SOAK=$(SOAK) $(GO) test -tags soak,matprofile -count=1 -run Soak -timeout 0 -v ./backend/soak

# The Python client (python/), installed offline as its README says into a
# venv over Debian's OpenCV, numpy and websockets, against the binary.
PYTHON ?= /usr/bin/python3
PYVENV := build/pyvenv
test-python: deps-apt $(BIN)
	rm -rf $(PYVENV) && $(PYTHON) -m venv --system-site-packages $(PYVENV)
	$(PYVENV)/bin/pip install -q --no-build-isolation --no-index ./python
	FRAMECAST_BIN=$(CURDIR)/$(BIN) $(PYVENV)/bin/python -m pytest -q python/tests

test-frontend:
	cd frontend && npm test

# The viewer in headless Chromium, and the desktop app under Xvfb; both save
# screenshots in build/e2e/. E2E_CACHE, when set, is the XDG_CACHE_HOME they
# run with: .ci/run gives them an empty one, as on a new machine (Mesa's
# shader cache lives there), and leaves Go's and golangci-lint's caches warm.
E2E_CACHE ?=
test-e2e:
	cd frontend && $(if $(E2E_CACHE),XDG_CACHE_HOME=$(E2E_CACHE)) FRAMECAST_BIN=$(CURDIR)/$(BIN) npm run e2e

bench: build
	./$(BIN) bench

# The viewer page in Chromium, JPEG against H.264: capture → drawn latency and
# a joiner's first picture (frontend/e2e/bench-chromium.mjs).
bench-chromium: build
	cd frontend && FRAMECAST_BIN=$(CURDIR)/$(BIN) node e2e/bench-chromium.mjs

# The grid page of 4 streams in Chromium at 1440×900: each tile's frames a
# second, rendition and bytes, JPEG and H.264 (frontend/e2e/bench-grid.mjs).
bench-grid: build
	cd frontend && FRAMECAST_BIN=$(CURDIR)/$(BIN) node e2e/bench-grid.mjs

# The static relay (what a server runs) against the old Node.js ws broadcast
# relay, same frames. RELAY_BINS adds builds to compare in the same run.
RELAY_BINS ?=
bench-relay: build relay backend/bench/node-relay/node_modules/.installed
	./$(BIN) bench --relay --relay-bin build/bin/framecast-relay$(if $(RELAY_BINS),$(comma)$(RELAY_BINS)) --scenarios 50/5,200/0
comma := ,

backend/bench/node-relay/node_modules/.installed: backend/bench/node-relay/package.json backend/bench/node-relay/package-lock.json
	cd backend/bench/node-relay && npm ci --no-audit --no-fund
	@touch $@

# Each fuzz target for FUZZTIME (make test runs only their seed corpora).
FUZZTIME ?= 60s
FUZZ_TARGETS := protocol:FuzzDecodeFrame ingest:FuzzParse relay:FuzzProducerMessages source:FuzzParseSpec config:FuzzLoad server:FuzzRecordingQuery
fuzz: frontend/dist/index.html
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzzing $$fn in backend/$$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) ./backend/$$pkg || exit 1; done

clean:
	rm -rf build/bin build/e2e frontend/dist
