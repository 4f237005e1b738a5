import { Elysia, type ElysiaConfig } from 'elysia'
import type { authGuard } from './auth.ts'
import type { throttle } from './throttle.ts'

/** What every module's routes stand on: the auth guard (`auth` option) and the rate limits. */
export interface RoutePlugins {
  guard: ReturnType<typeof authGuard>
  throttle: ReturnType<typeof throttle>
}

/** Starts a module's routes with the guard and the rate limits applied. */
export const moduleRoutes = <const Prefix extends string = ''>(
  config: ElysiaConfig<Prefix>,
  { guard, throttle }: RoutePlugins,
) => new Elysia(config).use(guard).use(throttle)
