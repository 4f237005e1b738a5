/** Installs missing Debian packages with apt-get (as root, or through sudo), saying which and why. */
export function ensureDebianPackages(
  packages: string[],
  purpose: string,
  log: (line: string) => void = console.log,
): void {
  const missing = packages.filter((name) => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own field syntax, not a template
    const query = Bun.spawnSync(['dpkg-query', '-W', '-f=${Status}', name], { stderr: 'ignore' })
    return !query.stdout.toString().includes('install ok installed')
  })
  if (missing.length === 0) return
  log(`installing Debian packages for ${purpose} with apt-get: ${missing.join(' ')}`)
  const asRoot = process.getuid?.() === 0 ? [] : ['sudo']
  for (const command of [
    ['apt-get', 'update'],
    ['apt-get', 'install', '-y', '--no-install-recommends', ...missing],
  ]) {
    const result = Bun.spawnSync([...asRoot, ...command], {
      stdout: 'inherit',
      stderr: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    })
    if (result.exitCode !== 0) throw new Error(`${command.join(' ')} failed with exit code ${result.exitCode}`)
  }
}
