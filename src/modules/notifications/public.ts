// What other modules may use of notifications: the service every module notifies through.
export { type Localized, NotificationService } from './service.ts'
