import { join } from 'node:path'
import { openDatabase, type Database } from '../../../src/db/client.ts'
import { applyMigrations } from '../../../src/db/migrate.ts'
import { users, type Role } from '../../../src/db/schema/auth.ts'
import { accessTokens } from '../../../src/http/auth.ts'
import { bunBinary, freeMediaPorts, freePort, repoRoot } from '../../helpers/server-process.ts'
import { benchDir, owned } from './child.ts'
import { processUsage } from './proc.ts'

export const BENCH_JWT_SECRET = 'bench-only-jwt-secret-0123456789abcdef'

export interface BenchUser {
  id: string
  token: string
}

/**
 * The real server (src/index.ts) in its own process on a fresh libSQL file, with users created
 * straight in the database and tokens signed with the server's secret (no password hashing to
 * wait for), request logging off and rate limits scaled out of the way (RATE_LIMIT_FACTOR).
 */
export async function startBenchServer(options: {
  users: Array<{ role: Role; count: number }>
  workers?: number
  prepare?: (db: Database, people: Record<string, BenchUser[]>) => Promise<void>
  /** More server settings, e.g. a feature switch the scenario compares. */
  env?: Record<string, string>
}) {
  const databaseUrl = `file:${join(benchDir(), 'bench.db')}`
  const database = await openDatabase(databaseUrl)
  await applyMigrations(database.db)
  const signer = accessTokens(BENCH_JWT_SECRET, 600).decorator.accessJwt
  const people: Record<string, BenchUser[]> = {}
  const now = new Date()
  for (const { role, count } of options.users) {
    const staff = role === 'staff' ? { staffProfile: 'admin' as const } : {}
    const rows = Array.from({ length: count }, (_, i) => ({
      id: `usr_bench_${role}_${i}`,
      name: `${role} ${i}`,
      role,
      ...staff,
      createdAt: now,
      updatedAt: now,
    }))
    for (let i = 0; i < rows.length; i += 500) await database.db.insert(users).values(rows.slice(i, i + 500))
    people[role] = await Promise.all(
      rows.map(async (row) => ({ id: row.id, token: await signer.sign({ sub: row.id, role, typ: 'access' }) })),
    )
  }
  await options.prepare?.(database.db, people)
  database.close()

  const port = freePort()
  // BENCH_CPU_PROF=<dir>: the server writes a Markdown CPU profile there when it stops.
  const profile = process.env.BENCH_CPU_PROF
    ? [process.env.BENCH_CPU_PROF_JSON ? '--cpu-prof' : '--cpu-prof-md', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : []
  const child = owned(
    Bun.spawn([bunBinary, ...profile, 'src/index.ts'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: databaseUrl,
        JWT_SECRET: BENCH_JWT_SECRET,
        JWT_ACCESS_MIN: '600',
        LOG_LEVEL: 'warn',
        RATE_LIMIT_FACTOR: '1000',
        MEDIA_WORKERS: String(options.workers ?? 1),
        // Below Linux's ephemeral range, where the crowds' thousands of client sockets take theirs.
        MEDIA_PORT: String(await freeMediaPorts(options.workers ?? 1)),
        ...options.env,
      },
      stdout: 'inherit',
      stderr: 'inherit',
    }),
  )
  const baseUrl = `http://127.0.0.1:${port}`
  for (const deadline = Date.now() + 20_000; ; ) {
    try {
      if ((await fetch(`${baseUrl}/health/live`)).ok) break
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('the bench server did not start')
      await Bun.sleep(100)
    }
  }
  return {
    baseUrl,
    databaseUrl,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    pid: child.pid,
    people,
    usage: () => processUsage(child.pid),
    async stop() {
      child.kill('SIGTERM')
      await child.exited
    },
  }
}
