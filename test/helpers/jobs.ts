import { Type } from 'typebox'
import { type JobType, jobType } from '../../src/jobs/definitions.ts'

/** A job type for queue tests: any JSON payload is accepted, so the test shapes it freely. */
export const testJob = (type: string): JobType => jobType(type, Type.Unknown())
