import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { TransferSyntax } from '../../../src/dataset/transfer-syntax.js'
import { STORAGE_SOP_CLASSES, SopClass, isStorageSopClass, lookupUid, uidOfKeyword } from '../../../src/dataset/uids.js'

// Facts transcribed by hand from PS3.6 Table A-1.
describe('registry entries (PS3.6 Table A-1)', () => {
  const cases: [string, string, string, string, boolean, boolean][] = [
    ['1.2.840.10008.1.1', 'Verification', 'Verification SOP Class', 'SOP Class', false, false],
    ['1.2.840.10008.1.2', 'ImplicitVRLittleEndian', 'Implicit VR Little Endian', 'Transfer Syntax', false, false],
    ['1.2.840.10008.1.2.2', 'ExplicitVRBigEndian', 'Explicit VR Big Endian', 'Transfer Syntax', true, false],
    ['1.2.840.10008.3.1.1.1', 'DICOMApplicationContext', 'DICOM Application Context Name', 'Application Context Name', false, false],
    ['1.2.840.10008.5.1.4.1.1.2', 'CTImageStorage', 'CT Image Storage', 'SOP Class', false, true],
    ['1.2.840.10008.5.1.4.1.1.7', 'SecondaryCaptureImageStorage', 'Secondary Capture Image Storage', 'SOP Class', false, true],
    ['1.2.840.10008.5.1.4.1.1.88.33', 'ComprehensiveSRStorage', 'Comprehensive SR Storage', 'SOP Class', false, true],
    ['1.2.840.10008.5.1.4.1.1.5', 'NuclearMedicineImageStorageRetired', 'Nuclear Medicine Image Storage', 'SOP Class', true, true],
    ['1.2.840.10008.5.1.4.1.2.2.1', 'StudyRootQueryRetrieveInformationModelFind', 'Study Root Query/Retrieve Information Model - FIND', 'SOP Class', false, false],
    ['1.2.840.10008.5.1.4.1.2.3.2', 'PatientStudyOnlyQueryRetrieveInformationModelMove', 'Patient/Study Only Query/Retrieve Information Model - MOVE', 'SOP Class', true, false],
    ['1.2.840.10008.5.1.4.31', 'ModalityWorklistInformationModelFind', 'Modality Worklist Information Model - FIND', 'SOP Class', false, false],
    ['1.2.840.10008.1.20.1', 'StorageCommitmentPushModel', 'Storage Commitment Push Model SOP Class', 'SOP Class', false, false],
    ['1.2.840.10008.1.3.10', 'MediaStorageDirectoryStorage', 'Media Storage Directory Storage', 'SOP Class', false, false],
    ['1.2.840.10008.3.1.2.3.3', 'ModalityPerformedProcedureStep', 'Modality Performed Procedure Step SOP Class', 'SOP Class', false, false],
    ['1.2.840.10008.1.2.840.10008.1.4.1.1', '', '', '', false, false],
  ]
  it.each(cases)('%s', (uid, keyword, name, type, retired, storage) => {
    const e = lookupUid(uid)
    if (keyword === '') {
      expect(e).toBeUndefined()
      return
    }
    expect(e).toEqual({ uid, keyword, name, type, retired, storage })
    expect(uidOfKeyword(keyword)).toBe(uid)
    expect(isStorageSopClass(uid)).toBe(storage)
  })

  it('well-known frames of reference and meta SOP classes are present', () => {
    expect(lookupUid('1.2.840.10008.1.4.1.1')).toMatchObject({ type: 'Well-known frame of reference', keyword: 'TalairachBrainAtlas' })
    expect(lookupUid('1.2.840.10008.5.1.1.9')).toMatchObject({ type: 'Meta SOP Class', keyword: 'BasicGrayscalePrintManagementMeta' })
  })

  it('unknown UIDs and keywords', () => {
    expect(lookupUid('1.2.3.4')).toBeUndefined()
    expect(uidOfKeyword('NoSuchThing')).toBeUndefined()
    expect(uidOfKeyword('')).toBeUndefined()
    expect(isStorageSopClass('1.2.3.4')).toBe(false)
  })
})

describe('SopClass constants', () => {
  it('every constant is the registry UID of its PS3.6 keyword', () => {
    for (const [kw, uid] of Object.entries(SopClass)) {
      expect(uidOfKeyword(kw), kw).toBe(uid)
      expect(lookupUid(uid)?.type, kw).toBe('SOP Class')
    }
  })
  it('storage constants are storage classes, service classes are not', () => {
    for (const [kw, uid] of Object.entries(SopClass)) {
      expect(isStorageSopClass(uid), kw).toBe(/Storage/.test(kw) && !/StorageCommitment/.test(kw))
    }
  })
  it('the retired Patient/Study Only models are flagged retired', () => {
    expect(lookupUid(SopClass.PatientStudyOnlyQueryRetrieveInformationModelFind)?.retired).toBe(true)
    expect(lookupUid(SopClass.StudyRootQueryRetrieveInformationModelFind)?.retired).toBe(false)
  })
})

