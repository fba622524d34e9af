/**
 * DIMSE messages (PS3.7): command sets and their codec, statuses, message builders, and the
 * cutting of messages into PDVs and their assembly.
 * @module dimse
 */
export {
  CommandField, CommandDataSetType, CommandTag, Priority, commandFieldName, decodeCommand,
  encodeCommand, isKnownCommandField, isResponse,
} from './command.js'
export type {
  CCancelRq, CEchoRq, CEchoRsp, CFindRq, CFindRsp, CGetRq, CGetRsp, CMoveRq, CMoveRsp, CStoreRq,
  CStoreRsp, DimseMessage, DimseMessageOf, DimseRequest, DimseResponse, NActionRq, NActionRsp,
  NCreateRq, NCreateRsp, NDeleteRq, NDeleteRsp, NEventReportRq, NEventReportRsp, NGetRq, NGetRsp,
  NSetRq, NSetRsp,
} from './command.js'
export { DimseError, DimseProtocolError } from './errors.js'
export {
  Status, isFailure, isPending, isSuccess, isWarning, serviceOfCommandField, statusCategory,
  statusDescription,
} from './status.js'
export type { DimseService, StatusCategory } from './status.js'
export {
  MIN_MAX_PDU_LENGTH, PDV_ITEM_OVERHEAD, PdvAssembler, fragmentBytes, fragmentDatasetStream,
  fragmentMessage, maxFragmentLength, messageControlHeader,
} from './pdv.js'
export type { AssembledMessage, DatasetSink, PdvAssemblerOptions } from './pdv.js'
export {
  MessageIdAllocator, VERIFICATION_SOP_CLASS_UID, cCancelRq, cEchoRq, cEchoRsp, cFindRq, cFindRsp,
  cGetRq, cGetRsp, cMoveRq, cMoveRsp, cStoreRq, cStoreRsp, nActionRq, nActionRsp, nCreateRq,
  nCreateRsp, nDeleteRq, nDeleteRsp, nEventReportRq, nEventReportRsp, nGetRq, nGetRsp, nSetRq,
  nSetRsp, responseCommandField, responseFor,
} from './messages.js'
export type { MessageInit } from './messages.js'
