# iotchain node image.
#
# The builder stage runs the same steps as scripts/setup.sh (rustup target and component,
# protobuf-compiler) and the same release build as scripts/dev.sh; keep them in step.
#
#   docker build -t iotchain .
#   docker run -p 9944:9944 iotchain            # development chain, RPC on ws://localhost:9944

FROM docker.io/library/rust:1.95-slim-bookworm AS builder
WORKDIR /iotchain
RUN apt-get update -qq \
	&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		protobuf-compiler build-essential git \
	&& rm -rf /var/lib/apt/lists/*
RUN rustup target add wasm32v1-none && rustup component add rust-src
COPY . .
ENV CARGO_TARGET_DIR=/iotchain/target
RUN scripts/setup.sh && cargo build --release --locked --workspace

FROM docker.io/library/debian:bookworm-slim
RUN apt-get update -qq \
	&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd -m -u 1000 -U -s /bin/sh -d /iotchain iotchain \
	&& mkdir -p /data && chown -R iotchain:iotchain /data
COPY --from=builder /iotchain/target/release/iotchain-node /usr/local/bin/iotchain-node
USER iotchain
EXPOSE 30333 9933 9944 9615
VOLUME ["/data"]
ENTRYPOINT ["/usr/local/bin/iotchain-node"]
CMD ["--dev", "--base-path", "/data", "--rpc-external", "--prometheus-external"]
