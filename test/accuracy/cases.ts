import sharp from 'sharp'
import type { ChallengeStep } from '../../src/db/schema.ts'
import { billPdf } from '../fixtures/address/bills.ts'
import type { LicenceData } from '../fixtures/documents/aamva-payload.ts'
import type { MrzData } from '../fixtures/documents/mrz-lines.ts'
import { photoOptions } from '../fixtures/documents/mrz-set.ts'
import { photograph } from '../fixtures/documents/photograph.ts'
import { renderIdCard } from '../fixtures/documents/render-id-card.ts'
import { renderLicenceBack, renderLicenceFront } from '../fixtures/documents/render-licence.ts'
import { renderPassport } from '../fixtures/documents/render-passport.ts'
import { challengeFrame, documentPortrait, IDENTITIES, type Identity } from '../fixtures/faces.ts'
import type { Person, Submission } from '../helpers/live-submission.ts'

/** What a labelled case must be decided as; `approved` is the only outcome the machine may not get wrong. */
export type Label = 'approved' | 'rejected' | 'resubmission_required' | 'review'

/** The challenge a case answers: the poses the server will be made to ask, and one frame per pose. */
export type Answer = { steps: ChallengeStep[]; frames: Buffer[] }

export type LabelledCase = {
  id: string
  label: Label
  /** The reason codes the decision must carry (at least these). */
  reasons?: string[]
  person: Person
  /** Runs before the case: another user verified with the same document, say. */
  before?: string
  build(): Promise<{ submission: Submission; answer?: Answer }>
}

const identity = (id: string): Identity => {
  const found = IDENTITIES.find((each) => each.id === id)
  if (!found) throw new Error(`no face fixture ${id}`)
  return found
}

/**
 * The selfie and the challenge of a person whose demo photo shows their head turned: the unmirrored
 * photo is the selfie, its mirror image the head turned the other way, and the photo again (another
 * crop) the head turned back. The demo photos hold one photo per person, so these are the only real
 * head turns there are; the server is made to ask for exactly those two poses (RandomBelow).
 */
export const liveSelfie = async (person: Identity) => {
  const turnedToImageLeft = person.yawDegrees > 0
  const steps: ChallengeStep[] = turnedToImageLeft ? ['left', 'right'] : ['right', 'left']
  return {
    selfie: await challengeFrame(person, { seed: 1 }),
    answer: {
      steps,
      frames: [
        await challengeFrame(person, { mirrored: true, seed: 2 }),
        await challengeFrame(person, { seed: 3 }),
      ],
    },
  }
}

/** The draws that make pickChallengeSteps choose these two poses (count 2, then each pose's index). */
export const drawsFor = (steps: ChallengeStep[]): number[] => {
  const left: ChallengeStep[] = ['left', 'right', 'up', 'down']
  return [
    0,
    ...steps.map((step) => {
      const index = left.indexOf(step)
      left.splice(index, 1)
      return index
    }),
  ]
}

const GB_ADDRESS = { line1: '23 Werrington Bridge Rd', city: 'Peterborough', zip: 'PE6 7PP' }

const mrzData = (overrides: Partial<MrzData> = {}): MrzData => ({
  documentCode: 'P',
  issuingState: 'GBR',
  documentNumber: '533401372',
  surname: 'Harrington',
  givenNames: 'Eleanor Mary',
  nationality: 'GBR',
  dateOfBirth: '1986-03-14',
  sex: 'F',
  expiryDate: '2031-09-30',
  ...overrides,
})

const personOf = (data: MrzData, country = 'GB'): Person => ({
  firstName: data.givenNames.split(' ')[0] as string,
  lastName: data.surname,
  dateOfBirth: data.dateOfBirth,
  country,
  address: GB_ADDRESS,
})

/** The standard MRZ set's phone-photo settings (3–8°, mild blur and perspective, JPEG 60). */
const inFrame = (seed: number) => photoOptions(seed, 'std')

/** A passport data page with this face, photographed as in the standard MRZ set. */
const passportPhoto = async (data: MrzData, face: Identity, seed: number, options = {}) => {
  const page = await renderPassport({
    data,
    portrait: { image: await documentPortrait(face) },
    seed,
  })
  return (await photograph(page.png, { ...inFrame(seed), ...options })).jpeg
}

