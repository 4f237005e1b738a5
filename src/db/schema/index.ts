export * from './auth.ts'
export * from './notifications.ts'
export * from './support.ts'
export * from './tickets.ts'
