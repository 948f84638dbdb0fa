/**
 * The staff module's face: the compliance console's staff accounts (admin, reviewer, auditor), their
 * sign-in with password and TOTP, and their console sessions. The console's pages and the CLI use it.
 */
export {
  createStaff,
  disableStaff,
  enableStaff,
  listStaff,
  resetStaff,
  resolveStaffSession,
  type SignedInStaff,
  type StaffCredentials,
  type StaffDeps,
  type StaffMember,
  type StaffRole,
  type StaffSession,
  type StaffSignIn,
  type StaffSignInDeps,
  signInStaff,
  signOutStaff,
} from './service.ts'
