/**
 * The UID registry (PS3.6 Annex A, Table A-1): transfer syntaxes, SOP classes, meta SOP classes,
 * well-known instances and frames of reference, the application context name, coding schemes.
 * Parsed from ./generated/uids.ts when the module is first imported (a few hundred lines).
 * @module
 */
import { UID_RECORDS, UID_TYPES } from './generated/uids.js'

/** One registered UID. */
export interface UidEntry {
  uid: string
  /** PS3.6 keyword, e.g. `CTImageStorage`; empty for the few retired UIDs PS3.6 leaves unnamed. */
  keyword: string
  /** PS3.6 name, e.g. `CT Image Storage`. */
  name: string
  /**
   * PS3.6 UID type, e.g. `SOP Class`, `Transfer Syntax`, `Meta SOP Class`,
   * `Application Context Name`, `Well-known frame of reference`.
   */
  type: string
  retired: boolean
  /**
   * True for SOP classes of the Storage Service Class (PS3.4 Annex B and the non-patient object
   * storage of Annex GG etc.): everything DCMTK's storescp accepts, plus hanging protocols,
   * implant templates, color palettes and defined procedure protocols. Not the Media Storage
   * Directory (DICOMDIR) class, which is never sent by C-STORE.
   */
  storage: boolean
}

interface UidIndex {
  byUid: Map<string, UidEntry>
  byKeyword: Map<string, UidEntry>
  storage: string[]
}

let uidIndex: UidIndex | undefined

function nameFromKeyword(kw: string): string {
  return kw.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
}

function getUidIndex(): UidIndex {
  if (uidIndex) return uidIndex
  const byUid = new Map<string, UidEntry>()
  const byKeyword = new Map<string, UidEntry>()
  const storage: string[] = []
  for (const line of UID_RECORDS.split('\n')) {
    if (line === '') continue
    const f = line.split('|')
    const flags = Number(f[4])
    const keyword = f[1]!
    const entry: UidEntry = Object.freeze({
      uid: f[0]!,
      keyword,
      name: f[2] || nameFromKeyword(keyword),
      type: UID_TYPES[Number(f[3])] ?? '',
      retired: (flags & 1) !== 0,
      storage: (flags & 2) !== 0,
    })
    byUid.set(entry.uid, entry)
    if (keyword !== '') byKeyword.set(keyword, entry)
    if (entry.storage) storage.push(entry.uid)
  }
  uidIndex = { byUid, byKeyword, storage }
  return uidIndex
}

/** Look up a registered UID. Undefined for UIDs not in PS3.6 (e.g. instance or private UIDs). */
export function lookupUid(uid: string): UidEntry | undefined {
  return getUidIndex().byUid.get(uid)
}

/** The UID registered under a PS3.6 keyword, e.g. `uidOfKeyword('CTImageStorage')`. */
export function uidOfKeyword(keyword: string): string | undefined {
  return getUidIndex().byKeyword.get(keyword)?.uid
}

/** True when `uid` is a Storage SOP class (see {@link UidEntry.storage}). */
export function isStorageSopClass(uid: string): boolean {
  return getUidIndex().byUid.get(uid)?.storage === true
}

/**
 * Every Storage SOP class UID known to the registry (including retired ones), in registry order.
 * Suitable as the abstract syntaxes of a storage SCP that accepts everything; note that a requestor
 * can propose at most 128 presentation contexts (PS3.8 §9.3.2.2: context IDs are odd 1-255).
 */
export const STORAGE_SOP_CLASSES: readonly string[] = /* @__PURE__ */ Object.freeze([...getUidIndex().storage])

/**
 * Commonly used SOP class UIDs by PS3.6 keyword. Retired classes are marked in their TSDoc.
 * @see PS3.6 Table A-1, PS3.4 Annexes A (Verification), B (Storage), C (Query/Retrieve),
 * K (Basic Worklist Management)
 */
