/**
 * The identity data read from a document, whatever read it (the MRZ, a US licence's PDF417 barcode):
 * what the consistency, validity, acceptance and duplicate checks compare. Dates are ISO `YYYY-MM-DD`;
 * countries ISO 3166-1 alpha-3 as documents print them.
 */
export type DocumentData = {
  source: 'mrz' | 'pdf417'
  /** The MRZ format read (TD1, TD2, TD3), or `AAMVA` for a licence barcode. */
  format: 'TD1' | 'TD2' | 'TD3' | 'AAMVA'
  documentCode: string | null
  documentNumber: string | null
  issuingCountry: string | null
  nationality: string | null
  surname: string
  givenNames: string
  dateOfBirth: string | null
  expiryDate: string | null
  sex: 'male' | 'female' | 'unspecified' | null
  /** Every check digit the format has, and whether it held (MRZ only; empty for AAMVA). */
  checkDigits: { field: string; valid: boolean }[]
  /**
   * Fields the reader found malformed besides check digits (an unknown country code, an impossible
   * date): any of them makes the read doubtful. Absent when the source does not validate fields.
   */
  invalidFields?: string[]
}
