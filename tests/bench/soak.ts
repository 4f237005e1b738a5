/**
 * `bun run bench:soak`: BENCH_SOAK_MODE picks the soak. `requests` (the default): 50,000 mixed and
 * malformed requests, memory before and after (soak-requests.ts). `media`: a live class with a
 * Chromium teacher and a crowd of WebSocket students for 30 minutes, with memory, descriptors and
 * database size sampled over time and their slopes reported (soak-media.ts).
 */
const mode = process.env.BENCH_SOAK_MODE ?? 'requests'
if (mode === 'media') await import('./soak-media.ts')
else if (mode === 'requests') await import('./soak-requests.ts')
else throw new Error(`BENCH_SOAK_MODE: requests or media, not ${mode}`)
export {}
