/**
 * Errors of the DIMSE layer. Both carry the stable code `ERR_DIMSE` (see docs/errors.md).
 * @module
 */
import { DicomError } from '../errors.js'

/**
 * A command set could not be decoded or encoded: truncated element, wrong value length, missing
 * required field, unknown command field. `offset` is the byte offset in the command set where the
 * problem was found (-1 when the problem is not tied to one position, e.g. a missing field).
 */
export class DimseError extends DicomError {
  /** Byte offset in the command set, or -1. */
  readonly offset: number
  /**
   * The Command Field and Message ID, when they could be read before the problem was found: an
   * SCP can then answer an unknown or incomplete request with a failure status (e.g. 0x0211
   * Unrecognized Operation, PS3.7 Annex C) instead of aborting.
   */
  readonly commandField: number | undefined
  readonly messageId: number | undefined
  constructor(message: string, offset = -1, options?: { cause?: unknown; commandField?: number; messageId?: number }) {
    super('ERR_DIMSE', offset >= 0 ? `${message} (command set offset ${offset})` : message, options)
    this.offset = offset
    this.commandField = options?.commandField
    this.messageId = options?.messageId
  }
}

/**
 * The peer broke the rules for sending a message as PDVs (PS3.7 §6.3.1, PS3.8 Annex E): a data
 * fragment before the command ended, two messages interleaved, a change of presentation context
 * inside a message, or a message bigger than the configured limit. The association answers it
 * with an A-ABORT.
 */
export class DimseProtocolError extends DicomError {
  /** Presentation context of the offending PDV. */
  readonly contextId: number
  constructor(message: string, contextId: number, options?: { cause?: unknown }) {
    super('ERR_DIMSE', `${message} (presentation context ${contextId})`, options)
    this.contextId = contextId
  }
}
