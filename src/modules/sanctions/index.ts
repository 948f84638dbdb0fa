/**
 * The sanctions module's face: the operator's lists (import, versions), screening a person against
 * them, and the alerts re-screening opens on users who were already verified.
 */
export {
  listScreeningAlerts,
  openScreeningAlerts,
  resolveScreeningAlert,
  type ScreeningAlert,
} from './alerts.ts'
export {
  type ImportProgress,
  type ImportRequest,
  importSanctionsList,
  type ListFile,
} from './import.ts'
export { countryCode } from './listed-entry.ts'
export { describeSanctionsLists, isCurrentListVersion } from './lists.ts'
export { rescreenVerifiedUsers } from './rescreen-job-type.ts'
export {
  currentScreeningIndex,
  type ScreenedPerson,
  type ScreeningHit,
  type ScreeningResult,
  screenPerson,
  type Thresholds,
} from './screening.ts'
