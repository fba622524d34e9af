/**
 * Query/Retrieve information models (PS3.4 §C.6) and the Modality Worklist information model
 * (PS3.4 §K.6) as data: levels, the keys of each level with their matching type (U = unique,
 * R = required, O = optional), and the SOP Class UIDs of C-FIND, C-MOVE and C-GET per model.
 *
 * Key tables carry their own tag and VR so that matching and validation do not depend on the
 * data dictionary being loaded.
 * @module
 */
import type { Tag } from '../../dataset/tag.js'
import type { VR } from '../../dataset/vr.js'
import { DicomError } from '../../errors.js'

/** A Query/Retrieve level, the value of Query/Retrieve Level (0008,0052). @see PS3.4 C.6 */
export type QueryRetrieveLevel = 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE'

/**
 * Matching type of a key in the information model tables: `U` unique key, `R` required key
 * (the SCP shall support matching on it), `O` optional key. @see PS3.4 C.2.2.1
 */
export type KeyMatchingType = 'U' | 'R' | 'O'

/** One key attribute of an information model level. */
export interface QueryKey {
  /** Keyword as in PS3.6. */
  readonly keyword: string
  readonly tag: Tag
  readonly vr: VR
  readonly matching: KeyMatchingType
  /** For sequence keys: the keys of its items (e.g. Scheduled Procedure Step Sequence). */
  readonly items?: readonly QueryKey[]
}

/** One level of a Query/Retrieve information model. */
export interface QueryLevelDefinition {
  readonly level: QueryRetrieveLevel
  /** The single unique key of this level (PS3.4 C.2.2.1.1). */
  readonly uniqueKey: QueryKey
  /** All keys of this level, the unique key included. */
  readonly keys: readonly QueryKey[]
}

/** Names of the Query/Retrieve information models. */
export type QueryRetrieveModelName = 'PatientRoot' | 'StudyRoot' | 'PatientStudyOnly'

/** A Query/Retrieve information model with its SOP Classes. @see PS3.4 C.6 */
export interface QueryRetrieveModel {
  readonly name: QueryRetrieveModelName
  /** Title as in PS3.4. */
  readonly title: string
  /** Levels from the top (index 0) down. */
  readonly levels: readonly QueryLevelDefinition[]
  /** C-FIND SOP Class UID. */
  readonly find: string
  /** C-MOVE SOP Class UID. */
  readonly move: string
  /** C-GET SOP Class UID. */
  readonly get: string
  /** True for the retired Patient/Study Only model (PS3.4 C.6.3, retired). */
  readonly retired: boolean
}

function k(keyword: string, tag: Tag, vr: VR, matching: KeyMatchingType, items?: readonly QueryKey[]): QueryKey {
  return items === undefined ? { keyword, tag, vr, matching } : { keyword, tag, vr, matching, items }
}

