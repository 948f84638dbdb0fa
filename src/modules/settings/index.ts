/**
 * The settings module's face (GET /v1/auth/settings, countries, states, eligibility): what other
 * modules may use. Every other file in this folder is private to the module (docs/architecture.md,
 * Module boundaries).
 */
export { MINIMUM_AGE } from './eligibility.ts'
export { canSignUpIn, countryList } from './geography.ts'
export { LegalLinks, SignUpFormRules, SignUpSettings, settingsRoutes } from './routes.ts'
