/**
 * The onboarding module's face (the Baanx registration steps and contact verifications): what other
 * modules may use. Every other file in this folder is private to the module (docs/architecture.md,
 * Module boundaries).
 */
export {
  AddressResult,
  OnboardingResult,
  OnboardingStatus,
  onboardingRoutes,
  PersonalDetailsBody,
} from './routes.ts'