/** Tags of the attributes the Query/Retrieve and Worklist models use, by keyword. */
export const QueryTags = {
  SpecificCharacterSet: 0x00080005,
  SOPClassUID: 0x00080016,
  SOPInstanceUID: 0x00080018,
  StudyDate: 0x00080020,
  SeriesDate: 0x00080021,
  AcquisitionDate: 0x00080022,
  ContentDate: 0x00080023,
  StudyTime: 0x00080030,
  SeriesTime: 0x00080031,
  AcquisitionTime: 0x00080032,
  ContentTime: 0x00080033,
  AccessionNumber: 0x00080050,
  IssuerOfAccessionNumberSequence: 0x00080051,
  QueryRetrieveLevel: 0x00080052,
  RetrieveAETitle: 0x00080054,
  InstanceAvailability: 0x00080056,
  Modality: 0x00080060,
  ModalitiesInStudy: 0x00080061,
  SOPClassesInStudy: 0x00080062,
  AnatomicRegionsInStudyCodeSequence: 0x00080063,
  ReferringPhysicianName: 0x00080090,
  CodeValue: 0x00080100,
  CodingSchemeDesignator: 0x00080102,
  CodeMeaning: 0x00080104,
  TimezoneOffsetFromUTC: 0x00080201,
  StudyDescription: 0x00081030,
  ProcedureCodeSequence: 0x00081032,
  SeriesDescription: 0x0008103e,
  NameOfPhysiciansReadingStudy: 0x00081060,
  AdmittingDiagnosesDescription: 0x00081080,
  ReferencedStudySequence: 0x00081110,
  ReferencedPatientSequence: 0x00081120,
  ReferencedSOPClassUID: 0x00081150,
  ReferencedSOPInstanceUID: 0x00081155,
  AvailableTransferSyntaxUID: 0x00083002,
  PatientName: 0x00100010,
  PatientID: 0x00100020,
  IssuerOfPatientID: 0x00100021,
  PatientBirthDate: 0x00100030,
  PatientBirthTime: 0x00100032,
  PatientSex: 0x00100040,
  OtherPatientNames: 0x00101001,
  OtherPatientIDsSequence: 0x00101002,
  PatientAge: 0x00101010,
  PatientSize: 0x00101020,
  PatientWeight: 0x00101030,
  MedicalAlerts: 0x00102000,
  Allergies: 0x00102110,
  EthnicGroup: 0x00102160,
  AdditionalPatientHistory: 0x001021b0,
  PregnancyStatus: 0x001021c0,
  PatientComments: 0x00104000,
  BodyPartExamined: 0x00180015,
  ProtocolName: 0x00181030,
  StudyInstanceUID: 0x0020000d,
  SeriesInstanceUID: 0x0020000e,
  StudyID: 0x00200010,
  SeriesNumber: 0x00200011,
  AcquisitionNumber: 0x00200012,
  InstanceNumber: 0x00200013,
  Laterality: 0x00200060,
  NumberOfPatientRelatedStudies: 0x00201200,
  NumberOfPatientRelatedSeries: 0x00201202,
  NumberOfPatientRelatedInstances: 0x00201204,
  NumberOfStudyRelatedSeries: 0x00201206,
  NumberOfStudyRelatedInstances: 0x00201208,
  NumberOfSeriesRelatedInstances: 0x00201209,
  NumberOfFrames: 0x00280008,
  Rows: 0x00280010,
  Columns: 0x00280011,
  BitsAllocated: 0x00280100,
  RequestingPhysician: 0x00321032,
  RequestedProcedureDescription: 0x00321060,
  RequestedProcedureCodeSequence: 0x00321064,
  RequestedContrastAgent: 0x00321070,
  AdmissionID: 0x00380010,
  SpecialNeeds: 0x00380050,
  CurrentPatientLocation: 0x00380300,
  PatientState: 0x00380500,
  ScheduledStationAETitle: 0x00400001,
  ScheduledProcedureStepStartDate: 0x00400002,
  ScheduledProcedureStepStartTime: 0x00400003,
  ScheduledPerformingPhysicianName: 0x00400006,
  ScheduledProcedureStepDescription: 0x00400007,
  ScheduledProtocolCodeSequence: 0x00400008,
  ScheduledProcedureStepID: 0x00400009,
  ScheduledStationName: 0x00400010,
  ScheduledProcedureStepLocation: 0x00400011,
  PreMedication: 0x00400012,
  ScheduledProcedureStepStatus: 0x00400020,
  ScheduledProcedureStepSequence: 0x00400100,
  PerformedProcedureStepStartDate: 0x00400244,
  PerformedProcedureStepStartTime: 0x00400245,
  RequestAttributesSequence: 0x00400275,
  RequestedProcedureID: 0x00401001,
  RequestedProcedurePriority: 0x00401003,
  PatientTransportArrangements: 0x00401004,
  ConfidentialityConstraintOnPatientDataDescription: 0x00403001,
  ConceptNameCodeSequence: 0x0040a043,
  CompletionFlag: 0x0040a491,
  VerificationFlag: 0x0040a493,
  ContentTemplateSequence: 0x0040a504,
} as const satisfies Record<string, Tag>

const T = QueryTags