export const passportCase = (
  id: string,
  label: Label,
  face: string,
  options: {
    data?: Partial<MrzData>
    person?: Partial<Person>
    selfieOf?: string
    reasons?: string[]
    photo?: Record<string, unknown>
    corrupt?: 'documentNumber'
    noChallenge?: boolean
    replay?: boolean
    before?: string
    /** The photo's seed, when the one derived from the id gives a photo the case is not about. */
    seed?: number
  } = {},
): LabelledCase => {
  const data = mrzData(options.data)
  return {
    id,
    label,
    ...(options.reasons ? { reasons: options.reasons } : {}),
    ...(options.before ? { before: options.before } : {}),
    person: { ...personOf(data), ...options.person },
    build: async () => {
      const seed = options.seed ?? 100 + id.length * 7
      const front = options.corrupt
        ? (
            await photograph(
              (
                await renderPassport({
                  data,
                  portrait: { image: await documentPortrait(identity(face)) },
                  seed,
                  corrupt: options.corrupt,
                })
              ).png,
              inFrame(seed),
            )
          ).jpeg
        : await passportPhoto(data, identity(face), seed, options.photo)
      const live = await liveSelfie(identity(options.selfieOf ?? face))
      const answer = options.replay
        ? { steps: live.answer.steps, frames: [live.selfie, live.selfie] }
        : live.answer
      return {
        submission: { documentType: 'passport', issuingCountry: 'GB', front, selfie: live.selfie },
        ...(options.noChallenge ? {} : { answer }),
      }
    },
  }
}

const idCardCase = (): LabelledCase => {
  const data = mrzData({
    documentCode: 'I',
    issuingState: 'FRA',
    nationality: 'FRA',
    documentNumber: 'X4RTBPFW4',
    surname: 'Lefebvre',
    givenNames: 'Camille',
    dateOfBirth: '1992-07-21',
    expiryDate: '2032-02-11',
  })
  return {
    id: 'genuine id card (TD1, France)',
    label: 'approved',
    person: { ...personOf(data, 'GB'), nationality: 'FR' },
    build: async () => {
      const face = identity('sample2#2')
      const card = await renderIdCard({ data, portrait: { image: await documentPortrait(face) }, seed: 41 })
      const live = await liveSelfie(face)
      return {
        submission: {
          documentType: 'id_card',
          issuingCountry: 'FR',
          front: (await photograph(card.front, photoOptions(41, 'std'))).jpeg,
          back: (await photograph(card.back, photoOptions(42, 'std'))).jpeg,
          selfie: live.selfie,
        },
        answer: live.answer,
      }
    },
  }
}

const LICENCE: LicenceData = {
  state: 'CA',
  stateName: 'CALIFORNIA',
  iin: '636014',
  licenceNumber: 'D4827163',
  lastName: 'Okafor',
  firstName: 'Chidi',
  dateOfBirth: '1984-11-02',
  issueDate: '2022-03-01',
  expiryDate: '2030-11-02',
  sex: 'male',
  street: '1 Market St',
  city: 'San Francisco',
  postalCode: '94105',
}

/** A US driving licence (AAMVA PDF417 on the back), a us user with an SSN and a bill as proof of address. */
const licenceCase = (
  id: string,
  label: Label,
  statementDate: string,
  holder: { licenceNumber: string; ssn: string },
  reasons?: string[],
): LabelledCase => {
  const licence = { ...LICENCE, licenceNumber: holder.licenceNumber }
  return {
    id,
    label,
    ...(reasons ? { reasons } : {}),
    person: {
      firstName: LICENCE.firstName,
      lastName: LICENCE.lastName,
      dateOfBirth: LICENCE.dateOfBirth,
      country: 'US',
      region: 'us',
      ssn: holder.ssn,
      address: { line1: LICENCE.street, city: LICENCE.city, zip: LICENCE.postalCode },
    },
    build: async () => {
      const face = identity('sample4#1')
      const [front, back] = await Promise.all([
        renderLicenceFront(licence, await documentPortrait(face)),
        renderLicenceBack(licence),
      ])
      const live = await liveSelfie(face)
      return {
        submission: {
          documentType: 'driving_licence',
          issuingCountry: 'US',
          front: (await photograph(front, photoOptions(61, 'std'))).jpeg,
          back: (await photograph(back, photoOptions(62, 'std'))).jpeg,
          selfie: live.selfie,
          proofOfAddress: await billPdf({
            kind: 'utility',
            holder: {
              name: `${LICENCE.firstName} ${LICENCE.lastName}`,
              street: LICENCE.street,
              city: LICENCE.city,
              postcode: LICENCE.postalCode,
            },
            statementDate,
            dateOrder: 'month-first',
          }),
        },
        answer: live.answer,
      }
    },
  }
}

