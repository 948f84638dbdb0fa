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
  // Usability: a new photo fixes each of these, so they ask for a resubmission (and, on the hosted page,
  // a retake at once). 203 is Veriff's "full document not visible", 204 its "poor image quality".
  DOCUMENT_NOT_FOUND: {
    category: 'document',
    retryable: true,
    failureCode: '203',
    message:
      "We couldn't find your document in the photo. Place it on a plain surface of another colour and take the photo from above.",
  },
  DOCUMENT_NOT_IN_FRAME: {
    category: 'document',
    retryable: true,
    failureCode: '203',
    message:
      "We can't see all four corners of your document. Take the photo with the whole document in view.",
  },
  IMAGE_TOO_SMALL: {
    category: 'document',
    retryable: true,
    failureCode: '204',
    message:
      'The document is too small in the photo. Hold the camera closer so the document fills most of it.',
  },
  IMAGE_BLURRY: {
    category: 'document',
    retryable: true,
    failureCode: '204',
    message: 'The photo is blurry. Hold the camera still and let it focus before taking the photo.',
  },
  IMAGE_TOO_DARK: {
    category: 'document',
    retryable: true,
    failureCode: '204',
    message: 'The photo is too dark. Take it again in good light.',
  },
  IMAGE_OVEREXPOSED: {
    category: 'document',
    retryable: true,
    failureCode: '204',
    message: 'The photo is too bright to read. Take it again out of direct light.',
  },
  IMAGE_GLARE: {
    category: 'document',
    retryable: true,
    failureCode: '204',
    message: 'A reflection hides part of your document. Tilt it slightly or move away from the light.',
  },
  BARCODE_UNREADABLE: {
    category: 'document',
    retryable: true,
    failureCode: '204',
    message:
      "We couldn't read the barcode on the back of your licence. Take a sharp, well-lit photo of the back with the whole card in view.",
  },
  // Front and back of different documents: a genuine barcode under someone else's printed card (or the
  // reverse) is how altered licences are made, so it is declined, not retried (102: tampering).
  DOCUMENT_SIDES_MISMATCH: {
    category: 'fraud',
    retryable: false,
    failureCode: '102',
    message: 'The front and back of the document do not belong to the same document.',
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