// --- Patient level (PS3.4 Table C.6-1) ---
const PATIENT_KEYS: readonly QueryKey[] = [
  k('PatientName', T.PatientName, 'PN', 'R'),
  k('PatientID', T.PatientID, 'LO', 'U'),
  k('IssuerOfPatientID', T.IssuerOfPatientID, 'LO', 'O'),
  k('OtherPatientIDsSequence', T.OtherPatientIDsSequence, 'SQ', 'O'),
  k('PatientBirthDate', T.PatientBirthDate, 'DA', 'O'),
  k('PatientBirthTime', T.PatientBirthTime, 'TM', 'O'),
  k('PatientSex', T.PatientSex, 'CS', 'O'),
  k('OtherPatientNames', T.OtherPatientNames, 'PN', 'O'),
  k('EthnicGroup', T.EthnicGroup, 'SH', 'O'),
  k('PatientComments', T.PatientComments, 'LT', 'O'),
  k('NumberOfPatientRelatedStudies', T.NumberOfPatientRelatedStudies, 'IS', 'O'),
  k('NumberOfPatientRelatedSeries', T.NumberOfPatientRelatedSeries, 'IS', 'O'),
  k('NumberOfPatientRelatedInstances', T.NumberOfPatientRelatedInstances, 'IS', 'O'),
]

// --- Study level of the Patient Root model (PS3.4 Table C.6-2) ---
const STUDY_KEYS: readonly QueryKey[] = [
  k('StudyDate', T.StudyDate, 'DA', 'R'),
  k('StudyTime', T.StudyTime, 'TM', 'R'),
  k('AccessionNumber', T.AccessionNumber, 'SH', 'R'),
  k('StudyID', T.StudyID, 'SH', 'R'),
  k('StudyInstanceUID', T.StudyInstanceUID, 'UI', 'U'),
  k('IssuerOfAccessionNumberSequence', T.IssuerOfAccessionNumberSequence, 'SQ', 'O'),
  k('ModalitiesInStudy', T.ModalitiesInStudy, 'CS', 'O'),
  k('SOPClassesInStudy', T.SOPClassesInStudy, 'UI', 'O'),
  k('AnatomicRegionsInStudyCodeSequence', T.AnatomicRegionsInStudyCodeSequence, 'SQ', 'O'),
  k('ReferringPhysicianName', T.ReferringPhysicianName, 'PN', 'O'),
  k('StudyDescription', T.StudyDescription, 'LO', 'O'),
  k('ProcedureCodeSequence', T.ProcedureCodeSequence, 'SQ', 'O'),
  k('NameOfPhysiciansReadingStudy', T.NameOfPhysiciansReadingStudy, 'PN', 'O'),
  k('AdmittingDiagnosesDescription', T.AdmittingDiagnosesDescription, 'LO', 'O'),
  k('PatientAge', T.PatientAge, 'AS', 'O'),
  k('PatientSize', T.PatientSize, 'DS', 'O'),
  k('PatientWeight', T.PatientWeight, 'DS', 'O'),
  k('AdditionalPatientHistory', T.AdditionalPatientHistory, 'LT', 'O'),
  k('NumberOfStudyRelatedSeries', T.NumberOfStudyRelatedSeries, 'IS', 'O'),
  k('NumberOfStudyRelatedInstances', T.NumberOfStudyRelatedInstances, 'IS', 'O'),
]

// --- Study level of the Study Root model: patient keys move up into it (PS3.4 Table C.6-5) ---
const STUDY_ROOT_STUDY_KEYS: readonly QueryKey[] = [
  ...STUDY_KEYS,
  ...PATIENT_KEYS.filter((x) => !x.keyword.startsWith('NumberOfPatientRelated')).map((x) =>
    x.matching === 'U' ? { ...x, matching: 'R' as const } : x,
  ),
]

