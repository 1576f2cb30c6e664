# iotchain node image.
#
# The builder stage runs scripts/setup.sh itself (rustup target and component, Debian packages,
# the e2e and zombienet npm packages) and the same release build as scripts/dev.sh and
# scripts/test.sh.
#
#   docker build -t iotchain .
#   docker run -p 9944:9944 iotchain            # development chain, RPC on ws://localhost:9944

FROM docker.io/library/rust:1.95-slim-bookworm AS builder
WORKDIR /iotchain
ENV CARGO_TARGET_DIR=/iotchain/target
# The setup script itself, so the image gets exactly what a developer machine gets; it is its
# own layer, cached until the script or an npm lock file changes.
COPY scripts/ scripts/
COPY tests/e2e/package.json tests/e2e/package-lock.json tests/e2e/
COPY zombienet/package.json zombienet/package-lock.json zombienet/
RUN scripts/setup.sh
COPY . .
RUN cargo build --release --locked --workspace

FROM docker.io/library/debian:bookworm-slim
RUN apt-get update -qq \
	&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd -m -u 1000 -U -s /bin/sh -d /iotchain iotchain \
	&& mkdir -p /data && chown -R iotchain:iotchain /data
COPY --from=builder /iotchain/target/release/iotchain-node /usr/local/bin/iotchain-node
COPY --from=builder /iotchain/target/release/iotctl /usr/local/bin/iotctl
COPY --from=builder /iotchain/target/release/iotchain-gateway /usr/local/bin/iotchain-gateway
USER iotchain
EXPOSE 30333 9944 9615
VOLUME ["/data"]
ENTRYPOINT ["/usr/local/bin/iotchain-node"]
CMD ["--dev", "--base-path", "/data", "--rpc-external", "--prometheus-external"]
