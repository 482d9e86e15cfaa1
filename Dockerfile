# syntax=docker/dockerfile:1
# Build: the CLI with the official Swift image.
FROM swift:6.1-bookworm AS build
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
RUN swift build -c release --product runbook --static-swift-stdlib \
 && cp "$(swift build -c release --show-bin-path)/runbook" /usr/local/bin/runbook

# Run: a slim image, a non-root user, the runbooks beside the binary.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates=* libcurl4=* libxml2=* tzdata=* \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /home/runbook --uid 10001 runbook
COPY --from=build /usr/local/bin/runbook /usr/local/bin/runbook
WORKDIR /opt/runbook
COPY runbooks ./runbooks
COPY checks ./checks
COPY environments ./environments
COPY templates ./templates
ENV RUNBOOK_HOME=/opt/runbook \
    RUNBOOK_AUDIT_LOG=/home/runbook/.local/state/runbook/audit.jsonl
USER runbook
ENTRYPOINT ["runbook"]
CMD ["list"]
