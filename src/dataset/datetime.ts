/**
 * DA, TM and DT values (PS3.5 Table 6.2-1) to and from JavaScript values.
 * - DA `YYYYMMDD`
 * - TM `HH[MM[SS[.F{1,6}]]]` (ACR-NEMA `HH:MM:SS` is accepted on input)
 * - DT `YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]][&ZZXX]`
 * Parsing returns undefined for text that is not a valid value; nothing here throws on input.
 * @module
 */

/** A time of day with microsecond resolution, as TM holds it. */
export interface DicomTime {
  hours: number
  minutes: number
  seconds: number
  /** Fraction of a second in microseconds (0..999999). */
  microseconds: number
}

/** A DT value: the instant, and what the text said about precision and offset. */
export interface DicomDateTime {
  /** The instant in UTC; without an offset the components are taken as UTC. */
  date: Date
  /** Offset from UTC in minutes when the value had `&ZZXX`. */
  offsetMinutes?: number
  /** Microseconds beyond the millisecond resolution of `date` (0..999). */
  extraMicroseconds: number
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0')

function validDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate()
}

/** Parse a DA value (also the ACR-NEMA form `YYYY.MM.DD`) to a UTC midnight Date. */
export function parseDA(text: string): Date | undefined {
  const m = /^(\d{4})\.?(\d{2})\.?(\d{2})$/.exec(text.trim())
  if (!m) return undefined
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (!validDay(y, mo, d)) return undefined
  const out = new Date(Date.UTC(y, mo - 1, d))
  out.setUTCFullYear(y) // years 0..99 are not shifted to 1900..1999
  return out
}

/** Format the UTC date of a Date as DA. */
export function formatDA(date: Date): string {
  return `${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1, 2)}${pad(date.getUTCDate(), 2)}`
}

/** Parse a TM value. */
export function parseTM(text: string): DicomTime | undefined {
  const m = /^(\d{2})(?::?(\d{2})(?::?(\d{2})(?:\.(\d{1,6}))?)?)?$/.exec(text.trim())
  if (!m) return undefined
  const t: DicomTime = {
    hours: Number(m[1]),
    minutes: m[2] ? Number(m[2]) : 0,
    seconds: m[3] ? Number(m[3]) : 0,
    microseconds: m[4] ? Number(m[4].padEnd(6, '0')) : 0,
  }
  // 60 is allowed for leap seconds (PS3.5 Table 6.2-1, TM)
  if (t.hours > 23 || t.minutes > 59 || t.seconds > 60) return undefined
  return t
}

/**
 * Format a TM value. `precision` is the number of fraction digits (0..6); default: as many as
 * needed for the microseconds, none when they are 0.
 */
export function formatTM(t: DicomTime | Date, precision?: number): string {
  const v: DicomTime = t instanceof Date
    ? { hours: t.getUTCHours(), minutes: t.getUTCMinutes(), seconds: t.getUTCSeconds(), microseconds: t.getUTCMilliseconds() * 1000 }
    : t
  const base = `${pad(v.hours, 2)}${pad(v.minutes, 2)}${pad(v.seconds, 2)}`
  const digits = precision ?? (v.microseconds === 0 ? 0 : 6 - (/0*$/.exec(pad(v.microseconds, 6))![0].length))
  if (digits <= 0) return base
  return `${base}.${pad(v.microseconds, 6).slice(0, Math.min(6, digits))}`
}

/** Parse a DT value. Missing components take their lowest value. */
export function parseDT(text: string): DicomDateTime | undefined {
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,6}))?(?:([+-])(\d{2})(\d{2}))?$/.exec(text.trim())
  if (!m) return undefined
  const y = Number(m[1])
  const mo = m[2] ? Number(m[2]) : 1
  const d = m[3] ? Number(m[3]) : 1
  const h = m[4] ? Number(m[4]) : 0
  const mi = m[5] ? Number(m[5]) : 0
  const s = m[6] ? Number(m[6]) : 0
  const us = m[7] ? Number(m[7].padEnd(6, '0')) : 0
  if (!validDay(y, mo, d) || h > 23 || mi > 59 || s > 60) return undefined
  let ms = Date.UTC(y, mo - 1, d, h, mi, s, Math.floor(us / 1000))
  if (y < 100) ms = new Date(ms).setUTCFullYear(y)
  const out: DicomDateTime = { date: new Date(ms), extraMicroseconds: us % 1000 }
  if (m[8]) {
    const off = (Number(m[9]) * 60 + Number(m[10])) * (m[8] === '-' ? -1 : 1)
    if (Math.abs(off) > 14 * 60) return undefined
    out.offsetMinutes = off
    out.date = new Date(ms - off * 60_000)
  }
  return out
}

/**
 * Format an instant as DT with millisecond precision. With `offsetMinutes`, the components are
 * local to that offset and `&ZZXX` is appended; otherwise they are UTC and no offset is written.
 */
export function formatDT(date: Date, offsetMinutes?: number): string {
  const local = new Date(date.getTime() + (offsetMinutes ?? 0) * 60_000)
  const ms = local.getUTCMilliseconds()
  let s = `${formatDA(local)}${pad(local.getUTCHours(), 2)}${pad(local.getUTCMinutes(), 2)}${pad(local.getUTCSeconds(), 2)}`
  if (ms !== 0) s += `.${pad(ms, 3)}`
  if (offsetMinutes !== undefined) {
    const a = Math.abs(offsetMinutes)
    s += `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(a / 60), 2)}${pad(a % 60, 2)}`
  }
  return s
}
