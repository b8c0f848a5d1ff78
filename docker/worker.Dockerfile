# syntax=docker/dockerfile:1
# Pitchside worker: BullMQ jobs (Egress requests, the built-in recorder, VOD export). The built-in
# recorder opens the template in Debian's Chromium and encodes with Debian's ffmpeg, the same binaries
# the tests and benchmarks run. Build from the repository root:
#   docker build -f docker/worker.Dockerfile .
ARG NODE_IMAGE=node:22-bookworm-slim

# Runtime packages only: tsx runs the TypeScript sources directly (no emitted JavaScript).
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM ${NODE_IMAGE}
# Fonts: a slim image has none, and the template's scorebug and lower thirds are text.
RUN apt-get update \
  && apt-get install -y --no-install-recommends chromium ffmpeg fonts-dejavu-core ca-certificates \
  && rm -rf /var/lib/apt/lists/*
ENV CHROMIUM_PATH=/usr/bin/chromium
WORKDIR /app
COPY --from=prod-deps /app/node_modules node_modules/
COPY package.json tsconfig.json ./
COPY protocol/ protocol/
COPY runtime/ runtime/
COPY worker/ worker/
# The plan, status and switch-log records the worker shares with the controller.
COPY outputs/ outputs/
COPY docker/worker-healthcheck.ts docker/
# Recordings and exports (a volume in compose).
RUN mkdir -p /data && chown node:node /data
USER node
CMD ["node", "--import", "tsx", "worker/main.ts"]
