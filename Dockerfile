# syntax=docker/dockerfile:1
# The runbook CLI and the project's runbooks in one image. No Docker engine runs on the
# development machines, so this image has not been built there (see README); `make test`
# lints this file with hadolint.

# Build: the CLI with the official Swift image, the same Swift as development (6.3).
FROM swift:6.3-bookworm AS build
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
# The manifest declares the test targets too, and SwiftPM rejects a package whose target
# folders are missing, so Tests/ comes along; only the runbook product is built.
COPY Tests ./Tests
# Linked by lld (part of the Swift toolchain since 6.0) with packed relative relocations
# (DT_RELR, read by glibc 2.36 and later, as in bookworm): 130,000 relocations of the Swift
# runtime and Foundation in 25 KB instead of 3 MB, which every run read at start-up; and with
# the functions a dry run executes placed together (bench/runbook.order, from
# scripts/profile-order), so they share few pages (docs/performance.md). scripts/bench builds
# the binary it measures with the same flags.
COPY bench/runbook.order ./bench/
RUN swift build -c release --product runbook --static-swift-stdlib \
      -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs \
      -Xlinker --symbol-ordering-file=bench/runbook.order -Xlinker --no-warn-symbol-ordering \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/runbook" /out/runbook

# Run: Debian slim (the runbooks' shell steps use its bash, find, tar, gzip, grep, awk, sort),
# psql (the batched archive and cleanup run one transaction per batch through it), procps
# (pgrep and ps: the etl-core-resources check finds the service's processes), OpenSSH's
# ssh-keygen (operators are named by their SSH keys and checkpoints signed with
# `ssh-keygen -Y`), the CA roots for HTTPS and the time zones, a non-root user.
FROM debian:bookworm-slim
# No version pins: the bookworm-slim tag fixes the release, and Debian replaces the exact
# versions of these packages with each security update, which would break the build.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata postgresql-client procps openssh-client \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 runbook \
 && useradd --system --uid 10001 --gid runbook --create-home --home-dir /home/runbook runbook
COPY --from=build /out/runbook /usr/local/bin/runbook
WORKDIR /opt/runbook
COPY runbooks ./runbooks
COPY checks ./checks
COPY environments ./environments
COPY templates ./templates
COPY escalation.yaml ./
# The alert rules the runbooks' triggers name (runbook lint checks each trigger against them).
COPY alerts ./alerts
# Logs, config and backup folders of the environment (/var/log/etl, /etc/etl, /backup in
# production.example.yaml) are mounted at run time; the audit log stays in the user's home.
ENV RUNBOOK_HOME=/opt/runbook \
    RUNBOOK_AUDIT_LOG=/home/runbook/.local/state/runbook/audit.jsonl
USER 10001:10001
ENTRYPOINT ["runbook"]
CMD ["list"]
