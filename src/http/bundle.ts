import type { BunPlugin } from 'bun'
import { basename, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const sdkEntry = fileURLToPath(new URL('../../media/client/index.ts', import.meta.url))

/** Pages built on the SDK import it as its package name, `@majlis/sdk`, and get exactly what the package exports. */
export const sdkPackageAlias: BunPlugin = {
  name: 'majlis-sdk-package',
  setup(build) {
    build.onResolve({ filter: /^@majlis\/sdk$/ }, () => ({ path: sdkEntry }))
  },
}

/** Bundles a browser entry point with Bun.build once, on first request (a failed build is retried next time). */
export function lazyBundle(entry: string, plugins: BunPlugin[] = []): () => Promise<string> {
  let bundle: Promise<string> | null = null
  return () => {
    bundle ??= Bun.build({ entrypoints: [entry], target: 'browser', format: 'esm', minify: true, plugins }).then(
      async (result) => {
        if (!result.success) throw new AggregateError(result.logs, `bundling ${entry} failed`)
        return result.outputs[0]!.text()
      },
    )
    bundle.catch(() => (bundle = null))
    return bundle
  }
}

export const javascriptHeaders = { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }

/**
 * The `.d.ts` files of a browser entry point and the modules it imports, by file name (relative
 * imports end in `.js`, as in the published package). TypeScript is loaded only when asked.
 */
export async function declarationsOf(entry: string): Promise<Map<string, string>> {
  const { default: ts } = await import('typescript')
  const rootDir = dirname(entry)
  const files = new Map<string, string>()
  const program = ts.createProgram([entry], {
    target: ts.ScriptTarget.ESNext,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.esnext.d.ts', 'lib.dom.d.ts'],
    types: [],
    strict: true,
    skipLibCheck: true,
    declaration: true,
    emitDeclarationOnly: true,
    allowImportingTsExtensions: true,
    rootDir,
    outDir: '/types',
  })
  const emitted = program.emit(undefined, (name, text) =>
    files.set(basename(name), text.replace(/(from '\.\/[\w-]+)\.ts'/g, "$1.js'")),
  )
  if (emitted.diagnostics.length > 0)
    throw new Error(
      ts.formatDiagnostics(emitted.diagnostics, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => rootDir,
        getNewLine: () => '\n',
      }),
    )
  return files
}

/** declarationsOf, once per process (a failure is retried next time). */
export function lazyDeclarations(entry: string): () => Promise<Map<string, string>> {
  let declarations: Promise<Map<string, string>> | null = null
  return () => {
    declarations ??= declarationsOf(entry)
    declarations.catch(() => (declarations = null))
    return declarations
  }
}
