import { readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'

const PID_FILE = /^part-\d+\.pid$/

/** The pid file each running part keeps beside its output, so a later run can find its ffmpeg. */
export const pidFileOf = (dir: string, part: number) => join(dir, `part-${part}.pid`)
/** What ffmpeg reads its RTP inputs from; only needed while the part runs. */
export const sdpFileOf = (dir: string, part: number) => join(dir, `part-${part}.sdp`)

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/**
 * ffmpeg processes an earlier run left in dir (the server was killed; its children were not):
 * asked to finish their files (SIGINT, SIGKILL after graceMs), then forgotten. A pid is only
 * signalled while its command line still names dir, so a recycled pid is left alone.
 */
export async function stopOrphanedFfmpeg(dir: string, graceMs = 5000): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[])
  for (const name of names.filter((candidate) => PID_FILE.test(candidate))) {
    const pid = Number(await readFile(join(dir, name), 'utf8').catch(() => ''))
    const commandLine =
      Number.isInteger(pid) && pid > 0 ? await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '') : ''
    if (commandLine.includes(dir)) {
      process.kill(pid, 'SIGINT')
      const deadline = Date.now() + graceMs
      while (isAlive(pid) && Date.now() < deadline) await Bun.sleep(100)
      if (isAlive(pid)) process.kill(pid, 'SIGKILL')
    }
    await rm(join(dir, name), { force: true })
  }
}
