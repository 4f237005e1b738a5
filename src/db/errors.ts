/**
 * Whether a failed statement's SQLite message mentions `text` (a constraint's name, or the
 * `table.column` of a UNIQUE violation). Drizzle wraps driver errors: the message is on `cause`.
 */
export const dbErrorMentions = (error: unknown, text: string): boolean =>
  String((error as { cause?: unknown })?.cause ?? error).includes(text)
