import { customAlphabet } from 'nanoid'

// In ASCII order, so that fixed-width strings over it sort like the numbers they encode.
const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const random = customAlphabet(DIGITS, 8)

function base62(value: number, width: number) {
  let text = ''
  for (let rest = value; text.length < width; rest = Math.floor(rest / DIGITS.length))
    text = DIGITS[rest % DIGITS.length] + text
  return text
}

let lastMs = 0
let sequence = 0

/**
 * Prefixed ids such as `usr_0Ol3kV2a00007xQ…`, so an id says what it points at. Within one process
 * they increase in creation order (milliseconds, then a counter, then randomness), so lists ordered
 * by (created_at, id) keep insertion order even for rows created in the same millisecond or under
 * a stopped test clock: a wallet's ledger reads in the order its balances were reached.
 */
export function newId(prefix: string) {
  const now = Date.now()
  // A wall clock that steps back keeps counting on from the last millisecond instead.
  if (now > lastMs) [lastMs, sequence] = [now, 0]
  else sequence += 1
  return `${prefix}_${base62(lastMs, 8)}${base62(sequence, 4)}${random()}`
}
