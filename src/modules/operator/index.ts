/** The operator module's face: actions on users for the CLI (and later the console). */
export { describeUser, setLoginOtp, setUserSuspended } from './user-actions.ts'
