/**
 * Data dictionary lookups (PS3.6): by tag and by keyword, in O(1).
 * PROVISIONAL: a handful of entries until the generated dictionary lands.
 * @module
 */
import type { Tag } from './tag.js'
import type { VR } from './vr.js'

export interface DictionaryEntry {
  tag: Tag
  /** One VR, or several where the standard allows several (e.g. `OB or OW` → ['OB','OW']). */
  vr: VR[]
  /** Value multiplicity as in PS3.6, e.g. `1`, `1-n`, `2-2n`. */
  vm: string
  keyword: string
  name: string
  retired: boolean
}

const ENTRIES: DictionaryEntry[] = [
  { tag: 0x00020010, vr: ['UI'], vm: '1', keyword: 'TransferSyntaxUID', name: 'Transfer Syntax UID', retired: false },
  { tag: 0x00080005, vr: ['CS'], vm: '1-n', keyword: 'SpecificCharacterSet', name: 'Specific Character Set', retired: false },
  { tag: 0x00100010, vr: ['PN'], vm: '1', keyword: 'PatientName', name: "Patient's Name", retired: false },
  { tag: 0x00100020, vr: ['LO'], vm: '1', keyword: 'PatientID', name: 'Patient ID', retired: false },
]
const BY_TAG = new Map(ENTRIES.map((e) => [e.tag, e]))
const BY_KEYWORD = new Map(ENTRIES.map((e) => [e.keyword, e.tag]))

export function lookupTag(tag: Tag): DictionaryEntry | undefined {
  return BY_TAG.get(tag)
}

export function tagOfKeyword(keyword: string): Tag | undefined {
  return BY_KEYWORD.get(keyword)
}
