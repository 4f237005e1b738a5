/**
 * Scenario — a large live class. BENCH_CLASS_STUDENTS (1000) WebSocket students and their teacher
 * (another process) in one class: all vote within one second, BENCH_CLASS_HANDS (200) raise their
 * hands, and everyone reacts BENCH_CLASS_REACT_RATE (1) times a second for BENCH_CLASS_SECONDS (10)
 * while the teacher chats once a second. The same class runs against a server with
 * CLASSROOM_AGGREGATION=false (every reaction fanned out as it comes, every vote's tally sent at
 * once) for BENCH_CLASS_RAW_SECONDS (3) of reactions. Printed: the time until the teacher's
 * results are complete, chat delivery p99 during the storm, messages the server sent per second
 * and its CPU. Goals: results complete within 1 s of the last vote; fan-out independent of how
 * many students react.
 */
import { courses, enrolments, liveSessions } from '../../src/db/schema/courses.ts'
import { configFile, jsonLines } from './lib/child.ts'
import { fixed, knob, printTable, ratio } from './lib/report.ts'
import { startBenchServer } from './lib/server.ts'

const studentCount = knob('BENCH_CLASS_STUDENTS', 1000)
const hands = Math.min(studentCount, knob('BENCH_CLASS_HANDS', 200))
const reactRate = knob('BENCH_CLASS_REACT_RATE', 1)
const seconds = knob('BENCH_CLASS_SECONDS', 10)
const rawSeconds = knob('BENCH_CLASS_RAW_SECONDS', 3)
const SESSION = 'ls_bench_class'

interface PhaseResult {
  cpu: number
  serverMessages: number
  seconds: number
  [figure: string]: number | null
}

async function runClass(aggregation: boolean, reactSeconds: number): Promise<Record<string, PhaseResult>> {
  const server = await startBenchServer({
    users: [
      { role: 'teacher', count: 1 },
      { role: 'customer', count: studentCount },
    ],
    env: { CLASSROOM_AGGREGATION: String(aggregation) },
    prepare: async (db, people) => {
      const now = new Date()
      await db.insert(courses).values({
        id: 'crs_bench',
        teacherId: people.teacher![0]!.id,
        title: 'Bench class',
        createdAt: now,
        updatedAt: now,
      })
      const rows = people.customer!.map((student) => ({ courseId: 'crs_bench', studentId: student.id }))
      for (let i = 0; i < rows.length; i += 500) await db.insert(enrolments).values(rows.slice(i, i + 500))
      await db.insert(liveSessions).values({
        id: SESSION,
        courseId: 'crs_bench',
        title: 'Bench',
        scheduledAt: now,
        durationMinutes: 60,
        status: 'live',
        roomCode: 'BENCHCLASS',
        startedAt: now,
        createdAt: now,
        updatedAt: now,
      })
    },
  })
  const crowd = jsonLines([process.execPath, `${import.meta.dir}/lib/class-crowd.ts`], {
    CROWD_FILE: await configFile({
      url: server.wsUrl,
      apiUrl: `${server.baseUrl}/api/v1`,
      sessionId: SESSION,
      teacher: server.people.teacher![0]!.token,
      students: server.people.customer!.map((student) => student.token),
      hands,
      reactSeconds,
      reactRate,
    }),
  })
  await crowd.next((line) => line.joined !== undefined, 300_000)
  const results: Record<string, PhaseResult> = {}
  for (const phase of ['votes', 'hands', 'reactions']) {
    await crowd.next((line) => line.phase === phase && line.started, 300_000)
    const before = server.usage()
    const started = performance.now()
    const figures = await crowd.next((line) => line.phase === phase && !line.started, 300_000)
    results[phase] = { ...figures, cpu: (server.usage().cpuMs - before.cpuMs) / (performance.now() - started) }
  }
  crowd.stop()
  await server.stop()
  return results
}

const aggregated = await runClass(true, seconds)
const raw = await runClass(false, rawSeconds)
const perSecond = (r: PhaseResult) => r.serverMessages / r.seconds
const ms = (value: number | null) => (value === null ? 'never' : fixed(value, 0))

printTable(
  `Live class: ${studentCount} WebSocket students and a teacher in one class (one server process; reactions: everyone ${reactRate}/s)`,
  ['phase', 'figure', 'aggregated', 'not aggregated', 'ratio'],
  [
    [
      'votes (all within 1 s)',
      'results complete after the last vote, ms',
      ms(aggregated.votes!.completeAfterLastVoteMs!),
      ms(raw.votes!.completeAfterLastVoteMs!),
      '—',
    ],
    [
      '',
      'tally events to the teacher',
      aggregated.votes!.teacherEvents!,
      raw.votes!.teacherEvents!,
      ratio(raw.votes!.teacherEvents!, aggregated.votes!.teacherEvents!),
    ],
    [
      '',
      'server CPU, cores',
      fixed(aggregated.votes!.cpu, 2),
      fixed(raw.votes!.cpu, 2),
      ratio(raw.votes!.cpu, aggregated.votes!.cpu),
    ],
    [
      `hands (${hands} within 0.2 s)`,
      'queue complete at the teacher, ms',
      ms(aggregated.hands!.queueCompleteMs!),
      ms(raw.hands!.queueCompleteMs!),
      '—',
    ],
    [
      '',
      'queue events to the teacher',
      aggregated.hands!.teacherEvents!,
      raw.hands!.teacherEvents!,
      ratio(raw.hands!.teacherEvents!, aggregated.hands!.teacherEvents!),
    ],
    [
      'reactions + chat',
      'messages sent by the server per s',
      fixed(perSecond(aggregated.reactions!), 0),
      fixed(perSecond(raw.reactions!), 0),
      ratio(perSecond(raw.reactions!), perSecond(aggregated.reactions!)),
    ],
    [
      '',
      'server CPU, cores',
      fixed(aggregated.reactions!.cpu, 2),
      fixed(raw.reactions!.cpu, 2),
      ratio(raw.reactions!.cpu, aggregated.reactions!.cpu),
    ],
    [
      '',
      'chat delivery p50 / p99, ms',
      `${fixed(aggregated.reactions!.chatP50!, 0)} / ${fixed(aggregated.reactions!.chatP99!, 0)}`,
      `${fixed(raw.reactions!.chatP50!, 0)} / ${fixed(raw.reactions!.chatP99!, 0)}`,
      '—',
    ],
    [
      '',
      'reactions counted at the teacher / sent',
      `${aggregated.reactions!.reactionsSeenByTeacher} / ${aggregated.reactions!.reactionsSent}`,
      `${raw.reactions!.reactionsSeenByTeacher} / ${raw.reactions!.reactionsSent}`,
      '—',
    ],
  ],
)
console.log(
  `Goals: results complete within 1000 ms of the last vote (${ms(aggregated.votes!.completeAfterLastVoteMs!)} ms); aggregated fan-out ≈ one reactions event per connection per second, whoever reacts (${fixed(perSecond(aggregated.reactions!) / (studentCount + 1), 2)} messages per connection per second).`,
)
