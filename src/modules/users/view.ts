import { Type } from 'typebox'
import { type UserRow, VERIFICATION_STATES } from '../../db/schema.ts'
import { NullableString, StringEnum } from '../../http/schemas.ts'
import { maskSsn } from '../../lib/validators.ts'

const text = (description: string) => NullableString({ description })

export const VerificationStateSchema = StringEnum(VERIFICATION_STATES, {
  description: 'UNVERIFIED: nothing submitted · PENDING: submitted, being checked · VERIFIED · REJECTED',
})

/** The user object of `GET /v1/user` and of the onboarding responses (Baanx field names). */
export const UserSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    firstName: text('Given name'),
    lastName: text('Family name'),
    dateOfBirth: text('YYYY-MM-DD'),
    verificationState: VerificationStateSchema,
    phoneNumber: text('National number without the country code, e.g. 7400846282'),
    phoneCountryCode: text('With +, e.g. +44'),
    addressLine1: text('Physical address'),
    addressLine2: text('Physical address, second line'),
    city: text('City'),
    zip: text('Postal code'),
    usState: text('US residents: postal abbreviation'),
    mailingAddressLine1: text('US residents with a separate mailing address'),
    mailingAddressLine2: text('Mailing address, second line'),
    mailingCity: text('Mailing city'),
    mailingZip: text('Mailing postal code'),
    mailingUsState: text('Mailing state'),
    countryOfResidence: Type.String({ description: 'ISO 3166-1 alpha-2' }),
    countryOfNationality: text('ISO 3166-1 alpha-2'),
    ssn: text('US residents: masked, only the last four digits are shown (***-**-6789)'),
    createdAt: Type.String({ format: 'date-time', description: 'When the account was created' }),
  },
  { $id: 'User' },
)

export const toUserView = (user: UserRow) => ({
  id: user.id,
  email: user.email,
  firstName: user.first_name,
  lastName: user.last_name,
  dateOfBirth: user.date_of_birth,
  verificationState: user.verification_state,
  phoneNumber: user.phone_number,
  phoneCountryCode: user.phone_country_code,
  addressLine1: user.address_line1,
  addressLine2: user.address_line2,
  city: user.city,
  zip: user.zip,
  usState: user.us_state,
  mailingAddressLine1: user.mailing_address_line1,
  mailingAddressLine2: user.mailing_address_line2,
  mailingCity: user.mailing_city,
  mailingZip: user.mailing_zip,
  mailingUsState: user.mailing_us_state,
  countryOfResidence: user.country_of_residence,
  countryOfNationality: user.country_of_nationality,
  ssn: user.ssn_last4 === null ? null : maskSsn(user.ssn_last4),
  createdAt: new Date(user.created_at).toISOString(),
})