// --- Series level (PS3.4 Table C.6-3) ---
const SERIES_KEYS: readonly QueryKey[] = [
  k('Modality', T.Modality, 'CS', 'R'),
  k('SeriesNumber', T.SeriesNumber, 'IS', 'R'),
  k('SeriesInstanceUID', T.SeriesInstanceUID, 'UI', 'U'),
  k('SeriesDescription', T.SeriesDescription, 'LO', 'O'),
  k('SeriesDate', T.SeriesDate, 'DA', 'O'),
  k('SeriesTime', T.SeriesTime, 'TM', 'O'),
  k('BodyPartExamined', T.BodyPartExamined, 'CS', 'O'),
  k('Laterality', T.Laterality, 'CS', 'O'),
  k('ProtocolName', T.ProtocolName, 'LO', 'O'),
  k('PerformedProcedureStepStartDate', T.PerformedProcedureStepStartDate, 'DA', 'O'),
  k('PerformedProcedureStepStartTime', T.PerformedProcedureStepStartTime, 'TM', 'O'),
  k('RequestAttributesSequence', T.RequestAttributesSequence, 'SQ', 'O'),
  k('NumberOfSeriesRelatedInstances', T.NumberOfSeriesRelatedInstances, 'IS', 'O'),
]

// --- Composite object instance level (PS3.4 Table C.6-4) ---
const IMAGE_KEYS: readonly QueryKey[] = [
  k('InstanceNumber', T.InstanceNumber, 'IS', 'R'),
  k('SOPInstanceUID', T.SOPInstanceUID, 'UI', 'U'),
  k('SOPClassUID', T.SOPClassUID, 'UI', 'O'),
  k('AvailableTransferSyntaxUID', T.AvailableTransferSyntaxUID, 'UI', 'O'),
  k('ContentDate', T.ContentDate, 'DA', 'O'),
  k('ContentTime', T.ContentTime, 'TM', 'O'),
  k('AcquisitionNumber', T.AcquisitionNumber, 'IS', 'O'),
  k('Rows', T.Rows, 'US', 'O'),
  k('Columns', T.Columns, 'US', 'O'),
  k('BitsAllocated', T.BitsAllocated, 'US', 'O'),
  k('NumberOfFrames', T.NumberOfFrames, 'IS', 'O'),
  // Structured reporting instance keys (PS3.4 C.6.1.1.5.1)
  k('CompletionFlag', T.CompletionFlag, 'CS', 'O'),
  k('VerificationFlag', T.VerificationFlag, 'CS', 'O'),
  k('ConceptNameCodeSequence', T.ConceptNameCodeSequence, 'SQ', 'O'),
  k('ContentTemplateSequence', T.ContentTemplateSequence, 'SQ', 'O'),
]

function level(lv: QueryRetrieveLevel, keys: readonly QueryKey[]): QueryLevelDefinition {
  const uniqueKey = keys.find((x) => x.matching === 'U')
  if (uniqueKey === undefined) throw new DicomError('ERR_INVALID_ARGUMENT', `level ${lv} has no unique key`)
  return Object.freeze({ level: lv, uniqueKey, keys: Object.freeze([...keys]) })
}

/** Patient Root Query/Retrieve Information Model. @see PS3.4 C.6.1 */
export const PatientRootModel: QueryRetrieveModel = Object.freeze({
  name: 'PatientRoot',
  title: 'Patient Root Query/Retrieve Information Model',
  levels: Object.freeze([
    level('PATIENT', PATIENT_KEYS),
    level('STUDY', STUDY_KEYS),
    level('SERIES', SERIES_KEYS),
    level('IMAGE', IMAGE_KEYS),
  ]),
  find: '1.2.840.10008.5.1.4.1.2.1.1',
  move: '1.2.840.10008.5.1.4.1.2.1.2',
  get: '1.2.840.10008.5.1.4.1.2.1.3',
  retired: false,
})

/** Study Root Query/Retrieve Information Model. @see PS3.4 C.6.2 */
export const StudyRootModel: QueryRetrieveModel = Object.freeze({
  name: 'StudyRoot',
  title: 'Study Root Query/Retrieve Information Model',
  levels: Object.freeze([level('STUDY', STUDY_ROOT_STUDY_KEYS), level('SERIES', SERIES_KEYS), level('IMAGE', IMAGE_KEYS)]),
  find: '1.2.840.10008.5.1.4.1.2.2.1',
  move: '1.2.840.10008.5.1.4.1.2.2.2',
  get: '1.2.840.10008.5.1.4.1.2.2.3',
  retired: false,
})

