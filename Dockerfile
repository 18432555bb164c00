# authspec as a container image: a static (musl) binary on a small base with a shell, run as a
# non-root user. Build with `docker build -t authspec .` (see README, "Container image").
#
# Stage 1 builds on Alpine, whose Rust is musl-native: the binary links statically (crt-static
# is the musl default) and needs no libc at run time. aws-lc (rustls' crypto) builds with cmake,
# perl and clang.
FROM rust:1.95-alpine AS build
RUN apk add --no-cache musl-dev build-base cmake perl clang
WORKDIR /src
COPY . .
# The last line refuses to ship a binary that still needs a dynamic loader.
RUN cargo build --release --locked --bin authspec \
    && strip target/release/authspec \
    && ! readelf -l target/release/authspec | grep -q 'INTERP'

# Stage 2: the binary, CA certificates for https targets (rustls reads the system store), and a
# shell, because CI jobs (examples/ci/scan-indexed-job.k8s.yml) run authspec through /bin/sh to
# redirect its output.
FROM alpine:3.22
RUN apk add --no-cache ca-certificates \
    && adduser -D -H -u 10001 -s /sbin/nologin authspec \
    && mkdir /work && chown authspec /work
COPY --from=build /src/target/release/authspec /usr/local/bin/authspec
USER 10001:10001
WORKDIR /work
ENTRYPOINT ["authspec"]
CMD ["--help"]
