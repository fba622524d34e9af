/**
 * The 34 Value Representations of PS3.5 §6.2 and the facts codecs need about each.
 * @module
 */

export const VRS = [
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV',
  'OW', 'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
] as const

/** A Value Representation. */
export type VR = (typeof VRS)[number]

/**
 * How a VR's value is represented once decoded:
 * - `text`: character strings affected by Specific Character Set (SH, LO, ST, LT, UT, UC, PN);
 * - `ascii`: character strings in the default repertoire (AE, AS, CS, DA, DT, TM, UI, UR);
 * - `number-string`: DS and IS, decoded to numbers;
 * - `binary-number`: US, SS, UL, SL, FL, FD;
 * - `bigint`: SV, UV (64-bit);
 * - `tag`: AT;
 * - `bulk`: OB, OD, OF, OL, OV, OW, UN (typed arrays);
 * - `sequence`: SQ.
 */
export type VrKind = 'text' | 'ascii' | 'number-string' | 'binary-number' | 'bigint' | 'tag' | 'bulk' | 'sequence'

export interface VrInfo {
  kind: VrKind
  /** Explicit VR uses a 2-byte reserved field and a 4-byte length (PS3.5 §7.1.2, Table 7.1-1). */
  longLength: boolean
  /** Padding byte for odd lengths: NUL for UI and OB/UN, space for other strings (PS3.5 §6.2). */
  padding: 0x00 | 0x20
  /** Bytes per value for fixed-size binary VRs; 0 otherwise. */
  size: number
  /** Backslash separates values (false for LT, ST, UT, UR, which are single-valued). */
  multiValued: boolean
  /** Maximum length of one value in characters (strings) where the standard fixes one; 0 = none. */
  maxLength: number
}

function info(
  kind: VrKind,
  longLength: boolean,
  opts: { padding?: 0x00 | 0x20; size?: number; multiValued?: boolean; maxLength?: number } = {},
): VrInfo {
  const isString = kind === 'text' || kind === 'ascii' || kind === 'number-string'
  return {
    kind,
    longLength,
    padding: opts.padding ?? (isString ? 0x20 : 0x00),
    size: opts.size ?? 0,
    multiValued: opts.multiValued ?? isString,
    maxLength: opts.maxLength ?? 0,
  }
}

/** PS3.5 Table 6.2-1, condensed. */
export const VR_INFO: Readonly<Record<VR, VrInfo>> = {
  AE: info('ascii', false, { maxLength: 16 }),
  AS: info('ascii', false, { maxLength: 4 }),
  AT: info('tag', false, { size: 4 }),
  CS: info('ascii', false, { maxLength: 16 }),
  DA: info('ascii', false, { maxLength: 18 }),
  DS: info('number-string', false, { maxLength: 16 }),
  DT: info('ascii', false, { maxLength: 54 }),
  FD: info('binary-number', false, { size: 8 }),
  FL: info('binary-number', false, { size: 4 }),
  IS: info('number-string', false, { maxLength: 12 }),
  LO: info('text', false, { maxLength: 64 }),
  LT: info('text', false, { multiValued: false, maxLength: 10240 }),
  OB: info('bulk', true, { size: 1 }),
  OD: info('bulk', true, { size: 8 }),
  OF: info('bulk', true, { size: 4 }),
  OL: info('bulk', true, { size: 4 }),
  OV: info('bulk', true, { size: 8 }),
  OW: info('bulk', true, { size: 2 }),
  PN: info('text', false, { maxLength: 64 }),
  SH: info('text', false, { maxLength: 16 }),
  SL: info('binary-number', false, { size: 4 }),
  SQ: info('sequence', true),
  SS: info('binary-number', false, { size: 2 }),
  ST: info('text', false, { multiValued: false, maxLength: 1024 }),
  SV: info('bigint', true, { size: 8 }),
  TM: info('ascii', false, { maxLength: 14 }),
  UC: info('text', true),
  UI: info('ascii', false, { padding: 0x00, maxLength: 64 }),
  UL: info('binary-number', false, { size: 4 }),
  UN: info('bulk', true, { size: 1 }),
  UR: info('ascii', true, { multiValued: false }),
  US: info('binary-number', false, { size: 2 }),
  UT: info('text', true, { multiValued: false }),
  UV: info('bigint', true, { size: 8 }),
}

/** Position of each VR in {@link VRS} (compact VR codes for decoders). */
export const VR_INDEX: Readonly<Record<VR, number>> = Object.fromEntries(VRS.map((v, i) => [v, i])) as Record<VR, number>

const VR_SET: ReadonlySet<string> = new Set(VRS)

/** True when `s` names one of the 34 VRs. */
export function isVR(s: string): s is VR {
  return VR_SET.has(s)
}

/** VR code as the two ASCII bytes of explicit VR encoding: `(c0 << 8) | c1`. */
export function vrCode(vr: VR): number {
  return (vr.charCodeAt(0) << 8) | vr.charCodeAt(1)
}

/**
 * Index of two bytes that are upper-case ASCII letters in a 26×26 table; 676 for any other pair.
 * @internal
 */
export function letterIndex(c0: number, c1: number): number {
  return (c0 - 65) >>> 0 < 26 && (c1 - 65) >>> 0 < 26 ? (c0 - 65) * 26 + c1 - 65 : 676
}

/** VR by the {@link letterIndex} of its two bytes (677 slots, flat for decoders). @internal */
export const VR_BY_LETTERS: readonly (VR | undefined)[] = (() => {
  const t = new Array<VR | undefined>(677).fill(undefined)
  for (const v of VRS) t[letterIndex(v.charCodeAt(0), v.charCodeAt(1))] = v
  return t
})()

/** The VR whose two ASCII bytes are `(b0 << 8) | b1`, or undefined. */
export function vrFromCode(code: number): VR | undefined {
  return code >>> 16 === 0 ? VR_BY_LETTERS[letterIndex(code >>> 8, code & 0xff)] : undefined
}
