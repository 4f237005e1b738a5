import { parseArgs } from 'node:util'
import { oneOf } from '../http/enums.ts'
import { Value } from '@sinclair/typebox/value'
import { t } from 'elysia'
import { systemClock } from '../clock.ts'
import { ConfigError, loadConfig } from '../config.ts'
import { openDatabase } from '../db/client.ts'
import { applyMigrations } from '../db/migrate.ts'
import { staffModules, staffProfiles } from '../db/schema/auth.ts'
import { ApiError } from '../http/errors.ts'
import { Email, Name, Password } from '../modules/auth/model.ts'
import { UserService } from '../modules/auth/service.ts'

const usage = `Usage: bun run admin create-staff --email <email> --name <name> [--password <pw> | STAFF_PASSWORD=<pw>]
                                [--profile admin|power|user|qa] [--modules tickets,support,...]

Creates a back-office (staff) account. Staff accounts cannot be registered through the API.`

const StaffInput = t.Object({
  email: Email,
  name: Name,
  password: Password,
  profile: oneOf(staffProfiles),
  modules: t.Array(oneOf(staffModules)),
})

function fail(message: string): never {
  console.error(message)
  process.exit(2)
}

async function createStaff(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      password: { type: 'string' },
      profile: { type: 'string', default: 'user' },
      modules: { type: 'string', default: '' },
    },
    strict: true,
  })
  const input = {
    email: values.email,
    name: values.name,
    password: values.password ?? process.env.STAFF_PASSWORD,
    profile: values.profile,
    modules: values.modules.split(',').map((m) => m.trim()).filter(Boolean),
  }
  const problem = Value.Errors(StaffInput, input).First()
  if (problem) fail(`${problem.path.slice(1) || 'input'}: ${problem.message}\n\n${usage}`)

  const config = loadConfig()
  const database = await openDatabase(config.database)
  try {
    await applyMigrations(database.db)
    const user = await new UserService(database.db, systemClock).createStaff(input as typeof StaffInput.static)
    console.log(JSON.stringify({ created: { id: user.id, email: user.email, role: user.role, staffProfile: user.staffProfile, staffModules: user.staffModules } }))
  } finally {
    database.close()
  }
}

const [command, ...rest] = process.argv.slice(2)
try {
  if (command === 'create-staff') await createStaff(rest)
  else fail(usage)
} catch (error) {
  if (error instanceof ApiError || error instanceof ConfigError) fail(error.message)
  if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) fail(`${error.message}\n\n${usage}`)
  throw error
}
