import type { Queryable } from '../../db/database.ts'
import type { UserRow } from '../../db/schema.ts'
import { type Clock, DAY_MS } from '../../lib/clock.ts'
import { AppError, type FieldProblem, throwIfProblems } from '../../lib/errors.ts'
import { newUuid } from '../../lib/ids.ts'
import type { Keys } from '../../lib/keys.ts'
import {
  ageOn,
  normalizeCountry,
  normalizeEmail,
  normalizePhone,
  normalizeSsn,
  normalizeUsState,
  parseIsoDate,
} from '../../lib/validators.ts'
import { hashPassword, issueAccessToken, passwordProblem } from '../auth/index.ts'
import type { ClientScope } from '../clients/index.ts'
import { consumeCode, type SendCodeDeps, sendCode } from '../codes/index.ts'
import { canSignUpIn, MINIMUM_AGE } from '../settings/index.ts'
import {
  findUserByEmail,
  insertUser,
  newUserRow,
  type Phase,
  registrationPhase,
  requireOnboardingUser,
  sealSsn,
  toUserView,
  updateUser,
} from '../users/index.ts'
import { whileIdentityUnchecked } from '../verification/index.ts'
import {
  findContactVerification,
  insertContactVerification,
  markEmailVerified,
  reservePhoneNumber,
} from './repo.ts'

export type OnboardingDeps = SendCodeDeps & { clock: Clock; keys: Keys }

/** A contact verification (email, then phone) must be finished within a day. */
export const CONTACT_VERIFICATION_TTL_MS = DAY_MS
/** Distinct phone numbers one contact verification may send codes to. */
const PHONE_NUMBERS_PER_CONTACT_VERIFICATION = 3

const codeDeps = (deps: OnboardingDeps) => ({ clock: deps.clock, codeKey: deps.keys.verificationCodes })

// ---- shared checks --------------------------------------------------------------------------------

