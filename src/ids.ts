import { customAlphabet } from 'nanoid'

const alphanumeric = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', 20)

/** Prefixed ids such as `usr_3fK…`, so an id says what it points at. */
export const newId = (prefix: string) => `${prefix}_${alphanumeric()}`