/** Patient/Study Only Query/Retrieve Information Model (retired). @see PS3.4 C.6.3 (2004 edition) */
export const PatientStudyOnlyModel: QueryRetrieveModel = Object.freeze({
  name: 'PatientStudyOnly',
  title: 'Patient/Study Only Query/Retrieve Information Model (Retired)',
  levels: Object.freeze([level('PATIENT', PATIENT_KEYS), level('STUDY', STUDY_KEYS)]),
  find: '1.2.840.10008.5.1.4.1.2.3.1',
  move: '1.2.840.10008.5.1.4.1.2.3.2',
  get: '1.2.840.10008.5.1.4.1.2.3.3',
  retired: true,
})

/** The three Query/Retrieve information models. */
export const QueryRetrieveModels: readonly QueryRetrieveModel[] = Object.freeze([PatientRootModel, StudyRootModel, PatientStudyOnlyModel])

/** A DIMSE-C operation of the Query/Retrieve service. */
export type QueryRetrieveOperation = 'FIND' | 'MOVE' | 'GET'

/** The model and operation of a Query/Retrieve SOP Class UID, or undefined when it is none. */
export function queryRetrieveSopClass(uid: string): { model: QueryRetrieveModel; operation: QueryRetrieveOperation } | undefined {
  for (const model of QueryRetrieveModels) {
    if (model.find === uid) return { model, operation: 'FIND' }
    if (model.move === uid) return { model, operation: 'MOVE' }
    if (model.get === uid) return { model, operation: 'GET' }
  }
  return undefined
}

/** The definition of `lv` in `model`, or undefined when the model has no such level. */
export function levelDefinition(model: QueryRetrieveModel, lv: string): QueryLevelDefinition | undefined {
  return model.levels.find((d) => d.level === lv)
}

/** Index of a level in the model (0 = top), or -1. */
export function levelIndex(model: QueryRetrieveModel, lv: string): number {
  return model.levels.findIndex((d) => d.level === lv)
}

/**
 * The level a key belongs to in `model` (the highest level listing it), or undefined for keys the
 * model does not list.
 */
export function levelOfKey(model: QueryRetrieveModel, t: Tag): QueryRetrieveLevel | undefined {
  for (const d of model.levels) if (d.keys.some((x) => x.tag === t)) return d.level
  return undefined
}

/**
 * Keys valid at any level and never matched: Specific Character Set, Query/Retrieve Level,
 * Retrieve AE Title, Instance Availability, Timezone Offset From UTC. @see PS3.4 C.4.1.1.3
 */
export const LEVEL_INDEPENDENT_KEYS: ReadonlySet<Tag> = new Set<Tag>([
  T.SpecificCharacterSet,
  T.QueryRetrieveLevel,
  T.RetrieveAETitle,
  T.InstanceAvailability,
  T.TimezoneOffsetFromUTC,
])

// --- Modality Worklist (PS3.4 Table K.6-1) ---

const SPS_ITEM_KEYS: readonly QueryKey[] = [
  k('ScheduledStationAETitle', T.ScheduledStationAETitle, 'AE', 'R'),
  k('ScheduledProcedureStepStartDate', T.ScheduledProcedureStepStartDate, 'DA', 'R'),
  k('ScheduledProcedureStepStartTime', T.ScheduledProcedureStepStartTime, 'TM', 'R'),
  k('Modality', T.Modality, 'CS', 'R'),
  k('ScheduledPerformingPhysicianName', T.ScheduledPerformingPhysicianName, 'PN', 'R'),
  k('ScheduledProcedureStepDescription', T.ScheduledProcedureStepDescription, 'LO', 'O'),
  k('ScheduledStationName', T.ScheduledStationName, 'SH', 'O'),
  k('ScheduledProcedureStepLocation', T.ScheduledProcedureStepLocation, 'SH', 'O'),
  k('ScheduledProtocolCodeSequence', T.ScheduledProtocolCodeSequence, 'SQ', 'O'),
  k('PreMedication', T.PreMedication, 'LO', 'O'),
  k('ScheduledProcedureStepID', T.ScheduledProcedureStepID, 'SH', 'O'),
  k('RequestedContrastAgent', T.RequestedContrastAgent, 'LO', 'O'),
  k('ScheduledProcedureStepStatus', T.ScheduledProcedureStepStatus, 'CS', 'O'),
]

