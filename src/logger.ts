import type { LogLevel } from './config.ts'

const severity: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

export type LogFields = Record<string, unknown>

export interface Logger {
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
}

/** One JSON object per line on stdout, so any log shipper can parse it. */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stdout.write(line),
): Logger {
  const threshold = severity[level]
  const log = (lvl: Exclude<LogLevel, 'silent'>) => (message: string, fields?: LogFields) => {
    if (severity[lvl] < threshold) return
    write(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, msg: message, ...fields })}\n`)
  }
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }
}

export function errorFields(error: unknown): LogFields {
  return error instanceof Error ? { err: error.message, stack: error.stack } : { err: String(error) }
}

/**
 * One line per business event, at info, beside the request lines: `msg` is the event name
 * (`area.happened`), `event: true` tells them apart, `userId` is who did it (or whom it concerns).
 */
export function logEvent(logger: Logger, name: string, userId: string, fields: LogFields = {}): void {
  logger.info(name, { event: true, userId, ...fields })
}
