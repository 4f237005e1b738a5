import { expect, test } from 'bun:test'
import { dirname, join } from 'node:path'

const workerBinary = join(
  import.meta.dir,
  '..',
  '..',
  'node_modules',
  'mediasoup',
  'worker',
  'out',
  'Release',
  'mediasoup-worker',
)
const nss = /libnss3|libsoftokn3|libfreebl|libnspr4/

/** `ldd` of a binary: each library's name and the path it resolves to. */
function linkedLibraries(binary: string): Map<string, string> {
  const ldd = Bun.spawnSync(['ldd', binary])
  expect(ldd.exitCode).toBe(0)
  return new Map([...ldd.stdout.toString().matchAll(/^\s*(\S+) => (\S+)/gm)].map((match) => [match[1]!, match[2]!]))
}

test('the worker encrypts with the libsrtp2 built on OpenSSL beside it, and links no NSS', () => {
  const worker = linkedLibraries(workerBinary)
  expect(worker.get('libsrtp2.so.1')).toBe(join(dirname(workerBinary), 'libsrtp2.so.1'))
  expect([...worker.keys()].filter((name) => nss.test(name))).toEqual([])

  const srtp = linkedLibraries(worker.get('libsrtp2.so.1')!)
  expect(srtp.has('libcrypto.so.3')).toBe(true)
  expect([...srtp.keys()].filter((name) => nss.test(name))).toEqual([])
})
