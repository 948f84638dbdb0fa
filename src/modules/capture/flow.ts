import type { DocumentSlot, DocumentType } from '../../db/schema.ts'

/**
 * The steps of the hosted flow, in order, and which of them a session needs. Pure: the routes ask it
 * which step a browser may open and where to send it next, so the order cannot be skipped by typing a
 * URL or replaying a form.
 */
export const STEPS = ['consent', 'document', 'front', 'back', 'selfie', 'address', 'ssn', 'review'] as const
export type Step = (typeof STEPS)[number]
export const UPLOAD_STEPS = ['front', 'back', 'selfie', 'address'] as const satisfies readonly Step[]
export type UploadStep = (typeof UPLOAD_STEPS)[number]
/** The steps answered by a form post rather than an upload. */
export const FORM_STEPS = ['consent', 'document', 'ssn', 'review'] as const satisfies readonly Exclude<
  Step,
  UploadStep
>[]
// The document types are the column's own list; the flow's pages and tests read them from here.
export { DOCUMENT_TYPES } from '../../db/schema.ts'

export const SLOT_OF_STEP: Record<UploadStep, DocumentSlot> = {
  front: 'document_front',
  back: 'document_back',
  selfie: 'selfie',
  address: 'proof_of_address',
}

const isUploadStep = (step: Step): step is UploadStep => step in SLOT_OF_STEP

/** A passport is one photo page; cards (licences, ID cards, residence permits) have a back. */
const hasBack = (type: DocumentType): boolean => type !== 'passport'

export type FlowFacts = {
  consented: boolean
  documentType: DocumentType | null
  issuingCountry: string | null
  uploaded: ReadonlySet<DocumentSlot>
  /** Proof of address: always in the us region, elsewhere when the client asks for it. */
  needsAddress: boolean
  /** SSN step: in us when the user gave none at onboarding (stays once given here, to allow changes). */
  needsSsn: boolean
  ssnGiven: boolean
}

export const stepsFor = (facts: FlowFacts): Step[] =>
  STEPS.filter((step) => {
    if (step === 'back') return facts.documentType !== null && hasBack(facts.documentType)
    if (step === 'address') return facts.needsAddress
    if (step === 'ssn') return facts.needsSsn
    return true
  })

export const isComplete = (step: Step, facts: FlowFacts): boolean => {
  switch (step) {
    case 'consent':
      return facts.consented
    case 'document':
      return facts.documentType !== null && facts.issuingCountry !== null
    case 'ssn':
      return facts.ssnGiven
    case 'review':
      return false
    default:
      return facts.uploaded.has(SLOT_OF_STEP[step])
  }
}

/** The first step still to do; `review` once everything before it is done. */
export const nextStep = (facts: FlowFacts): Step =>
  stepsFor(facts).find((step) => !isComplete(step, facts)) ?? 'review'

/** A step can be opened when the session needs it and every step before it is done. */
export const canOpen = (step: Step, facts: FlowFacts): boolean => {
  const steps = stepsFor(facts)
  const index = steps.indexOf(step)
  return index >= 0 && steps.slice(0, index).every((earlier) => isComplete(earlier, facts))
}

/** Position for "Step n of m" (review counts; the intro does not). */
export const stepPosition = (step: Step, facts: FlowFacts) => {
  const steps = stepsFor(facts)
  return { index: steps.indexOf(step) + 1, total: steps.length }
}

/** The slots a submission must contain. */
export const requiredSlots = (facts: FlowFacts): DocumentSlot[] =>
  stepsFor(facts)
    .filter(isUploadStep)
    .map((step) => SLOT_OF_STEP[step])
