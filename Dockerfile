# troupe's image: built in one stage, run from another that holds only what runs.
#
# - build: installs every dependency (sqlite3 builds its native module from source here, hence
#   python3, make and g++), compiles TypeScript to dist/ (npm run build), then drops the dev
#   dependencies and the embedded engine's binaries for other machines (node-llama-cpp ships a
#   prebuilt binary per platform and GPU kind; only the CPU one for this architecture is kept).
# - runtime: node on Debian slim (glibc: node-llama-cpp's prebuilt binaries need it, Alpine's musl
#   will not do), the compiled JavaScript run by `node` itself as PID 1's only child of note, so
#   SIGTERM reaches troupe and its graceful stop runs; a non-root user; ./data and ./personas as
#   volumes.
#
#   docker build -t troupe .
#   docker run --rm -e DISCORD_TOKEN=… -e OLLAMA_HOST=http://ollama:11434 -v troupe-data:/app/data troupe

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci runs `prepare` (scripts/build-bundle.js), which finds no sources yet and builds nothing: the
# image runs tsc's dist/src (npm run build below).
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY commands ./commands
RUN npm run build && npm prune --omit=dev --no-audit --no-fund
# The embedded engine's CPU binary for this architecture stays; CUDA, Vulkan and other machines' go
# (about 700 MB), and so does the llama.cpp source bundle (34 MB: only a build from source reads it,
# and troupe never builds: src/model/embedded/embedded-llama.ts asks for `build: "never"`); of
# sqlite3's build only the module itself stays (its object files and sources are 20 MB).
ARG TARGETARCH
RUN case "${TARGETARCH:-$(dpkg --print-architecture)}" in \
      amd64) keep=linux-x64 ;; \
      arm64) keep=linux-arm64 ;; \
      arm) keep=linux-armv7l ;; \
      *) keep=none ;; \
    esac \
  && for dir in node_modules/@node-llama-cpp/*; do \
       [ "$(basename "$dir")" = "$keep" ] || rm -rf "$dir"; \
     done \
  && rm -f node_modules/node-llama-cpp/llama/gitRelease.bundle \
  && mv node_modules/sqlite3/build/Release/node_sqlite3.node /tmp/ \
  && rm -rf node_modules/sqlite3/build node_modules/sqlite3/deps \
  && mkdir -p node_modules/sqlite3/build/Release \
  && mv /tmp/node_sqlite3.node node_modules/sqlite3/build/Release/

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    MALLOC_TRIM_THRESHOLD_=131072 \
    METRICS_PORT=9464 \
    SHUTDOWN_GRACE_SECONDS=20
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY personas ./personas
RUN mkdir -p data models && chown node:node data models
USER node
VOLUME ["/app/data", "/app/personas"]
# /healthz, /readyz and /metrics; Slack's Events API (HTTP mode) listens on PORT, 3000 by default.
EXPOSE 9464 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.METRICS_PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
