/**
 * Tags as plain numbers: `(group << 16 | element) >>> 0`. Cheap to compare, to sort and to use
 * as Map keys. @see PS3.5 §7.1
 * @module
 */

/** A data element tag: `group << 16 | element`, unsigned. */
export type Tag = number

/** Build a tag from its group and element numbers. */
export function tag(group: number, element: number): Tag {
  return ((group << 16) | (element & 0xffff)) >>> 0
}

export function tagGroup(t: Tag): number {
  return t >>> 16
}

export function tagElement(t: Tag): number {
  return t & 0xffff
}

/** Private data elements have an odd group number (PS3.5 §7.8). */
export function isPrivateTag(t: Tag): boolean {
  return (t >>> 16) % 2 === 1
}

/** Private Creator elements: (gggg,0010-00FF) with gggg odd (PS3.5 §7.8.1). */
export function isPrivateCreatorTag(t: Tag): boolean {
  const e = t & 0xffff
  return isPrivateTag(t) && e >= 0x0010 && e <= 0x00ff
}

/** Group length elements (gggg,0000). */
export function isGroupLengthTag(t: Tag): boolean {
  return (t & 0xffff) === 0
}

const HEX = '0123456789ABCDEF'
function hex4(n: number): string {
  return HEX[(n >>> 12) & 15]! + HEX[(n >>> 8) & 15]! + HEX[(n >>> 4) & 15]! + HEX[n & 15]!
}

/** `(0010,0010)` */
export function formatTag(t: Tag): string {
  return `(${hex4(t >>> 16)},${hex4(t & 0xffff)})`
}

/** `00100010`, the form used as keys of the DICOM JSON model (PS3.18 F.2.1.1). */
export function tagToHex(t: Tag): string {
  return hex4(t >>> 16) + hex4(t & 0xffff)
}

/**
 * Parse `(0010,0010)`, `0010,0010` or `00100010` into a tag. Returns undefined when the text is
 * not a tag.
 */
export function parseTag(text: string): Tag | undefined {
  const m = /^\(?([0-9A-Fa-f]{4}),?([0-9A-Fa-f]{4})\)?$/.exec(text.trim())
  if (!m) return undefined
  return tag(parseInt(m[1]!, 16), parseInt(m[2]!, 16))
}

/** Item, Item Delimitation and Sequence Delimitation tags (PS3.5 §7.5). */
export const ItemTag: Tag = 0xfffee000
export const ItemDelimitationTag: Tag = 0xfffee00d
export const SequenceDelimitationTag: Tag = 0xfffee0dd
/** Value length meaning "undefined length" (PS3.5 §7.1.1). */
export const UNDEFINED_LENGTH = 0xffffffff
