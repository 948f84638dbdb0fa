/** A name of a list entry as stored at import (sanctions_entry.names): normalised, with its Soundex codes. */
export type StoredName = {
  name: string
  alias: boolean
  /** The publisher says it is too vague to identify anyone alone (UN `QUALITY=Low`). */
  weak: boolean
  tokens: string[]
  soundex: string[]
}
