// A deliberately naive, test-only PDU byte builder written straight from the PS3.8 §9.3 tables
// (and PS3.7 D.3.3), independent of src/pdu/encode.ts: it is the oracle for expected bytes.

export type Bytes = number[]

export const u8 = (v: number): Bytes => [v & 0xff]
export const u16 = (v: number): Bytes => [(v >>> 8) & 0xff, v & 0xff]
export const u32 = (v: number): Bytes => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]
export const text = (s: string): Bytes => Array.from(s, (c) => c.charCodeAt(0))
export const zeros = (n: number): Bytes => new Array<number>(n).fill(0)
/** 16-byte space-padded AE title field. */
export const ae = (s: string): Bytes => text(s.padEnd(16, ' '))

/** Generic PDU: type, reserved, 4-byte length, body (PS3.8 §9.3.1). */
export function pdu(type: number, ...body: Bytes[]): Uint8Array {
  const b = body.flat()
  return Uint8Array.from([type, 0, ...u32(b.length), ...b])
}

/** Variable item: type, reserved (or sub-item version), 2-byte length, content. */
export function item(type: number, ...content: Bytes[]): Bytes {
  const c = content.flat()
  return [type, 0, ...u16(c.length), ...c]
}

/** 2-byte length prefixed field. */
export const lp = (b: Bytes): Bytes => [...u16(b.length), ...b]

/** Fixed part of A-ASSOCIATE-RQ/AC (Table 9-11/9-17): version, reserved, called, calling, 32 reserved. */
export function assocFixed(called: string, calling: string, version = 1): Bytes {
  return [...u16(version), 0, 0, ...ae(called), ...ae(calling), ...zeros(32)]
}

export const APP_CTX = item(0x10, text('1.2.840.10008.3.1.1.1'))

/** Presentation context item of an RQ (Table 9-13). */
export function pcRq(id: number, abstract: string, ...ts: string[]): Bytes {
  return item(0x20, [id, 0, 0, 0], item(0x30, text(abstract)), ...ts.map((t) => item(0x40, text(t))))
}

/** Presentation context item of an AC (Table 9-18). */
export function pcAc(id: number, result: number, ts: string): Bytes {
  return item(0x21, [id, 0, result, 0], item(0x40, text(ts)))
}

export const MAX_LEN = (n: number): Bytes => item(0x51, u32(n))

/** PDV item (Table 9-23): 4-byte length, context ID, message control header, data. */
export function pdv(ctx: number, mch: number, data: Bytes): Bytes {
  return [...u32(data.length + 2), ctx, mch, ...data]
}

/** The frame a PduFramer would produce for these bytes. */
export function frame(b: Uint8Array): { type: number; body: Uint8Array } {
  return { type: b[0]!, body: b.subarray(6) }
}
