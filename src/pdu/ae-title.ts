/**
 * Application Entity titles as carried in A-ASSOCIATE-RQ/AC (PS3.8 §9.3.2, PS3.5 §6.2 VR AE).
 * @module
 */

/** Result of {@link validateAeTitle}: either the normalized title or the reason it is invalid. */
export type AeTitleCheck =
  | {
      /** The title is valid. */
      ok: true
      /** The title without its non-significant leading/trailing spaces. */
      value: string
    }
  | {
      /** The title is invalid. */
      ok: false
      /** Why, in words, for error messages. */
      reason: string
    }

/** Length of the AE title fields in A-ASSOCIATE-RQ/AC (PS3.8 Table 9-11). */
export const AE_TITLE_LENGTH = 16

/**
 * Check an AE title against PS3.5 §6.2 (VR AE) and PS3.8 §9.3.2: at most 16 characters of the
 * default character repertoire (ISO 646) excluding backslash (5CH) and control characters;
 * leading and trailing spaces are not significant; a title made only of spaces shall not be used.
 *
 * @returns `{ ok: true, value }` with leading/trailing spaces removed, or `{ ok: false, reason }`.
 * @see https://dicom.nema.org/medical/dicom/current/output/html/part05.html#sect_6.2
 */
export function validateAeTitle(s: string): AeTitleCheck {
  const value = trimAeTitle(s)
  if (value.length === 0) return { ok: false, reason: 'AE title is empty or only spaces' }
  if (value.length > AE_TITLE_LENGTH) return { ok: false, reason: `AE title is longer than ${AE_TITLE_LENGTH} characters` }
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 0x20 || c > 0x7e) return { ok: false, reason: `AE title has a non-printable or non-ASCII character at ${i}` }
    if (c === 0x5c) return { ok: false, reason: 'AE title contains a backslash' }
  }
  return { ok: true, value }
}

/**
 * Remove the non-significant leading and trailing spaces of an AE title field. Trailing NUL bytes,
 * which some implementations use as padding, are removed too.
 */
export function trimAeTitle(s: string): string {
  let a = 0
  let b = s.length
  while (a < b && (s.charCodeAt(a) === 0x20 || s.charCodeAt(a) === 0)) a++
  while (b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0)) b--
  return s.substring(a, b)
}
