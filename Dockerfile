# syntax=docker/dockerfile:1

# Build stage: dependencies from the committed npm lockfile, and the mediasoup worker built
# offline by our own step (it apt-installs its Debian build dependencies itself).
FROM node:22-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY media/build ./media/build
RUN node_modules/.bin/bun media/build/build-worker.ts \
 # The runtime brings Bun from the official image; the npm copy is not needed there.
 && rm -rf node_modules/bun node_modules/@oven

# Runtime: Debian bookworm, because the worker links bookworm's libuv, OpenSSL, libsrtp2 and
# abseil; Bun itself comes from the official Bun image.
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libuv1 libssl3 libsrtp2-1 libabsl20220623 libnss3 libnspr4 ffmpeg \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 majlis
COPY --from=oven/bun:1.4.5-slim /usr/local/bin/bun /usr/local/bin/bun
WORKDIR /app
ENV NODE_ENV=production \
    PORT=3001 \
    DATABASE_URL=file:/app/data/majlis.db \
    UPLOAD_DIR=/app/data/uploads \
    MEDIA_LISTEN_IP=0.0.0.0 \
    MEDIA_PORT=40000
COPY --from=build /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
COPY media ./media
COPY drizzle ./drizzle
RUN mkdir -p /app/data && chown majlis:majlis /app/data
USER majlis
VOLUME /app/data
# HTTP + WS, and one UDP/TCP port per media worker (MEDIA_PORT + i).
EXPOSE 3001 40000-40015/udp 40000-40015/tcp
# NODE_ENV=production refuses the dev secrets: pass JWT_SECRET, PAYMENT_WEBHOOK_SECRET and
# MEDIA_ANNOUNCED_IP (the address browsers reach this host on) at run time.
HEALTHCHECK --interval=15s --timeout=3s CMD ["bun", "-e", "fetch('http://127.0.0.1:3001/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["bun", "src/index.ts"]
