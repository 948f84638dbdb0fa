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
  FACE_MATCH_UNCERTAIN: {
    category: 'selfie',
    retryable: false,
    failureCode: '103',
    message: 'We could not confirm that the selfie matches the document photo.',
  },
  NO_FACE_FOUND: {
    category: 'selfie',
    retryable: true,
    failureCode: '202',
    message: 'We could not find your face in the selfie. Please face the camera in good light.',
  },
  MULTIPLE_FACES: {
    category: 'selfie',
    retryable: true,
    failureCode: '202',
    message: 'More than one face is visible in the selfie. Please take it on your own.',
  },
  DOCUMENT_PORTRAIT_NOT_FOUND: {
    category: 'document',
    retryable: true,
    failureCode: '202',
    message: 'We could not see the photo on your document. Please photograph the side with your photo.',
  },
  LIVENESS_CHALLENGE_MISSING: {
    category: 'selfie',
    retryable: true,
    failureCode: '201',
    message: 'Please take the selfie with your camera and follow the head movements shown.',
  },
  LIVENESS_CHALLENGE_NOT_FOLLOWED: {
    category: 'selfie',
    retryable: true,
    failureCode: '202',
    message: 'The head movements did not match the instructions. Please try again and follow each one.',
  },
  // Another face during the challenge is someone else in front of the camera (or a swapped photo or
  // screen): not a photo a new attempt should fix. 105 is Veriff's "suspicious behaviour".
  LIVENESS_FACE_CHANGED: {
    category: 'fraud',
    retryable: false,
    failureCode: '105',
    message: 'We could not verify your identity.',
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
  // Another document may do: the user picks a document of another issuing country (a passport, say).
  COUNTRY_NOT_SUPPORTED: {
    category: 'document',
    retryable: true,
    failureCode: '206',
    message: 'Documents from this country are not accepted. Please use a document issued by another country.',
  },
  // A compliance refusal, not an accusation: category document (not fraud), so that a client does not
  // treat a resident of a restricted country as a fraudster. 112 is Veriff's restricted-location decline.
  RESTRICTED_COUNTRY: {
    category: 'document',
    retryable: false,
    failureCode: '112',
    message: 'We cannot verify identities from this country.',
  },
  // Veriff's granular 533 ("person is under 18 years old"): the default minimum age.
  UNDERAGE: {
    category: 'document',
    retryable: false,
    failureCode: '533',
    message: 'You do not meet the minimum age for this service.',
  },
  // A person decides (the check is inconclusive): the document may have been stolen and used before.
  // The message says nothing about another account, which would tell a prober the document is known.
  DUPLICATE_IDENTITY: {
    category: 'fraud',
    retryable: false,
    failureCode: '110',
    message: 'We could not verify your identity with this document.',
  },
  SSN_INVALID: {
    category: 'ssn',
    retryable: false,
    failureCode: '123',
    message: 'The Social Security number is not valid.',
  },
  SSN_MISMATCH: {
    category: 'ssn',
    retryable: false,
    failureCode: '123',
    message: 'The Social Security number does not match the one you gave.',
  },
  // Proof of address. 22x: Veriff's numbering has no proof-of-address codes; these stay clear of the
  // 20x document codes. All retryable: another bill or statement can fix each of them.
  ADDRESS_DOCUMENT_TOO_OLD: {
    category: 'address',
    retryable: true,
    failureCode: '220',
    message: 'The proof of address is too old. Please upload a recent utility bill or bank statement.',
  },
  ADDRESS_DOCUMENT_UNREADABLE: {
    category: 'address',
    retryable: true,
    failureCode: '221',
    message:
      'We could not read the proof of address. Please upload the PDF you received, or a sharp photo of the whole page, flat and in good light.',
  },
  ADDRESS_DOCUMENT_UNDATED: {
    category: 'address',
    retryable: true,
    failureCode: '222',
    message:
      'We could not find a date on the proof of address. Please upload a bill or statement that shows its date.',
  },
  // Inconclusive outcomes (a person reads the document); retryable, so that a reviewer may ask for another.
  ADDRESS_MISMATCH: {
    category: 'address',
    retryable: true,
    failureCode: '223',
    message: 'The proof of address must show your name and the address you registered.',
  },
  ADDRESS_DOCUMENT_NO_TEXT: {
    category: 'address',
    retryable: true,
    failureCode: '224',
    message:
      'We could not read the proof of address. Please upload the PDF you received, or a sharp photo of the whole page, flat and in good light.',
  },
  // The registered identity is frozen at submission, so new photos of the same document cannot fix a
  // mismatch: a decline, not a resubmission. A typo at registration is not fraud, and it is not declined
  // either: it is a near miss, which goes to a person (NAME_NEAR_MISS, DOB_NEAR_MISS). 104 is Veriff's
  // "name entered does not match name on document"; it has no code of its own for the date of birth.
  NAME_MISMATCH: {
    category: 'document',
    retryable: false,
    failureCode: '104',
    message: 'The name on the document does not match the name you registered with.',
  },
  NAME_NEAR_MISS: {
    category: 'document',
    retryable: false,
    failureCode: '104',
    message: 'The name on the document does not match the name you registered with.',
  },
  DOB_MISMATCH: {
    category: 'document',
    retryable: false,
    failureCode: '104',
    message: 'The date of birth on the document does not match the one you registered with.',
  },
  DOB_NEAR_MISS: {
    category: 'document',
    retryable: false,
    failureCode: '104',
    message: 'The date of birth on the document does not match the one you registered with.',
  },
  // Sanctions hits are reviewed by a person, who may then decline with them. The message says nothing of
  // screening: telling a listed person they matched a list is "tipping off", which AML rules forbid.
  // Veriff has no sanctions code (its AML screening reports apart); 105 is its "suspicious behaviour".
  SANCTIONS_MATCH: {
    category: 'fraud',
    retryable: false,
    failureCode: '105',
    message: 'We could not verify your identity at this time.',
  },
  SANCTIONS_POSSIBLE_MATCH: {
    category: 'fraud',
    retryable: false,
    failureCode: '105',
    message: 'We could not verify your identity at this time.',
  },
  // No list was imported: screening cannot vouch for anyone, so a person decides.
  SCREENING_UNAVAILABLE: {
    category: 'system',
    retryable: false,
    failureCode: '105',
    message: 'We could not verify your identity at this time.',
  },
  // A review, not a decline: the account was suspended (or its client disabled) after the link was issued,
  // so the checks decide nothing and a person looks at it. 105 is Veriff's "suspicious behaviour".
  ACCOUNT_SUSPENDED: {
    category: 'fraud',
    retryable: false,
    failureCode: '105',
    message: 'We could not verify your identity at this time.',
  },
  // A machine fault, not a verdict: an analyzer failed on the files, so a person looks at them.
  ANALYSIS_FAILED: {
    category: 'system',
    retryable: false,
    failureCode: '105',
    message: 'A member of our team is reviewing your documents.',
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