const NAME = /^[\p{L}\p{M}][\p{L}\p{M} '’.-]*$/u

const requireText = (
  problems: FieldProblem[],
  field: string,
  value: string | undefined | null,
  max = 100,
): string => {
  const text = (value ?? '').trim()
  if (text.length === 0) problems.push({ field, message: 'is required' })
  else if ([...text].length > max) problems.push({ field, message: `must be at most ${max} characters` })
  else if (/\p{Cc}/u.test(text)) problems.push({ field, message: 'must not contain control characters' })
  return text
}

const optionalText = (
  problems: FieldProblem[],
  field: string,
  value: string | undefined | null,
  max = 100,
): string | null => {
  const text = (value ?? '').trim()
  return text.length === 0 ? null : requireText(problems, field, text, max)
}

const checkZip = (problems: FieldProblem[], field: string, value: string, country: string): string => {
  const zip = requireText(problems, field, value, 16).toUpperCase()
  const valid =
    country === 'US' ? /^\d{5}(-\d{4})?$/.test(zip) : /^[A-Z0-9][A-Z0-9 -]{1,10}[A-Z0-9]$/.test(zip)
  if (zip && !valid)
    problems.push({
      field,
      message:
        country === 'US' ? 'must be a US ZIP code (12345 or 12345-6789)' : 'is not a valid postal code',
    })
  return zip
}

const checkUsState = (
  problems: FieldProblem[],
  field: string,
  value: string | null | undefined,
  country: string,
): string | null => {
  const given = (value ?? '').trim()
  if (country !== 'US') {
    if (given) problems.push({ field, message: 'is only for US residents' })
    return null
  }
  const state = normalizeUsState(given)
  if (!state)
    problems.push({
      field,
      message: given ? 'is not a US state or territory postal abbreviation' : 'is required for US residents',
    })
  return state ?? null
}

const loadOnboarding = (deps: OnboardingDeps, scope: ClientScope, onboardingId: string): Promise<UserRow> =>
  requireOnboardingUser(scope.database.db, scope.client.id, onboardingId, deps.clock.now())

const STEP_NAMES: Record<Phase, string> = {
  ACCOUNT: 'email verification',
  PHONE_NUMBER: 'phone verification (register/phone/verify)',
  PERSONAL_INFORMATION: 'personal details (register/personal-details)',
  PHYSICAL_ADDRESS: 'address (register/address)',
  MAILING_ADDRESS: 'mailing address (register/mailing-address)',
}

const STEP_ORDER: Phase[] = ['PHONE_NUMBER', 'PERSONAL_INFORMATION', 'PHYSICAL_ADDRESS', 'MAILING_ADDRESS']

/** Refuses a step whose predecessors are not done (409 naming the missing step) or a finished registration. */
const requireStep = (user: UserRow, step: Phase): void => {
  const phase = registrationPhase(user)
  if (phase === null) throw new AppError('REGISTRATION_COMPLETE')
  if (STEP_ORDER.indexOf(phase) < STEP_ORDER.indexOf(step)) {
    throw new AppError('ONBOARDING_STEP_MISSING', {
      message: `Complete ${STEP_NAMES[phase]} first`,
      body: { missingStep: phase },
    })
  }
}

const onboardingResult = (user: UserRow) => ({ onboardingId: user.onboarding_id, user: toUserView(user) })

// ---- email ----------------------------------------------------------------------------------------

export const sendEmailCode = async (deps: OnboardingDeps, scope: ClientScope, input: { email: string }) => {
  const email = normalizeEmail(input.email)
  throwIfProblems(email ? [] : [{ field: 'email', message: 'must be a valid email address' }])
  const now = deps.clock.now()
  const contactVerificationId = `${scope.region === 'us' ? 'US_' : ''}${newUuid()}`
  // The same answer whether or not the address already has an account: nothing is revealed here.
  await scope.database.db.transaction().execute(async (trx) => {
    await insertContactVerification(trx, {
      id: contactVerificationId,
      client_id: scope.client.id,
      email: email as string,
      email_verified_at: null,
      user_id: null,
      created_at: now,
      expires_at: now + CONTACT_VERIFICATION_TTL_MS,
    })
    await sendCode(trx, deps, {
      client: scope.client,
      purpose: 'email',
      subject: contactVerificationId,
      target: email as string,
    })
  })
  return { contactVerificationId }
}

export type VerifyEmailInput = {
  email: string
  password: string
  verificationCode: string
  contactVerificationId: string
  countryOfResidence: string
  allowMarketing: boolean
  allowSms: boolean
  userExternalId?: string | undefined
}

/** Verifies the emailed code and creates the account (Baanx step 2). */
export const verifyEmail = async (deps: OnboardingDeps, scope: ClientScope, input: VerifyEmailInput) => {
  const { client, region, database } = scope
  const problems: FieldProblem[] = []
  const email = normalizeEmail(input.email)
  if (!email) problems.push({ field: 'email', message: 'must be a valid email address' })
  const country = normalizeCountry(input.countryOfResidence)
  if (!country)
    problems.push({ field: 'countryOfResidence', message: 'must be an ISO 3166-1 alpha-2 country code' })
  else if (!canSignUpIn(region, country)) {
    problems.push({
      field: 'countryOfResidence',
      message:
        country === 'US'
          ? 'US residents register in the us region (send x-us-env: true)'
          : region === 'us'
            ? 'only US residents register in the us region'
            : 'sign-up is not available for residents of this country',
    })
  }
  const weak = passwordProblem(input.password, email)
  if (weak) problems.push({ field: 'password', message: weak })
  throwIfProblems(problems)

  const now = deps.clock.now()
  const contact = await findContactVerification(database.db, client.id, input.contactVerificationId.trim())
  if (
    !contact ||
    contact.expires_at <= now ||
    contact.email !== email ||
    contact.email_verified_at !== null
  ) {
    throw new AppError('INVALID_CONTACT_VERIFICATION')
  }
  await consumeCode(database.db, codeDeps(deps), {
    clientId: client.id,
    sandbox: client.mode === 'sandbox',
    purpose: 'email',
    subject: contact.id,
    code: input.verificationCode,
  })

  if (await findUserByEmail(database.db, client.id, email as string))
    return { hasAccount: true, onboardingId: null, user: null }

  const userId = newUuid()
  const passwordHash = await hashPassword(input.password)
  try {
    const user = await database.db.transaction().execute(async (trx) => {
      const created = await insertUser(
        trx,
        newUserRow({
          id: userId,
          client_id: client.id,
          onboarding_id: newUuid(),
          email: email as string,
          password_hash: passwordHash,
          external_id: input.userExternalId?.trim() || null,
          country_of_residence: country as string,
          marketing_consent_at: input.allowMarketing ? now : null,
          sms_consent_at: input.allowSms ? now : null,
          created_at: now,
        }),
      )
      await markEmailVerified(trx, contact.id, userId, now)
      return created
    })
    return { hasAccount: false, ...onboardingResult(user) }
  } catch (error) {
    // Two verifications of the same address racing: the loser learns the account exists.
    if (await findUserByEmail(database.db, client.id, email as string))
      return { hasAccount: true, onboardingId: null, user: null }
    throw error
  }
}

// ---- phone ----------------------------------------------------------------------------------------

const checkPhone = (input: { phoneCountryCode: string; phoneNumber: string }) => {
  const phone = normalizePhone(input.phoneCountryCode, input.phoneNumber)
  throwIfProblems(
    phone ? [] : [{ field: 'phoneNumber', message: 'is not a valid phone number for phoneCountryCode' }],
  )
  return phone as NonNullable<typeof phone>
}

/** The contact verification whose email is verified and whose account exists, for the phone steps. */
const verifiedContact = async (deps: OnboardingDeps, scope: ClientScope, contactVerificationId: string) => {
  const contact = await findContactVerification(
    scope.database.db,
    scope.client.id,
    contactVerificationId.trim(),
  )
  if (!contact || contact.expires_at <= deps.clock.now() || contact.user_id === null) {
    throw new AppError('INVALID_CONTACT_VERIFICATION', {
      message: 'Invalid or expired contactVerificationId; verify the email first (register/email/verify)',
    })
  }
  return contact as typeof contact & { user_id: string }
}

export const sendPhoneCode = async (
  deps: OnboardingDeps,
  scope: ClientScope,
  input: { phoneCountryCode: string; phoneNumber: string; contactVerificationId: string },
) => {
  const phone = checkPhone(input)
  const contact = await verifiedContact(deps, scope, input.contactVerificationId)
  await scope.database.db.transaction().execute(async (trx) => {
    // One verified email may not text an unbounded list of numbers (SMS pumping).
    const reserved = await reservePhoneNumber(trx, {
      contactVerificationId: contact.id,
      phone: phone.e164,
      limit: PHONE_NUMBERS_PER_CONTACT_VERIFICATION,
      now: deps.clock.now(),
    })
    if (!reserved)
      throw new AppError('PHONE_NUMBER_LIMIT', {
        body: { maxPhoneNumbers: PHONE_NUMBERS_PER_CONTACT_VERIFICATION },
      })
    // The code is bound to the number it was sent to: verifying it for another number fails.
    await sendCode(trx, deps, {
      client: scope.client,
      purpose: 'phone',
      subject: `${contact.id}|${phone.e164}`,
      target: phone.e164,
    })
  })
  return { success: true }
}

export const verifyPhone = async (
  deps: OnboardingDeps,
  scope: ClientScope,
  input: {
    onboardingId: string
    phoneCountryCode: string
    phoneNumber: string
    contactVerificationId: string
    verificationCode: string
  },
) => {
  const phone = checkPhone(input)
  const user = await loadOnboarding(deps, scope, input.onboardingId)
  if (registrationPhase(user) === null) throw new AppError('REGISTRATION_COMPLETE')
  const contact = await verifiedContact(deps, scope, input.contactVerificationId)
  if (contact.user_id !== user.id) throw new AppError('INVALID_CONTACT_VERIFICATION')
  await consumeCode(scope.database.db, codeDeps(deps), {
    clientId: scope.client.id,
    sandbox: scope.client.mode === 'sandbox',
    purpose: 'phone',
    subject: `${contact.id}|${phone.e164}`,
    code: input.verificationCode,
  })
  const now = deps.clock.now()
  const updated = await updateUser(scope.database.db, user.id, {
    phone_country_code: phone.countryCode,
    phone_number: phone.nationalNumber,
    phone_verified_at: now,
    updated_at: now,
  })
  return onboardingResult(updated)
}

// ---- personal details -----------------------------------------------------------------------------

export type PersonalDetailsInput = {
  onboardingId: string
  firstName: string
  lastName: string
  dateOfBirth: string
  countryOfNationality: string
  ssn?: string | null | undefined
}

export const submitPersonalDetails = async (
  deps: OnboardingDeps,
  scope: ClientScope,
  input: PersonalDetailsInput,
) => {
  const user = await loadOnboarding(deps, scope, input.onboardingId)
  requireStep(user, 'PERSONAL_INFORMATION')
  const now = deps.clock.now()
  const problems: FieldProblem[] = []
  const firstName = requireText(problems, 'firstName', input.firstName)
  const lastName = requireText(problems, 'lastName', input.lastName)
  if (firstName && !NAME.test(firstName))
    problems.push({
      field: 'firstName',
      message: 'must contain letters only (with spaces, apostrophes, dots or hyphens)',
    })
  if (lastName && !NAME.test(lastName))
    problems.push({
      field: 'lastName',
      message: 'must contain letters only (with spaces, apostrophes, dots or hyphens)',
    })
  const birth = parseIsoDate(input.dateOfBirth)
  if (!birth) problems.push({ field: 'dateOfBirth', message: 'must be a real date written YYYY-MM-DD' })
  else {
    const age = ageOn(birth, now)
    if (age < MINIMUM_AGE)
      problems.push({ field: 'dateOfBirth', message: `you must be at least ${MINIMUM_AGE} years old` })
    else if (age > 120) problems.push({ field: 'dateOfBirth', message: 'is not a plausible date of birth' })
  }
  const nationality = normalizeCountry(input.countryOfNationality)
  if (!nationality)
    problems.push({ field: 'countryOfNationality', message: 'must be an ISO 3166-1 alpha-2 country code' })
  const givenSsn = (input.ssn ?? '').trim()
  let ssn: string | undefined
  if (user.country_of_residence === 'US') {
    ssn = normalizeSsn(givenSsn)
    if (!ssn)
      problems.push({
        field: 'ssn',
        message: givenSsn
          ? 'must be a valid US Social Security number (123-45-6789)'
          : 'is required for US residents',
      })
  } else if (givenSsn) {
    problems.push({ field: 'ssn', message: 'is only for US residents' })
  }
  throwIfProblems(problems)

  const updated = await whileIdentityUnchecked(scope.database, user.id, 'identity', (trx) =>
    updateUser(trx, user.id, {
      first_name: firstName,
      last_name: lastName,
      date_of_birth: input.dateOfBirth.trim(),
      country_of_nationality: nationality as string,
      ...sealSsn(deps.keys, user.id, ssn ?? null),
      updated_at: now,
    }),
  )
  return onboardingResult(updated)
}

// ---- addresses ------------------------------------------------------------------------------------

export type AddressInput = {
  onboardingId: string
  addressLine1: string
  addressLine2?: string | null | undefined
  city: string
  zip: string
  usState?: string | null | undefined
  isSameMailingAddress?: boolean | undefined
}

const checkAddress = (
  problems: FieldProblem[],
  input: Omit<AddressInput, 'onboardingId' | 'isSameMailingAddress'>,
  country: string,
) => ({
  line1: requireText(problems, 'addressLine1', input.addressLine1),
  line2: optionalText(problems, 'addressLine2', input.addressLine2),
  city: requireText(problems, 'city', input.city),
  zip: checkZip(problems, 'zip', input.zip, country),
  usState: checkUsState(problems, 'usState', input.usState, country),
})

/** Registration is complete: the first access token is issued with it, as the contract says. */
const completeRegistration = async (
  deps: OnboardingDeps,
  scope: ClientScope,
  trx: Queryable,
  user: UserRow,
  changes: Partial<UserRow>,
) => {
  const now = deps.clock.now()
  const completed = await updateUser(trx, user.id, {
    ...changes,
    registration_completed_at: now,
    updated_at: now,
  })
  const { token } = await issueAccessToken(trx, deps.clock, {
    userId: user.id,
    clientId: scope.client.id,
    region: scope.region,
  })
  return { accessToken: token, ...onboardingResult(completed) }
}

export const submitAddress = async (deps: OnboardingDeps, scope: ClientScope, input: AddressInput) => {
  const user = await loadOnboarding(deps, scope, input.onboardingId)
  requireStep(user, 'PHYSICAL_ADDRESS')
  const country = user.country_of_residence
  const problems: FieldProblem[] = []
  const address = checkAddress(problems, input, country)
  const sameMailing = input.isSameMailingAddress ?? true
  if (!sameMailing && country !== 'US') {
    problems.push({
      field: 'isSameMailingAddress',
      message: 'must be true: a separate mailing address is only for US residents',
    })
  }
  throwIfProblems(problems)
  const now = deps.clock.now()
  const changes = {
    address_line1: address.line1,
    address_line2: address.line2,
    city: address.city,
    zip: address.zip,
    us_state: address.usState,
    mailing_address_line1: null,
    mailing_address_line2: null,
    mailing_city: null,
    mailing_zip: null,
    mailing_us_state: null,
  }
  // A proof of address already checked this address: it stays as it was checked.
  return whileIdentityUnchecked(scope.database, user.id, 'address', async (trx) => {
    if (sameMailing)
      return completeRegistration(deps, scope, trx, user, { ...changes, mailing_pending_since: null })
    const updated = await updateUser(trx, user.id, {
      ...changes,
      mailing_pending_since: now,
      updated_at: now,
    })
    return { accessToken: null, ...onboardingResult(updated) }
  })
}

export const submitMailingAddress = async (
  deps: OnboardingDeps,
  scope: ClientScope,
  input: Omit<AddressInput, 'isSameMailingAddress'>,
) => {
  const user = await loadOnboarding(deps, scope, input.onboardingId)
  // Only reachable after the address step said the mailing address differs (US residents).
  requireStep(user, 'MAILING_ADDRESS')
  const problems: FieldProblem[] = []
  const address = checkAddress(problems, input, user.country_of_residence)
  throwIfProblems(problems)
  return scope.database.db.transaction().execute((trx) =>
    completeRegistration(deps, scope, trx, user, {
      mailing_address_line1: address.line1,
      mailing_address_line2: address.line2,
      mailing_city: address.city,
      mailing_zip: address.zip,
      mailing_us_state: address.usState,
      mailing_pending_since: null,
    }),
  )
}

// ---- progress -------------------------------------------------------------------------------------

/** GET /v1/auth/register: the onboarding record clients poll (Baanx resume rules read its nulls). */
export const onboardingStatus = async (deps: OnboardingDeps, scope: ClientScope, onboardingId: string) => {
  const user = await loadOnboarding(deps, scope, onboardingId)
  // Once registered, the user logs in to read their data: the id alone shows only the progress.
  const registered = user.registration_completed_at !== null
  const personal = <T>(value: T): T | null => (registered ? null : value)
  return {
    id: user.id,
    onboardingId: user.onboarding_id,
    email: personal(user.email),
    firstName: personal(user.first_name),
    lastName: personal(user.last_name),
    phoneNumber: personal(user.phone_number),
    phoneCountryCode: personal(user.phone_country_code),
    verificationState: user.verification_state,
    addressLine1: personal(user.address_line1),
    city: personal(user.city),
    countryOfResidence: user.country_of_residence,
    phase: registrationPhase(user),
  }
}
