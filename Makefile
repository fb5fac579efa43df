# uppsikt — the two commands a new user needs are `make run` and `make test`.

GO       ?= go
BIN      := bin/uppsikt
# FTS5 full-text search is compiled into SQLite with this tag. A plain `go build` or
# `go install` without it works too: search then reads every comment's text (slower on a
# large archive; archive/sqlite/doc.go). `make test` tests the store in both builds.
export GOFLAGS := -tags=sqlite_fts5 -buildvcs=false

.PHONY: all build run test deps vet check-imports bench bench-store bench-workers bench-snapshot eval model fuzz chaos clean deb nfpm versitygw

# The version "uppsikt version" prints: -buildvcs=false leaves no VCS stamp in
# the binary, so git describe and the revision are stamped with -ldflags.
DESCRIBE := $(shell git describe --tags --always --dirty 2>/dev/null || echo unknown)
REVISION := $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS  := -X 'main.buildStamp=$(DESCRIBE) $(REVISION)'
# nfpm builds the Debian package (never @latest: the module proxy is filtered).
NFPM_VERSION := v2.48.0
# versitygw is the S3 server the tests of the S3 evidence store run on loopback (Apache-2.0).
VERSITYGW_VERSION := v1.8.0

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/uppsikt

## run: the demo — platform emulator in live mode, the service polling it, the web page on :8080
run: build
	./$(BIN) demo

## test: install what the tests need (Chromium, fonts, poppler, Ghostscript, PostgreSQL), then run everything,
## then a short chaos campaign (three kills of serve; about three minutes)
test: deps check-imports vet
	$(GO) test -count=1 -timeout 30m ./...
	GOFLAGS=-buildvcs=false $(GO) test -count=1 ./archive/sqlite ./moderation/...
	$(MAKE) --no-print-directory chaos KILLS=3

deps:
	./scripts/install-deps.sh

vet:
	$(GO) vet ./...

## check-imports: only cmd may import across the top-level folders
check-imports:
	$(GO) run ./scripts/checkimports

bench: versitygw
	$(GO) test -run='^$$' -bench=. -benchmem ./...

## bench-store: the pipeline's writes (comments/s) on SQLite and on PostgreSQL side by side
bench-store:
	$(GO) test -run='^$$' -bench=BenchmarkPipelineStore -benchtime=3s ./archive/sqlite ./archive/postgres

## bench-workers: comments a second through the pipeline with one worker and with
## three sharing the store, on SQLite and on PostgreSQL (docs/operations.md, "Several workers")
bench-workers: versitygw
	$(GO) test ./cmd/uppsikt -run='^$$' -bench=BenchmarkWorkersPipeline -benchtime=3x

## bench-snapshot: "uppsikt snapshot" with its layout, of the demo's Facebook page and of a year of
## 5,000 posts and 100,000 comments, against the emulator: wall time, peak memory of the process
## tree (uppsikt, Chromium, Ghostscript) and the layout images (pdfimages -list); a few minutes each
bench-snapshot:
	demo=0; $(GO) test -count=1 -timeout 90m -run '^TestSnapshotScale$$' -v ./cmd/uppsikt -snapshot-scale=demo || demo=1; \
	$(GO) test -count=1 -timeout 90m -run '^TestSnapshotScale$$' -v ./cmd/uppsikt -snapshot-scale=100k && test $$demo = 0

## fuzz: run every fuzz target (every FuzzXxx in the module) for FUZZTIME each;
## a failing input lands in the package's testdata/fuzz/ and becomes a regression test
FUZZTIME ?= 20s
fuzz:
	$(GO) run ./scripts/fuzz -time $(FUZZTIME)

## chaos: serve against the emulator (loopback only) SIGKILLed KILLS times while the platform,
## the evidence folder and Chromium fail; ends with one "chaos: kills=N faults=N lost=0 ..." line,
## exits non-zero on any loss; stops by itself within 15 minutes
KILLS ?= 30
chaos: build
	$(GO) build -o bin/uppsikt-chaos ./cmd/uppsikt-chaos
	./bin/uppsikt-chaos -bin $(BIN) -kills $(KILLS) -timeout 15m

## eval: measure the classifier — rules alone, model alone, both — by cross-validation on
## rules/corpus and on ../shared/corpus (dev.jsonl and the public data sets)
eval: build
	$(GO) run ./cmd/uppsikt-eval -bin $(BIN) -own rules/corpus -corpus ../shared/corpus

## model: retrain the built-in model (rules/model.bin) from rules/corpus, deterministically
model:
	$(GO) run ./cmd/uppsikt-model -own rules/corpus -out rules/model.bin

## deb: the Debian package bin/uppsikt_VERSION_ARCH.deb (packaging/nfpm.yaml; docs/operations.md)
deb: build nfpm
	UPPSIKT_VERSION=$$(echo '$(DESCRIBE)' | sed -e 's/^v//' -e 's/-/+/g' -e '/^[0-9][0-9]*\./!s/^/0.0.0+git/') \
	GOARCH=$$($(GO) env GOARCH) ./bin/nfpm package -f packaging/nfpm.yaml -p deb -t bin/

## nfpm: install the packager into bin/ (TestDebianPackage builds the .deb with it)
test: nfpm
nfpm:
	@test -x bin/nfpm || GOBIN=$(CURDIR)/bin $(GO) install github.com/goreleaser/nfpm/v2/cmd/nfpm@$(NFPM_VERSION)

## versitygw: install the S3 server into bin/ (archive/evidence/s3test runs it for the S3 evidence tests)
test: versitygw
versitygw:
	@test -x bin/versitygw || GOBIN=$(CURDIR)/bin $(GO) install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW_VERSION)

clean:
	rm -rf bin
