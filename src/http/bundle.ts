/** Bundles a browser entry point with Bun.build once, on first request (a failed build is retried next time). */
export function lazyBundle(entry: string): () => Promise<string> {
  let bundle: Promise<string> | null = null
  return () => {
    bundle ??= Bun.build({ entrypoints: [entry], target: 'browser', format: 'esm', minify: true }).then(async (result) => {
      if (!result.success) throw new AggregateError(result.logs, `bundling ${entry} failed`)
      return result.outputs[0]!.text()
    })
    bundle.catch(() => (bundle = null))
    return bundle
  }
}

export const javascriptHeaders = { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }
