import { and, eq, gt, lt, or, sql, type Column, type SQL } from 'drizzle-orm'
import { t, type TSchema } from 'elysia'
import { invalid } from '../errors/domain.ts'

export const PageQuery = {
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size, 1–100' })),
  cursor: t.Optional(t.String({ minLength: 1, maxLength: 200, description: 'nextCursor of the previous page' })),
}

export const Page = <Item extends TSchema>(item: Item) =>
  t.Object({ items: t.Array(item), nextCursor: t.Union([t.String(), t.Null()]) })

/** A position in a list ordered by time: the last row's time and id (the tie-breaker). */
export interface CursorPosition {
  at: number
  id: string
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.at, position.id])).toString('base64url')
}

// Positions are epoch milliseconds of stored rows: anything outside what a Date holds is not one of ours.
const MAX_EPOCH_MS = 8.64e15
const isPosition = (at: unknown, id: unknown): boolean =>
  Number.isSafeInteger(at) &&
  (at as number) >= 0 &&
  (at as number) <= MAX_EPOCH_MS &&
  typeof id === 'string' &&
  id.length > 0 &&
  id.length <= 64

export function decodeCursor(cursor: string | undefined): CursorPosition | null {
  if (cursor === undefined) return null
  try {
    const position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown
    if (Array.isArray(position) && position.length === 2 && isPosition(position[0], position[1]))
      return { at: position[0], id: position[1] }
  } catch {
    // fall through to the 422 below
  }
  const message = 'The cursor is not one this API returned; pass nextCursor of the previous page'
  throw invalid('VALIDATION_FAILED', message, [{ in: 'query', path: '/cursor', message }])
}

/**
 * Callers fetch limit + 1 rows; the extra row only says whether another page exists. The cursor
 * holds the last row's position in the order (a time, by default its createdAt, or a score) and id.
 */
export function toPage<Row extends { id: string; createdAt: Date }>(
  rows: Row[],
  limit: number,
): { items: Row[]; nextCursor: string | null }
export function toPage<Row extends { id: string }>(
  rows: Row[],
  limit: number,
  positionOf: (row: Row) => Date | number,
): { items: Row[]; nextCursor: string | null }
export function toPage<Row extends { id: string }>(
  rows: Row[],
  limit: number,
  positionOf = (row: Row): Date | number => (row as Row & { createdAt: Date }).createdAt,
) {
  const items = rows.slice(0, limit)
  const last = items.at(-1)
  if (rows.length <= limit || !last) return { items, nextCursor: null }
  const position = positionOf(last)
  return {
    items,
    nextCursor: encodeCursor({ at: typeof position === 'number' ? position : position.getTime(), id: last.id }),
  }
}

/** The WHERE condition for rows after the cursor (newest first unless 'asc'); undefined on the first page. */
export function afterCursor(
  timeColumn: Column,
  idColumn: Column,
  position: CursorPosition | null,
  order: 'asc' | 'desc' = 'desc',
): SQL | undefined {
  if (!position) return undefined
  const at = new Date(position.at)
  const beyond = order === 'desc' ? lt : gt
  return or(beyond(timeColumn, at), and(eq(timeColumn, at), beyond(idColumn, position.id)))
}

/** afterCursor for a prepared statement: the position comes as the placeholders cursorAt (ms) and cursorId. */
export function afterCursorPlaceholder(timeColumn: Column, idColumn: Column, order: 'asc' | 'desc' = 'desc'): SQL {
  const beyond = order === 'desc' ? lt : gt
  const at = sql.placeholder('cursorAt')
  return or(beyond(timeColumn, at), and(eq(timeColumn, at), beyond(idColumn, sql.placeholder('cursorId'))))!
}

/** The placeholder values of afterCursorPlaceholder, none on the first page. */
export function cursorValues(cursor: string | undefined): { cursorAt?: number; cursorId?: string } {
  const position = decodeCursor(cursor)
  return position ? { cursorAt: position.at, cursorId: position.id } : {}
}
