/**
 * The catalogue of decision reasons. Every reason a decision can carry is listed here once, with a stable
 * `code`, the `category` it belongs to, whether a new attempt can succeed (`retryable`), a message safe to
 * show the end user, and the Veriff-style numeric `failureCode` the Baanx `kyc.status.changed` webhook
 * carries (1xx declined, 2xx resubmission requested).
 */
export const REASON_CATEGORIES = ['document', 'selfie', 'address', 'ssn', 'fraud', 'system'] as const

export const REASON_CATALOGUE = {
  FACE_MISMATCH: {
    category: 'selfie',
    retryable: false,
    failureCode: '103',
    message: 'The face in the selfie does not match the document photo.',
  },
  DOCUMENT_TAMPERED: {
    category: 'fraud',
    retryable: false,
    failureCode: '102',
    message: 'The document appears to have been altered.',
  },
  KNOWN_FRAUD: {
    category: 'fraud',
    retryable: false,
    failureCode: '106',
    message: 'We could not verify your identity.',
  },
  MEDIA_MISSING: {
    category: 'document',
    retryable: true,
    failureCode: '201',
    message: 'Some of the required photos were missing.',
  },
  POOR_IMAGE_QUALITY: {
    category: 'document',
    retryable: true,
    failureCode: '204',
    message: 'The photos were too blurry, dark or cropped to read. Please try again in good light.',
  },
  // The MRZ could not be found or read on the document photos: a sharper, flatter photo usually fixes it.
  MRZ_UNREADABLE: {
    category: 'document',
    retryable: true,
    failureCode: '204',
    message:
      'The bottom lines of your document are not readable. Please take a sharp photo of the whole page, without glare.',
  },
  UNSUPPORTED_DOCUMENT: {
    category: 'document',
    retryable: true,
    failureCode: '206',
    message: 'This type of document is not accepted. Please use a passport, driving licence or ID card.',
  },
  DOCUMENT_EXPIRED: {
    category: 'document',
    retryable: true,
    failureCode: '207',
    message: 'The document has expired. Please use a valid document.',
  },
  // A review, not a decline: the account was suspended (or its client disabled) after the link was issued,
  // so the checks decide nothing and a person looks at it. 105 is Veriff's "suspicious behaviour".
  ACCOUNT_SUSPENDED: {
    category: 'fraud',
    retryable: false,
    failureCode: '105',
    message: 'We could not verify your identity at this time.',
  },
  CLIENT_DISABLED: {
    category: 'system',
    retryable: false,
    failureCode: '105',
    message: 'We could not verify your identity at this time.',
  },
} as const satisfies Record<
  string,
  {
    category: (typeof REASON_CATEGORIES)[number]
    retryable: boolean
    failureCode: string
    message: string
  }
>

export type ReasonCode = keyof typeof REASON_CATALOGUE
export const REASON_CODES = Object.keys(REASON_CATALOGUE) as ReasonCode[]

export type Reason = {
  code: ReasonCode
  category: (typeof REASON_CATALOGUE)[ReasonCode]['category']
  retryable: boolean
  failureCode: string
  message: string
}

export const reason = (code: ReasonCode): Reason => ({ code, ...REASON_CATALOGUE[code] })