export const SopClass = {
  /** Verification SOP Class (C-ECHO). */
  Verification: '1.2.840.10008.1.1',
  ComputedRadiographyImageStorage: '1.2.840.10008.5.1.4.1.1.1',
  DigitalXRayImageStorageForPresentation: '1.2.840.10008.5.1.4.1.1.1.1',
  DigitalMammographyXRayImageStorageForPresentation: '1.2.840.10008.5.1.4.1.1.1.2',
  CTImageStorage: '1.2.840.10008.5.1.4.1.1.2',
  EnhancedCTImageStorage: '1.2.840.10008.5.1.4.1.1.2.1',
  UltrasoundMultiFrameImageStorage: '1.2.840.10008.5.1.4.1.1.3.1',
  MRImageStorage: '1.2.840.10008.5.1.4.1.1.4',
  EnhancedMRImageStorage: '1.2.840.10008.5.1.4.1.1.4.1',
  UltrasoundImageStorage: '1.2.840.10008.5.1.4.1.1.6.1',
  SecondaryCaptureImageStorage: '1.2.840.10008.5.1.4.1.1.7',
  MultiFrameTrueColorSecondaryCaptureImageStorage: '1.2.840.10008.5.1.4.1.1.7.4',
  XRayAngiographicImageStorage: '1.2.840.10008.5.1.4.1.1.12.1',
  NuclearMedicineImageStorage: '1.2.840.10008.5.1.4.1.1.20',
  GrayscaleSoftcopyPresentationStateStorage: '1.2.840.10008.5.1.4.1.1.11.1',
  BasicTextSRStorage: '1.2.840.10008.5.1.4.1.1.88.11',
  EnhancedSRStorage: '1.2.840.10008.5.1.4.1.1.88.22',
  ComprehensiveSRStorage: '1.2.840.10008.5.1.4.1.1.88.33',
  KeyObjectSelectionDocumentStorage: '1.2.840.10008.5.1.4.1.1.88.59',
  EncapsulatedPDFStorage: '1.2.840.10008.5.1.4.1.1.104.1',
  PositronEmissionTomographyImageStorage: '1.2.840.10008.5.1.4.1.1.128',
  RTImageStorage: '1.2.840.10008.5.1.4.1.1.481.1',
  RTDoseStorage: '1.2.840.10008.5.1.4.1.1.481.2',
  RTStructureSetStorage: '1.2.840.10008.5.1.4.1.1.481.3',
  RTPlanStorage: '1.2.840.10008.5.1.4.1.1.481.5',
  SegmentationStorage: '1.2.840.10008.5.1.4.1.1.66.4',
  PatientRootQueryRetrieveInformationModelFind: '1.2.840.10008.5.1.4.1.2.1.1',
  PatientRootQueryRetrieveInformationModelMove: '1.2.840.10008.5.1.4.1.2.1.2',
  PatientRootQueryRetrieveInformationModelGet: '1.2.840.10008.5.1.4.1.2.1.3',
  StudyRootQueryRetrieveInformationModelFind: '1.2.840.10008.5.1.4.1.2.2.1',
  StudyRootQueryRetrieveInformationModelMove: '1.2.840.10008.5.1.4.1.2.2.2',
  StudyRootQueryRetrieveInformationModelGet: '1.2.840.10008.5.1.4.1.2.2.3',
  /** Retired (PS3.4 C.6.3 was removed); still used by older peers. */
  PatientStudyOnlyQueryRetrieveInformationModelFind: '1.2.840.10008.5.1.4.1.2.3.1',
  /** Retired. */
  PatientStudyOnlyQueryRetrieveInformationModelMove: '1.2.840.10008.5.1.4.1.2.3.2',
  /** Retired. */
  PatientStudyOnlyQueryRetrieveInformationModelGet: '1.2.840.10008.5.1.4.1.2.3.3',
  CompositeInstanceRootRetrieveMove: '1.2.840.10008.5.1.4.1.2.4.2',
  CompositeInstanceRootRetrieveGet: '1.2.840.10008.5.1.4.1.2.4.3',
  ModalityWorklistInformationModelFind: '1.2.840.10008.5.1.4.31',
  ModalityPerformedProcedureStep: '1.2.840.10008.3.1.2.3.3',
  StorageCommitmentPushModel: '1.2.840.10008.1.20.1',
} as const

/** A keyword of {@link SopClass}. */
export type SopClassKeyword = keyof typeof SopClass

