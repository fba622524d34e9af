/**
 * Presentation contexts for the common services: which abstract and transfer syntaxes to
 * propose (SCU) or accept (SCP).
 * @module
 */
import type { ProposedContext, SupportedContext } from '../association/negotiation.js'
import { SopClass, STORAGE_SOP_CLASSES, uidOfKeyword } from '../dataset/uids.js'
import { TransferSyntax } from '../dataset/transfer-syntax.js'
import { DicomError } from '../errors.js'

/** The uncompressed transfer syntaxes, most preferred first (explicit before implicit, as DCMTK). */
export const UNCOMPRESSED_TRANSFER_SYNTAXES: readonly string[] = [
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.DeflatedExplicitVRLittleEndian,
  TransferSyntax.ExplicitVRBigEndian,
]

/** Uncompressed plus the common compressed syntaxes an archive accepts as-is. */
export const ALL_TRANSFER_SYNTAXES: readonly string[] = [
  ...UNCOMPRESSED_TRANSFER_SYNTAXES,
  TransferSyntax.JPEGBaseline8Bit,
  TransferSyntax.JPEGExtended12Bit,
  TransferSyntax.JPEGLossless,
  TransferSyntax.JPEGLosslessSV1,
  TransferSyntax.JPEGLSLossless,
  TransferSyntax.JPEGLSNearLossless,
  TransferSyntax.JPEG2000Lossless,
  TransferSyntax.JPEG2000,
  TransferSyntax.HTJ2KLossless,
  TransferSyntax.HTJ2KLosslessRPCL,
  TransferSyntax.HTJ2K,
  TransferSyntax.RLELossless,
  TransferSyntax.MPEG2MPML,
  TransferSyntax.MPEG4HP41,
  TransferSyntax.HEVCMP51,
  TransferSyntax.DeflatedImageFrameCompression,
  TransferSyntax.EncapsulatedUncompressedExplicitVRLittleEndian,
]

/** The query/retrieve information models by short name. */
export type QueryModel = 'patient' | 'study' | 'patient-study' | 'worklist'

const FIND: Record<QueryModel, string> = {
  patient: SopClass.PatientRootQueryRetrieveInformationModelFind,
  study: SopClass.StudyRootQueryRetrieveInformationModelFind,
  'patient-study': SopClass.PatientStudyOnlyQueryRetrieveInformationModelFind,
  worklist: SopClass.ModalityWorklistInformationModelFind,
}
const MOVE: Record<Exclude<QueryModel, 'worklist'>, string> = {
  patient: SopClass.PatientRootQueryRetrieveInformationModelMove,
  study: SopClass.StudyRootQueryRetrieveInformationModelMove,
  'patient-study': SopClass.PatientStudyOnlyQueryRetrieveInformationModelMove,
}
const GET: Record<Exclude<QueryModel, 'worklist'>, string> = {
  patient: SopClass.PatientRootQueryRetrieveInformationModelGet,
  study: SopClass.StudyRootQueryRetrieveInformationModelGet,
  'patient-study': SopClass.PatientStudyOnlyQueryRetrieveInformationModelGet,
}

/** The C-FIND / C-MOVE / C-GET SOP class UID of a model (a UID passes through unchanged). */
export function sopClassOf(model: QueryModel | string, op: 'find' | 'move' | 'get'): string {
  if (/^[0-9.]+$/.test(model)) return model
  const table: Record<string, string> = op === 'find' ? FIND : op === 'move' ? MOVE : GET
  const uid = table[model]
  if (!uid) throw new DicomError('ERR_INVALID_ARGUMENT', `no ${op.toUpperCase()} SOP class for model ${model}`)
  return uid
}

/** Every FIND/MOVE/GET SOP class of the query/retrieve models and worklist. */
export const QUERY_RETRIEVE_SOP_CLASSES = {
  find: Object.values(FIND),
  move: Object.values(MOVE),
  get: Object.values(GET),
} as const

/** What a storage SCU proposes for data it can encode itself (as DCMTK's storescu: explicit, then implicit LE). */
export const DEFAULT_PROPOSED_TRANSFER_SYNTAXES: readonly string[] = [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian]

/**
 * Storage contexts for instances stored in given transfer syntaxes: per SOP class, one context
 * with explicit and implicit VR little endian (to which any uncompressed instance converts), and
 * one context for each other syntax an instance is in, so that it can be sent as it is. Several
 * contexts may share an abstract syntax (PS3.8 §9.3.2.2).
 */
export function contextsForInstances(
  instances: Iterable<{ sopClassUid: string; transferSyntaxUid?: string | undefined }>,
  roles?: { scuRole?: boolean; scpRole?: boolean },
): ProposedContext[] {
  const bySop = new Map<string, Set<string>>()
  for (const i of instances) {
    const set = bySop.get(i.sopClassUid) ?? new Set<string>()
    if (i.transferSyntaxUid && !DEFAULT_PROPOSED_TRANSFER_SYNTAXES.includes(i.transferSyntaxUid)) set.add(i.transferSyntaxUid)
    bySop.set(i.sopClassUid, set)
  }
  const out: ProposedContext[] = []
  for (const [sop, others] of bySop) {
    out.push({ abstractSyntax: sop, transferSyntaxes: [...DEFAULT_PROPOSED_TRANSFER_SYNTAXES], ...roles })
    for (const ts of others) out.push({ abstractSyntax: sop, transferSyntaxes: [ts], ...roles })
  }
  return out
}

