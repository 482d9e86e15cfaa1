# The two commands: `make demo` and `make test`. Everything else is a helper.
SWIFT ?= swift
BIN   := .build/debug/runbook

.PHONY: all build test demo demo-console lint bench clean image-check

all: build

build:
	$(SWIFT) build

# Builds and runs the whole suite, starting and stopping the services the tests need.
test:
	scripts/test

# Builds, then runs the main job: a dry run, then the live run with its gate passed.
demo: build
	scripts/demo

lint: build
	$(BIN) lint

clean:
	rm -rf .build .sandbox

# Figures, not assertions: the engine against plain bash and Ansible on the same data (the
# release build, statically linked as the image ships it; docs/performance.md), then each
# runbook's dry-run time on production-size data (seeded the first time: minutes), which
# scripts/bench runs last with the other benchmarks.
bench:
	scripts/bench

# The image the CronJobs run, without a Docker engine: the binary built as the Dockerfile
# builds it, the runtime root made with debootstrap from the Dockerfile's package list, and
# lint, the schedules and the daily check's dry run inside it with chroot (needs root).
image-check:
	scripts/image-check

# The demo, then four-eyes through the team's runner (alice requests with her key, bob
# approves, the run resumes on the runner), then the web console next to it (runbook serve over
# the sandbox's ledger); prints its URL and a token to sign in with. Ctrl-C stops the console;
# the sandbox keeps running.
demo-console: build
	scripts/demo-console
