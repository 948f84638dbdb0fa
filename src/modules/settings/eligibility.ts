/**
 * The youngest age at which anyone may sign up. Published by GET /v1/settings and enforced by
 * onboarding; it lives here, beside the other published sign-up rules (geography.ts), so that
 * onboarding depends on settings and never the reverse.
 */
export const MINIMUM_AGE = 18
