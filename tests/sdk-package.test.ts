import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createTestApp, type TestApp } from './helpers/app.ts'
import { tempDir } from './helpers/server-process.ts'

const root = join(import.meta.dir, '..')
const bun = process.execPath

async function run(cmd: string[], cwd: string): Promise<string> {
  const child = Bun.spawn(cmd, {
    cwd,
    stdout: 'pipe',
    stderr: 'pipe',
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
  })
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ])
  if (code !== 0) throw new Error(`${cmd.join(' ')} failed (${code}):\n${out}\n${err}`)
  return out
}

// A customer's front end: an empty project that installs the packed SDK, type-checks a program against it and bundles it.
describe('the SDK as an npm package', () => {
  const project = join(tempDir(), 'customer-app')

  beforeAll(async () => {
    await run([bun, 'sdk/build.ts'], root)
    await mkdir(project, { recursive: true })
    const packed = JSON.parse(
      await run(['npm', 'pack', join(root, 'sdk'), '--json', '--pack-destination', project], root),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>
    expect(packed[0]!.files.map((file) => file.path)).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/majlis-class.d.ts',
      ]),
    )
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'customer-app', private: true, type: 'module' }),
    )
    await run(
      ['npm', 'install', '--prefer-offline', '--no-audit', '--no-fund', join(project, packed[0]!.filename)],
      project,
    )
  }, 240_000)

  test('installs with mediasoup-client as its dependency, type-checks a class client and bundles it for the browser', async () => {
    expect(await readdir(join(project, 'node_modules'))).toEqual(
      expect.arrayContaining(['@majlis', 'mediasoup-client']),
    )
    await writeFile(
      join(project, 'main.ts'),
      `import { MajlisClass, REACTIONS, type Poll, type Question } from '@majlis/sdk'

export async function attend(token: string, roomCode: string): Promise<string> {
  const lesson = await MajlisClass.open({ url: 'wss://school.example/ws', token, roomCode, language: 'ar' })
  lesson.on('pollOpened', ({ poll }: { poll: Poll }) => void lesson.vote(poll.id, [poll.options[0]!.id]))
  lesson.on('question', ({ question }: { question: Question }) => console.log(question.votes, question.status))
  lesson.on('reactions', ({ counts }) => console.log(counts['👏'] ?? 0))
  lesson.on('removed', () => lesson.close())
  await lesson.raiseHand(true)
  await lesson.react(REACTIONS[0]!)
  const message = await lesson.sendChat('السلام عليكم')
  return message.id
}
`,
    )
    await writeFile(
      join(project, 'wrong.ts'),
      `import { MajlisClass } from '@majlis/sdk'
export const wrong = (lesson: MajlisClass) => lesson.react('🙂')
`,
    )
    const compilerOptions = {
      strict: true,
      noEmit: true,
      module: 'ESNext',
      moduleResolution: 'bundler',
      target: 'ES2022',
      lib: ['ES2022', 'DOM'],
      types: [],
      skipLibCheck: true,
    }
    await writeFile(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['main.ts'] }))
    await run([join(root, 'node_modules/.bin/tsc'), '-p', 'tsconfig.json'], project)
    // The types are real: a reaction outside the set does not compile.
    await writeFile(join(project, 'tsconfig.wrong.json'), JSON.stringify({ compilerOptions, files: ['wrong.ts'] }))
    const refused = await run([join(root, 'node_modules/.bin/tsc'), '-p', 'tsconfig.wrong.json'], project).then(
      () => '',
      (error: Error) => error.message,
    )
    expect(refused).toContain('"🙂"')

    await run([bun, 'build', 'main.ts', '--target', 'browser', '--outfile', 'out/app.js'], project)
    const bundled = await Bun.file(join(project, 'out/app.js')).text()
    expect(bundled).toContain('live:join')
    expect(bundled).toContain('createSendTransport')
    expect(bundled).not.toMatch(/from\s*["']mediasoup-client["']/)
  }, 120_000)
})

describe('the SDK served at /sdk/', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await createTestApp()
  })
  afterAll(() => app.close())

  test('the bundle names its types, and the declarations are served beside it', async () => {
    const bundle = await app.call('GET', '/sdk/majlis-media.js')
    expect(bundle.status).toBe(200)
    expect(bundle.headers.get('x-typescript-types')).toBe('/sdk/types/index.d.ts')
    expect(String(bundle.body)).toContain('live:join')
    const index = await app.call('GET', '/sdk/types/index.d.ts')
    expect(String(index.body)).toContain("from './majlis-class.js'")
    expect(String((await app.call('GET', '/sdk/types/majlis-class.d.ts')).body)).toContain('declare class MajlisClass')
    expect((await app.call('GET', '/sdk/types/nothing.d.ts')).status).toBe(404)
    expect((await app.call('GET', '/sdk/types/..%2Fconfig.ts')).status).toBe(422)
  }, 30_000)
})
