# cocreate: a static binary in a distroless image, running as a non-root user.
# Build: docker build -t cocreate .   Run: see docker-compose.yml and README.md.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Pure Go (the embedded engine's SQLite is modernc.org/sqlite), so no cgo;
# timetzdata embeds the time zones calls are shown in.
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -tags timetzdata -ldflags="-s -w" -o /out/cocreate ./cmd/cocreate \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/cocreate /cocreate
# The embedded database's directory, used when MONGODB_URI is not set.
COPY --from=build --chown=65532:65532 /out/data /data
ENV COCREATE_ADDR=:8080 \
    COCREATE_DATA=/data
VOLUME ["/data"]
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/cocreate"]
