/**
 * Catching a typed error in a test.
 */
import { expect } from 'vitest'

/** The error `f` throws, asserted to be a `type`; the test fails when `f` returns instead. */
export function thrownBy<E extends Error>(type: abstract new (...args: never[]) => E, f: () => unknown): E {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(type)
    return e as E
  }
  throw new Error(`expected a ${type.name}`)
}
