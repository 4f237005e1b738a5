import type { Role, StaffModule, StaffProfile } from '../db/schema/auth.ts'

/** What a staff member does within a module: reading; routine work (reply, assign, approve documents); managing. */
export type StaffLevel = 'read' | 'routine' | 'manage'
/** A staff route's module and the level it needs. */
export type StaffRule = readonly [module: StaffModule, level: StaffLevel]

const levelsOfProfile: Record<StaffProfile, readonly StaffLevel[]> = {
  admin: ['read', 'routine', 'manage'],
  power: ['read', 'routine', 'manage'],
  user: ['read', 'routine'],
  qa: ['read'],
}

/** Whether a staff member's profile and modules allow this (admin has every module). */
export function staffMay(
  user: Pick<AuthUser, 'role' | 'staffProfile' | 'staffModules'>,
  [module, level]: StaffRule,
): boolean {
  if (user.role !== 'staff' || !user.staffProfile || !levelsOfProfile[user.staffProfile].includes(level)) return false
  return user.staffProfile === 'admin' || (user.staffModules ?? []).includes(module)
}

type RoleAccess = 'any' | true | readonly Role[]

/**
 * Who may call a route:
 * - 'any': any signed-in user, including a phone_only one who has not completed the profile;
 * - true: any user with a completed profile;
 * - a list of roles; 'customer' admits every completed role, since higher roles can do what a customer can;
 * - `{ roles, staff: [module, level] }`: those roles, and staff only with that module and level.
 *   A route that gives staff powers names its module; a list with 'staff' but no rule is refused at start.
 */
export type Access = RoleAccess | { roles: RoleAccess; staff: StaffRule }

export interface AuthUser {
  id: string
  role: Role
  name: string
  staffProfile: StaffProfile | null
  staffModules: string[] | null
}

/** Whether a role passes a route's role rule (staff rules are checked apart, by staffMay). */
export function mayAccess(role: Role, access: RoleAccess): boolean {
  if (access === 'any') return true
  if (role === 'phone_only') return false
  if (access === true) return true
  return access.includes(role) || access.includes('customer')
}
