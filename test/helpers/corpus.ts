/**
 * Where the shared DICOM corpus is: $DIMSE_CORPUS, else `../shared/corpus` beside the checkout
 * (where CI puts it), else /work/shared/corpus. Tests that need it skip, with a note, when it is
 * absent.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

function locate(): string {
  const candidates = [process.env['DIMSE_CORPUS'], resolve(__dirname, '../../../shared/corpus'), '/work/shared/corpus']
  for (const c of candidates) if (c && existsSync(c)) return c
  return candidates[1]!
}

/** The corpus folder (it may not exist). */
export const CORPUS_DIR: string = locate()