/** ISO date `months` before `now` (the cases are judged at the test clock's now). */
export const monthsAgo = (now: number, months: number) => {
  const date = new Date(now)
  date.setUTCMonth(date.getUTCMonth() - months)
  return date.toISOString().slice(0, 10)
}

const blurred = async (jpeg: Buffer) => sharp(jpeg).blur(4).jpeg({ quality: 80 }).toBuffer()

/**
 * The labelled set: every case the issue names, each decided end to end (registration, the hosted
 * flow, the worker's real analysis and checks). The sanctions list in test/fixtures/sanctions/list.csv
 * is imported first.
 */
export const labelledCases = (now: number): LabelledCase[] => [
  passportCase('genuine passport', 'approved', 'sample2#0'),
  idCardCase(),
  licenceCase('genuine US driving licence', 'approved', monthsAgo(now, 1), {
    licenceNumber: 'D4827163',
    ssn: '536-22-8741',
  }),
  passportCase('expired passport', 'resubmission_required', 'sample3#2', {
    data: { documentNumber: '533401380', expiryDate: '2024-05-01' },
    reasons: ['DOCUMENT_EXPIRED'],
  }),
  passportCase('under 18', 'rejected', 'sample4#2', {
    data: {
      documentNumber: '533401398',
      dateOfBirth: new Date(now - 17 * 365.25 * 86_400_000).toISOString().slice(0, 10),
    },
    person: { dateOfBirth: '2000-02-03' },
    // Seed 156's photo has the page's corner at the edge of the frame (a retake, not this case's point).
    seed: 212,
  }),
  passportCase('name mismatch', 'rejected', 'sample5#4', {
    data: { documentNumber: '533401406', surname: 'Whitcombe', givenNames: 'Margaret' },
    person: { firstName: 'Eleanor', lastName: 'Harrington' },
    reasons: ['NAME_MISMATCH'],
  }),
  // A check digit that disagrees with clearly read digits is a sign of tampering: a person confirms it.
  passportCase('corrupted check digit', 'review', 'sample6#1', {
    data: { documentNumber: '533401414' },
    corrupt: 'documentNumber',
    reasons: ['DOCUMENT_TAMPERED'],
  }),
  passportCase('different face', 'rejected', 'sample2#0', {
    data: { documentNumber: '533401422' },
    selfieOf: 'sample5#1',
    reasons: ['FACE_MISMATCH'],
  }),
  passportCase('replayed still photo instead of the challenge', 'resubmission_required', 'sample5#2', {
    data: { documentNumber: '533401430' },
    replay: true,
    reasons: ['LIVENESS_CHALLENGE_NOT_FOLLOWED'],
    seed: 212,
  }),
  passportCase('no camera: no active challenge', 'review', 'sample4#3', {
    data: { documentNumber: '533401448' },
    noChallenge: true,
    reasons: ['LIVENESS_CHALLENGE_MISSING'],
  }),
  passportCase('duplicate document', 'review', 'sample2#0', {
    before: 'genuine passport',
    reasons: ['DUPLICATE_IDENTITY'],
  }),
  passportCase('sanctioned name', 'review', 'sample3#0', {
    data: {
      documentNumber: '533401455',
      surname: 'Nasrallah',
      givenNames: 'Hassan',
      dateOfBirth: '1960-08-31',
      sex: 'M',
      nationality: 'LBN',
    },
    person: { nationality: 'LB' },
    reasons: ['SANCTIONS_MATCH'],
  }),
  {
    ...passportCase('blurry photo', 'resubmission_required', 'sample6#0', {
      data: { documentNumber: '533401463' },
    }),
    build: async () => {
      const built = await passportCase('blurry photo', 'resubmission_required', 'sample6#0', {
        data: { documentNumber: '533401463' },
      }).build()
      return { ...built, submission: { ...built.submission, front: await blurred(built.submission.front) } }
    },
  },
  licenceCase(
    'proof of address too old',
    'resubmission_required',
    monthsAgo(now, 5),
    { licenceNumber: 'D5938274', ssn: '541-38-2290' },
    ['ADDRESS_DOCUMENT_TOO_OLD'],
  ),
]