describe('TransferSyntax constants (transfer-syntax.ts) agree with the registry', () => {
  it.each(Object.entries(TransferSyntax))('%s', (kw, uid) => {
    expect(lookupUid(uid)).toMatchObject({ keyword: kw, type: 'Transfer Syntax' })
  })
})

describe('STORAGE_SOP_CLASSES', () => {
  it('is the set of registry entries flagged storage, without duplicates', () => {
    expect(new Set(STORAGE_SOP_CLASSES).size).toBe(STORAGE_SOP_CLASSES.length)
    for (const uid of STORAGE_SOP_CLASSES) expect(isStorageSopClass(uid)).toBe(true)
    expect(STORAGE_SOP_CLASSES.length).toBeGreaterThan(150)
    expect(Object.isFrozen(STORAGE_SOP_CLASSES)).toBe(true)
  })
})

// DCMTK as the oracle: compile a tiny program against libdcmdata that prints DCMTK's own storage
// lists (the ones storescp/storescu/movescu use) and check every UID is a storage class here.
const DCUID_H = '/usr/include/dcmtk/dcmdata/dcuid.h'
function hasGxx(): boolean {
  try {
    execFileSync('g++', ['--version'], { stdio: 'ignore', timeout: 10_000 })
    return existsSync(DCUID_H)
  } catch {
    return false
  }
}
const canProbe = hasGxx()
if (!canProbe) console.warn('uids.test: g++ or libdcmtk-dev headers missing, skipping the DCMTK storage-list check')

describe.skipIf(!canProbe)('agrees with DCMTK libdcmdata', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dimse-uid-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  function probe(): Map<string, Set<string>> {
    const src = join(dir, 'probe.cc')
    writeFileSync(
      src,
      `#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcuid.h"
#include <cstdio>
static void dump(const char *list, const char **uids, int n) {
  for (int i = 0; i < n; i++) std::printf("%s\\t%s\\n", list, uids[i]);
}
int main() {
  dump("all", dcmAllStorageSOPClassUIDs, numberOfDcmAllStorageSOPClassUIDs);
  dump("long", dcmLongSCUStorageSOPClassUIDs, numberOfDcmLongSCUStorageSOPClassUIDs);
  dump("short", dcmShortSCUStorageSOPClassUIDs, numberOfDcmShortSCUStorageSOPClassUIDs);
  dump("image", dcmImageSOPClassUIDs, numberOfDcmImageSOPClassUIDs);
  return 0;
}
`,
    )
    const exe = join(dir, 'probe')
    execFileSync('g++', ['-o', exe, src, '-ldcmdata', '-loflog', '-lofstd'], { timeout: 120_000, stdio: 'pipe' })
    const lists = new Map<string, Set<string>>()
    for (const line of execFileSync(exe, { timeout: 10_000 }).toString().split('\n')) {
      const [list, uid] = line.split('\t')
      if (!list || !uid) continue
      if (!lists.has(list)) lists.set(list, new Set())
      lists.get(list)!.add(uid)
    }
    return lists
  }

  it("every UID of DCMTK's storage lists is a storage SOP class here", () => {
    const lists = probe()
    expect(lists.get('all')?.size).toBeGreaterThan(150)
    for (const [name, uids] of lists) {
      for (const uid of uids) {
        expect(lookupUid(uid), `${name} ${uid}`).toBeDefined()
        expect(isStorageSopClass(uid), `${name} ${uid}`).toBe(true)
      }
    }
    // and the converse: what we add beyond dcmAllStorageSOPClassUIDs is only the non-patient
    // storage DCMTK leaves out of that list (PS3.4 Annex GG and similar)
    const extra = STORAGE_SOP_CLASSES.filter((u) => !lists.get('all')!.has(u)).map((u) => lookupUid(u)!.keyword)
    expect(extra.sort()).toEqual(
      [
        'ColorPaletteStorage',
        'CTDefinedProcedureProtocolStorage',
        'GenericImplantTemplateStorage',
        'HangingProtocolStorage',
        'ImplantAssemblyTemplateStorage',
        'ImplantTemplateGroupStorage',
        'ProtocolApprovalStorage',
        'XADefinedProcedureProtocolStorage',
      ].sort(),
    )
  })
})
