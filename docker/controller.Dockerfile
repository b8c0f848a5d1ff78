# syntax=docker/dockerfile:1
# Pitchside controller: the API, the WebSocket, the LiveKit webhook, and the built pages (program
# template at /template/, operator pages). Build from the repository root:
#   docker build -f docker/controller.Dockerfile .
ARG NODE_IMAGE=node:22-bookworm-slim

# All npm packages, for the page build.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# dist/: the Vite multi-page build (template + operator pages) the controller serves.
FROM deps AS pages
COPY tsconfig.json vite.config.ts ./
COPY protocol/ protocol/
COPY client/ client/
COPY template/ template/
COPY web/ web/
RUN npx vite build

# Runtime packages only: tsx runs the TypeScript sources directly (no emitted JavaScript).
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM ${NODE_IMAGE}
WORKDIR /app
COPY --from=prod-deps /app/node_modules node_modules/
COPY package.json tsconfig.json ./
COPY protocol/ protocol/
COPY runtime/ runtime/
COPY controller/ controller/
# The job client, plan and status records the controller shares with the worker.
COPY outputs/ outputs/
COPY --from=pages /app/dist dist/
# Data dir for the generated admin key when PITCHSIDE_ADMIN_KEY is empty (a volume in compose).
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
# node itself is PID 1's child under compose's init, so SIGTERM reaches the process's close-with-grace.
CMD ["node", "--import", "tsx", "controller/server.ts"]