/** The Modality Worklist Information Model - FIND. @see PS3.4 K.6.1 */
export const ModalityWorklistModel = Object.freeze({
  name: 'ModalityWorklist' as const,
  title: 'Modality Worklist Information Model - FIND',
  find: '1.2.840.10008.5.1.4.31',
  /** Matching keys and return keys of Table K.6-1 (top level; the SPS sequence has `items`). */
  keys: Object.freeze([
    k('ScheduledProcedureStepSequence', T.ScheduledProcedureStepSequence, 'SQ', 'R', Object.freeze([...SPS_ITEM_KEYS])),
    k('RequestedProcedureID', T.RequestedProcedureID, 'SH', 'O'),
    k('RequestedProcedureDescription', T.RequestedProcedureDescription, 'LO', 'O'),
    k('RequestedProcedureCodeSequence', T.RequestedProcedureCodeSequence, 'SQ', 'O'),
    k('StudyInstanceUID', T.StudyInstanceUID, 'UI', 'O'),
    k('ReferencedStudySequence', T.ReferencedStudySequence, 'SQ', 'O'),
    k('RequestedProcedurePriority', T.RequestedProcedurePriority, 'SH', 'O'),
    k('PatientTransportArrangements', T.PatientTransportArrangements, 'LO', 'O'),
    k('AccessionNumber', T.AccessionNumber, 'SH', 'O'),
    k('RequestingPhysician', T.RequestingPhysician, 'PN', 'O'),
    k('ReferringPhysicianName', T.ReferringPhysicianName, 'PN', 'O'),
    k('AdmissionID', T.AdmissionID, 'LO', 'O'),
    k('CurrentPatientLocation', T.CurrentPatientLocation, 'LO', 'O'),
    k('ReferencedPatientSequence', T.ReferencedPatientSequence, 'SQ', 'O'),
    k('PatientName', T.PatientName, 'PN', 'R'),
    k('PatientID', T.PatientID, 'LO', 'R'),
    k('IssuerOfPatientID', T.IssuerOfPatientID, 'LO', 'O'),
    k('PatientBirthDate', T.PatientBirthDate, 'DA', 'O'),
    k('PatientSex', T.PatientSex, 'CS', 'O'),
    k('PatientWeight', T.PatientWeight, 'DS', 'O'),
    k('ConfidentialityConstraintOnPatientDataDescription', T.ConfidentialityConstraintOnPatientDataDescription, 'LO', 'O'),
    k('PatientState', T.PatientState, 'LO', 'O'),
    k('PregnancyStatus', T.PregnancyStatus, 'US', 'O'),
    k('MedicalAlerts', T.MedicalAlerts, 'LO', 'O'),
    k('Allergies', T.Allergies, 'LO', 'O'),
    k('SpecialNeeds', T.SpecialNeeds, 'LO', 'O'),
  ] as readonly QueryKey[]),
})

/**
 * Date and time attribute pairs that combined date-time range matching treats as one DT value.
 * @see PS3.4 C.2.2.2.5.1
 */
export const DATE_TIME_PAIRS: readonly (readonly [date: Tag, time: Tag])[] = Object.freeze([
  [T.StudyDate, T.StudyTime],
  [T.SeriesDate, T.SeriesTime],
  [T.AcquisitionDate, T.AcquisitionTime],
  [T.ContentDate, T.ContentTime],
  [T.PatientBirthDate, T.PatientBirthTime],
  [T.ScheduledProcedureStepStartDate, T.ScheduledProcedureStepStartTime],
  [T.PerformedProcedureStepStartDate, T.PerformedProcedureStepStartTime],
] as const)
