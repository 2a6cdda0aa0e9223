# aws-chatops container image: build the release binary, then copy it alone into a slim Debian.
# scripts/docker-build-steps.sh runs the same steps outside Docker (CI has no Docker engine);
# change both together.

# --- Build stage -------------------------------------------------------------------------------
FROM rust:1.95-bookworm AS builder
WORKDIR /build
# Everything the build needs; .dockerignore leaves out target/, .git, the Python and Node trees.
COPY . .
# --locked: build exactly what Cargo.lock says, and fail if it is out of date.
RUN cargo build --release --locked

# --- Runtime stage -----------------------------------------------------------------------------
FROM debian:bookworm-slim
# TLS to Microsoft and AWS uses rustls, so the only system files needed are the CA certificates.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
# A fixed non-root uid, so volume permissions and Kubernetes runAsUser can name it.
RUN groupadd --system --gid 10001 aws-chatops \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/aws-chatops --create-home \
       --shell /usr/sbin/nologin aws-chatops
COPY --from=builder /build/target/release/aws-chatops /usr/local/bin/aws-chatops
USER 10001:10001
# The home directory is writable by the service user: a place for the embedded store.
WORKDIR /var/lib/aws-chatops
# Bot Framework messaging endpoint (POST /api/messages), health and readiness.
EXPOSE 3978
# No HEALTHCHECK: the slim image has no curl or wget, and adding one only for this would grow the
# image and its attack surface. Orchestrators should probe the health and readiness endpoints over
# HTTP instead. If the binary gets a `healthcheck` subcommand that calls its own endpoint, add:
#   HEALTHCHECK --interval=30s --timeout=3s CMD ["/usr/local/bin/aws-chatops", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/aws-chatops"]
CMD ["serve"]