/** Propose Verification. */
export function verificationContext(): ProposedContext {
  return { abstractSyntax: SopClass.Verification, transferSyntaxes: [TransferSyntax.ImplicitVRLittleEndian] }
}

/**
 * Propose storage contexts: one per SOP class and transfer syntax group. Each compressed syntax
 * gets its own context, so that the acceptor can accept exactly what it supports; uncompressed
 * syntaxes share one context.
 */
export function storageContexts(
  sopClasses: readonly string[],
  transferSyntaxes: readonly string[] = DEFAULT_PROPOSED_TRANSFER_SYNTAXES,
  roles?: { scuRole?: boolean; scpRole?: boolean },
): ProposedContext[] {
  const uncompressed = transferSyntaxes.filter((t) => UNCOMPRESSED_TRANSFER_SYNTAXES.includes(t))
  const compressed = transferSyntaxes.filter((t) => !UNCOMPRESSED_TRANSFER_SYNTAXES.includes(t))
  const out: ProposedContext[] = []
  for (const sop of new Set(sopClasses)) {
    if (uncompressed.length) out.push({ abstractSyntax: sop, transferSyntaxes: uncompressed, ...roles })
    for (const ts of compressed) out.push({ abstractSyntax: sop, transferSyntaxes: [ts], ...roles })
  }
  return out
}

/** Contexts for query/retrieve operations on a model. */
export function queryContexts(model: QueryModel | string, ops: readonly ('find' | 'move' | 'get')[] = ['find']): ProposedContext[] {
  return ops.map((op) => ({
    abstractSyntax: sopClassOf(model, op),
    transferSyntaxes: [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian],
  }))
}

/** SCP side: what a server supports, as an acceptor policy's `contexts`. */
export function supportedContexts(options: {
  verification?: boolean
  storage?: boolean | readonly string[]
  storageTransferSyntaxes?: readonly string[]
  find?: boolean
  move?: boolean
  get?: boolean
  extra?: readonly SupportedContext[]
}): SupportedContext[] {
  const out: SupportedContext[] = []
  const uncompressed = [...UNCOMPRESSED_TRANSFER_SYNTAXES]
  if (options.verification !== false) out.push({ abstractSyntax: SopClass.Verification, transferSyntaxes: uncompressed })
  if (options.find) for (const s of QUERY_RETRIEVE_SOP_CLASSES.find) out.push({ abstractSyntax: s, transferSyntaxes: uncompressed })
  if (options.move) for (const s of QUERY_RETRIEVE_SOP_CLASSES.move) out.push({ abstractSyntax: s, transferSyntaxes: uncompressed })
  if (options.get) for (const s of QUERY_RETRIEVE_SOP_CLASSES.get) out.push({ abstractSyntax: s, transferSyntaxes: uncompressed })
  if (options.storage) {
    const classes = options.storage === true ? STORAGE_SOP_CLASSES : options.storage
    const ts = [...(options.storageTransferSyntaxes ?? ALL_TRANSFER_SYNTAXES)]
    for (const s of classes) out.push({ abstractSyntax: s, transferSyntaxes: ts, scpRole: true, scuRole: true } as SupportedContext)
  }
  if (options.extra) out.push(...options.extra)
  return out
}

/**
 * The storage SOP classes most archives hold (images, reports, documents, RT, segmentation),
 * for proposals that must stay within 128 presentation contexts, e.g. the storage side of C-GET.
 */
export const COMMON_STORAGE_SOP_CLASSES: readonly string[] = [
  'ComputedRadiographyImageStorage', 'DigitalXRayImageStorageForPresentation', 'DigitalXRayImageStorageForProcessing',
  'DigitalMammographyXRayImageStorageForPresentation', 'DigitalMammographyXRayImageStorageForProcessing',
  'CTImageStorage', 'EnhancedCTImageStorage', 'MRImageStorage', 'EnhancedMRImageStorage', 'MRSpectroscopyStorage',
  'UltrasoundImageStorage', 'UltrasoundMultiFrameImageStorage', 'SecondaryCaptureImageStorage',
  'MultiFrameGrayscaleByteSecondaryCaptureImageStorage', 'MultiFrameGrayscaleWordSecondaryCaptureImageStorage',
  'MultiFrameTrueColorSecondaryCaptureImageStorage', 'XRayAngiographicImageStorage', 'XRayRadiofluoroscopicImageStorage',
  'NuclearMedicineImageStorage', 'PositronEmissionTomographyImageStorage', 'EnhancedPETImageStorage',
  'RTImageStorage', 'RTDoseStorage', 'RTStructureSetStorage', 'RTPlanStorage', 'RTIonPlanStorage',
  'BasicTextSRStorage', 'EnhancedSRStorage', 'ComprehensiveSRStorage', 'Comprehensive3DSRStorage', 'KeyObjectSelectionDocumentStorage',
  'XRayRadiationDoseSRStorage', 'GrayscaleSoftcopyPresentationStateStorage', 'EncapsulatedPDFStorage',
  'SegmentationStorage', 'VLPhotographicImageStorage', 'VLEndoscopicImageStorage', 'OphthalmicPhotography8BitImageStorage',
  'TwelveLeadECGWaveformStorage', 'ParametricMapStorage', 'RawDataStorage', 'SpatialRegistrationStorage',
]
  .map((k) => uidOfKeyword(k))
  .filter((u): u is string => u !== undefined)
