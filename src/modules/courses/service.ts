import { and, count, desc, eq, sql } from 'drizzle-orm'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { users } from '../../db/schema/auth.ts'
import { courses, enrolments } from '../../db/schema/courses.ts'
import { staffMay, type AuthUser } from '../../access/policy.ts'
import { forbidden, notFound, invalid } from '../../errors/domain.ts'
import { afterCursor, decodeCursor, toPage } from '../../http/pagination.ts'
import { newId } from '../../ids.ts'

export type CourseRow = typeof courses.$inferSelect

/** Courses and who is enrolled in them. The catalogue is visible to every signed-in user. */
export class CourseService {
  /** On every live join (three times): prepared once instead of built per call. */
  private readonly enrolment

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {
    this.enrolment = db
      .select({ courseId: enrolments.courseId })
      .from(enrolments)
      .where(
        and(eq(enrolments.courseId, sql.placeholder('courseId')), eq(enrolments.studentId, sql.placeholder('userId'))),
      )
      .limit(1)
      .prepare()
  }

  async create(teacher: AuthUser, input: { title: string; description?: string }) {
    const now = new Date(this.clock.now())
    const [course] = await this.db
      .insert(courses)
      .values({ id: newId('crs'), teacherId: teacher.id, ...input, createdAt: now, updatedAt: now })
      .returning()
    return this.describe(course!, teacher.id)
  }

  async list(user: AuthUser, filter: { teacherId?: string; cursor?: string; limit: number }) {
    const rows = await this.db
      .select()
      .from(courses)
      .where(
        and(
          filter.teacherId ? eq(courses.teacherId, filter.teacherId) : undefined,
          afterCursor(courses.createdAt, courses.id, decodeCursor(filter.cursor)),
        ),
      )
      .orderBy(desc(courses.createdAt), desc(courses.id))
      .limit(filter.limit + 1)
    const page = toPage(rows, filter.limit)
    return {
      items: await Promise.all(page.items.map((course) => this.describe(course, user.id))),
      nextCursor: page.nextCursor,
    }
  }

  async get(user: AuthUser, id: string) {
    return this.describe(await this.require(id), user.id)
  }

  async require(id: string): Promise<CourseRow> {
    const course = await this.db.query.courses.findFirst({ where: eq(courses.id, id) })
    if (!course) throw notFound('Course')
    return course
  }

  /** Idempotent; a teacher does not enrol in their own course. */
  async enroll(student: AuthUser, courseId: string) {
    const course = await this.require(courseId)
    if (course.teacherId === student.id) throw invalid('OWN_COURSE', 'You teach this course')
    await this.db
      .insert(enrolments)
      .values({ courseId, studentId: student.id, createdAt: new Date(this.clock.now()) })
      .onConflictDoNothing()
    return this.describe(course, student.id)
  }

  /** The course's students, for its teacher (and staff). */
  async students(user: AuthUser, courseId: string, page: { cursor?: string; limit: number }) {
    const course = await this.require(courseId)
    if (course.teacherId !== user.id && !staffMay(user, ['courses', 'read']))
      throw forbidden('Only the course’s teacher sees its students')
    const rows = await this.db
      .select({ id: users.id, name: users.name, avatarUrl: users.avatarUrl, createdAt: enrolments.createdAt })
      .from(enrolments)
      .innerJoin(users, eq(users.id, enrolments.studentId))
      .where(
        and(eq(enrolments.courseId, courseId), afterCursor(enrolments.createdAt, users.id, decodeCursor(page.cursor))),
      )
      .orderBy(desc(enrolments.createdAt), desc(users.id))
      .limit(page.limit + 1)
    const result = toPage(rows, page.limit)
    return {
      items: result.items.map(({ createdAt, ...student }) => ({ ...student, enrolledAt: createdAt })),
      nextCursor: result.nextCursor,
    }
  }

  async isEnrolled(userId: string, courseId: string): Promise<boolean> {
    return (await this.enrolment.all({ courseId, userId })).length > 0
  }

  async studentIds(courseId: string): Promise<string[]> {
    const rows = await this.db
      .select({ id: enrolments.studentId })
      .from(enrolments)
      .where(eq(enrolments.courseId, courseId))
    return rows.map((row) => row.id)
  }

  private async describe(course: CourseRow, viewerId: string) {
    const [[students], enrolled] = await Promise.all([
      this.db.select({ n: count() }).from(enrolments).where(eq(enrolments.courseId, course.id)),
      this.isEnrolled(viewerId, course.id),
    ])
    return { ...course, students: students?.n ?? 0, isEnrolled: enrolled }
  }
}
