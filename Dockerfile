# syntax=docker/dockerfile:1

# Dependencies come from the committed npm lockfile, like every other install of Majlis.
FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# The runtime image brings its own Bun, so the pinned `bun` package is not copied along.
RUN npm ci --omit=dev && rm -rf node_modules/bun node_modules/@oven

FROM oven/bun:1.4.5-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    PORT=3001 \
    DATABASE_URL=file:/app/data/majlis.db \
    UPLOAD_DIR=/app/data/uploads
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
COPY drizzle ./drizzle
RUN mkdir -p /app/data && chown bun:bun /app/data
USER bun
VOLUME /app/data
EXPOSE 3001
# NODE_ENV=production refuses the dev secrets: pass JWT_SECRET and PAYMENT_WEBHOOK_SECRET at run time.
HEALTHCHECK --interval=15s --timeout=3s CMD ["bun", "-e", "fetch('http://127.0.0.1:3001/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["bun", "src/index.ts"]
