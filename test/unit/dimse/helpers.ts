// Test-only helpers: a fixture loader and an independent command-set builder (not the encoder
// under test). The builder writes Implicit VR Little Endian elements exactly as listed.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const FIXTURES = fileURLToPath(new URL('../../fixtures/dimse/', import.meta.url))

/** Read a .hex fixture: `#` lines are comments, the rest is whitespace-separated hex bytes. */
export function loadHex(name: string): Uint8Array {
  const text = readFileSync(FIXTURES + name, 'utf8')
  const hex = text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('')
    .replace(/\s+/g, '')
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16)
  return out
}

export type RawValue = { us: number } | { ul: number } | { str: string; pad: 0x00 | 0x20 } | { at: number[] } | { raw: number[] }

/** Encode one element: tag (group 0000 unless given), 4-byte length, value. */
export function el(tag: number, v: RawValue): number[] {
  let value: number[]
  if ('us' in v) value = [v.us & 0xff, v.us >>> 8]
  else if ('ul' in v) value = [v.ul & 0xff, (v.ul >>> 8) & 0xff, (v.ul >>> 16) & 0xff, v.ul >>> 24]
  else if ('str' in v) {
    value = [...v.str].map((c) => c.charCodeAt(0))
    if (value.length % 2) value.push(v.pad)
  } else if ('at' in v) value = v.at.flatMap((t) => [(t >>> 16) & 0xff, t >>> 24, t & 0xff, (t >>> 8) & 0xff])
  else value = v.raw
  const g = tag >>> 16
  const e = tag & 0xffff
  const n = value.length
  return [g & 0xff, g >>> 8, e & 0xff, e >>> 8, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24, ...value]
}

/** A command set from elements (already in order), with a correct group length in front. */
export function commandSet(...elements: number[][]): Uint8Array {
  const body = elements.flat()
  return new Uint8Array([...el(0x00000000, { ul: body.length }), ...body])
}

export const ui = (s: string): RawValue => ({ str: s, pad: 0x00 })
export const ae = (s: string): RawValue => ({ str: s, pad: 0x20 })
export const us = (n: number): RawValue => ({ us: n })
