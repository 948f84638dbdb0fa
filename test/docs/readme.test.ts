import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { EnvSchema } from '../../src/config/env-schema.ts'

describe('README configuration table', () => {
  it('documents every environment variable the server reads', () => {
    const readme = readFileSync('README.md', 'utf8')
    for (const name of Object.keys(EnvSchema.properties))
      expect(readme, name).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, 'm'))
  })
})
