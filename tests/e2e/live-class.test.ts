import { expect, test } from 'bun:test'
import { consumerStats, openDemo, serverAndBrowserPerFile, videoFrames, waitFor } from '../helpers/browser.ts'

const ctx = serverAndBrowserPerFile({ workers: 2 })

test('a teacher broadcasts; students spread over both workers all decode the video', async () => {
  const teacher = await ctx.server.register('teacher')
  const course = (
    await ctx.server.call('POST', '/api/v1/courses', { token: teacher.accessToken, body: { title: 'Drawing' } })
  ).body
  const students = [await ctx.server.register(), await ctx.server.register(), await ctx.server.register()]
  for (const student of students)
    await ctx.server.call('POST', `/api/v1/courses/${course.id}/enroll`, { token: student.accessToken })
  const scheduledAt = new Date(Date.now() + 3600_000).toISOString()
  const session = (
    await ctx.server.call('POST', '/api/v1/live-sessions', {
      token: teacher.accessToken,
      body: { title: 'Perspective', courseId: course.id, scheduledAt },
    })
  ).body
  await ctx.server.call('POST', `/api/v1/live-sessions/${session.id}/start`, { token: teacher.accessToken })
  const room = `live:${session.id}`

  const teacherPage = await openDemo(ctx.browser, ctx.server.baseUrl, teacher.accessToken, room)
  await teacherPage.evaluate(async () => {
    const media = (window as any).majlisDemo.current()
    await media.publishCamera()
    await media.publishMicrophone()
  })
  const studentPages = []
  for (const student of students)
    studentPages.push(await openDemo(ctx.browser, ctx.server.baseUrl, student.accessToken, room))

  // Load-aware placement: the first student goes to the worker without the teacher, later ones
  // balance the consumers, so the class uses both workers and the teacher's media is piped.
  const placement = ctx.server.media.rooms.get(room)!.placement()
  const studentWorkers = students.map((student) => placement.find((peer) => peer.userId === student.user.id)!.worker)
  expect(new Set(studentWorkers)).toEqual(new Set([0, 1]))

  for (const page of studentPages) {
    await waitFor(
      "the teacher's video at a student",
      () => consumerStats(page),
      (stats) => videoFrames(stats) > 30,
    )
  }
  const denied = await studentPages[0]!.evaluate(() =>
    (window as any).majlisDemo
      .current()
      .publishCamera()
      .then(
        () => 'published',
        (error: any) => error.code,
      ),
  )
  expect(denied).toBe('FORBIDDEN')
})
