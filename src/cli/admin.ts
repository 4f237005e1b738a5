import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { oneOf } from '../http/enums.ts'
import { Value } from '@sinclair/typebox/value'
import { t } from 'elysia'
import { systemClock } from '../clock.ts'
import { ConfigError, loadConfig } from '../config.ts'
import { BackupError, backupDatabase, restoreDatabase } from '../db/backup.ts'
import {
  localFilePath,
  openDatabase,
  shownDatabaseUrl,
  type DatabaseHandle,
  type DatabaseOptions,
} from '../db/client.ts'
import { applyMigrations } from '../db/migrate.ts'
import { staffModules, staffProfiles } from '../db/schema/auth.ts'
import { DomainError } from '../errors/domain.ts'
import { AdjustCoinsBody, CoinAmount, Email, Name, Password, UserService, Wallet } from '../modules/auth/public.ts'
import { CatalogService, seedCatalogue } from '../modules/marketplace/public.ts'

const usage = `Usage: npm run admin -- create-staff --email <email> --name <name> [--password <pw> | STAFF_PASSWORD=<pw>]
                                [--profile admin|power|user|qa] [--modules tickets,support,...]
       npm run admin -- adjust-coins --user <id> --amount <n> --reason <text>
       npm run admin -- seed-catalog
       npm run admin -- backup <file>
       npm run admin -- restore <file>

create-staff: a back-office (staff) account. Staff accounts cannot be registered through the API.
adjust-coins: credits (n > 0) or debits (n < 0) a coin wallet; the reason goes into the ledger.
seed-catalog: adds a development catalogue of service categories (Arabic and English); running it again adds nothing.
backup: a consistent copy of the database (DATABASE_URL) into a new file, safe while the server runs and takes writes.
restore: puts a backup in the database's place; refused while any instance has it open (stop them first).
         The database it replaces is kept beside it as <name>.before-restore-<time>.
Backups cover the database only: copy UPLOAD_DIR too (docs/operations.md, "Backups and restore").`

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

const AdjustInput = t.Object({
  user: t.String({ minLength: 1, maxLength: 64 }),
  amount: CoinAmount,
  reason: AdjustCoinsBody.properties.reason,
})

async function withDatabase<T>(work: (db: DatabaseHandle['db']) => Promise<T>): Promise<T> {
  const database = await openDatabase(loadConfig().database)
  try {
    await applyMigrations(database.db)
    return await work(database.db)
  } finally {
    database.close()
  }
}

/** `--amount -50` reads as a debit: node's parseArgs would take "-50" for an option. */
function joinNegativeAmount(args: string[]): string[] {
  const joined: string[] = []
  for (let index = 0; index < args.length; index += 1) {
    if (args[index] === '--amount' && /^-[0-9]+$/.test(args[index + 1] ?? '')) joined.push(`--amount=${args[++index]}`)
    else joined.push(args[index]!)
  }
  return joined
}

async function adjustCoins(args: string[]) {
  const { values } = parseArgs({
    args: joinNegativeAmount(args),
    options: { user: { type: 'string' }, amount: { type: 'string' }, reason: { type: 'string' } },
    strict: true,
  })
  const input = {
    user: values.user,
    amount: values.amount === undefined || !/^-?[0-9]+$/.test(values.amount) ? values.amount : Number(values.amount),
    reason: values.reason,
  }
  const problem = Value.Errors(AdjustInput, input).First()
  if (problem) fail(`${problem.path.slice(1) || 'input'}: ${problem.message}\n\n${usage}`)
  const { user, amount, reason } = input as typeof AdjustInput.static
  const balance = await withDatabase((db) => new Wallet(db, systemClock).adjust(user, amount, reason, null))
  console.log(JSON.stringify({ userId: user, balance }))
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
    modules: values.modules
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean),
  }
  const problem = Value.Errors(StaffInput, input).First()
  if (problem) fail(`${problem.path.slice(1) || 'input'}: ${problem.message}\n\n${usage}`)

  const user = await withDatabase((db) =>
    new UserService(db, systemClock).createStaff(input as typeof StaffInput.static),
  )
  console.log(
    JSON.stringify({
      created: {
        id: user.id,
        email: user.email,
        role: user.role,
        staffProfile: user.staffProfile,
        staffModules: user.staffModules,
      },
    }),
  )
}

/** The database file of DATABASE_URL: backup and restore work on a local SQLite file only. */
function databaseFile({ url }: DatabaseOptions): string {
  const file = localFilePath(url)
  if (!file)
    fail(`DATABASE_URL (${shownDatabaseUrl(url)}) is not a local file: back a libSQL server up with its own tools`)
  return file
}

function fileArgument(args: string[], command: string): string {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true })
  if (positionals.length !== 1) fail(`${command} takes one file name\n\n${usage}`)
  return positionals[0]!
}

async function backup(args: string[]) {
  const target = fileArgument(args, 'backup')
  const options = loadConfig().database
  const file = databaseFile(options)
  if (!existsSync(file)) fail(`there is no database at ${file} (DATABASE_URL)`)
  const database = await openDatabase(options)
  try {
    console.log(JSON.stringify({ backup: await backupDatabase(database.db, target) }))
  } finally {
    database.close()
  }
}

function restore(args: string[]) {
  const source = fileArgument(args, 'restore')
  const file = databaseFile(loadConfig().database)
  console.log(JSON.stringify({ restored: { from: source, database: file, ...restoreDatabase(source, file) } }))
}

const [command, ...rest] = process.argv.slice(2)
try {
  if (command === 'create-staff') await createStaff(rest)
  else if (command === 'adjust-coins') await adjustCoins(rest)
  else if (command === 'seed-catalog')
    console.log(JSON.stringify({ created: await withDatabase((db) => seedCatalogue(new CatalogService(db))) }))
  else if (command === 'backup') await backup(rest)
  else if (command === 'restore') restore(rest)
  else fail(usage)
} catch (error) {
  if (error instanceof DomainError || error instanceof ConfigError || error instanceof BackupError) fail(error.message)
  if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
    fail(`${error.message}\n\n${usage}`)
  throw error
}
