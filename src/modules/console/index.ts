/**
 * The console module's face: the compliance console's pages under /console (staff sign-in, review
 * queue, case pages with decisions, audit log, staff list). Every other file here is private to it.
 */
export { type ConsoleDeps, consoleRoutes } from './routes.ts'
