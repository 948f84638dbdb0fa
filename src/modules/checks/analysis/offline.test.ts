import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { labelledCases } from '../../../../test/accuracy/cases.ts'
import { analyzeSubmission, loadAnalyzers } from './analysis.ts'

/**
 * The whole analysis — every analyzer's models, WASM and templates loaded, a passport and a US licence
 * with its proof of address analysed — with outbound network refused: nothing is downloaded at run time.
 */
describe('the analysis with outbound network refused', () => {
  const attempts: string[] = []
  const originals = {
    fetch: globalThis.fetch,
    connect: net.Socket.prototype.connect,
    httpRequest: http.request,
    httpsRequest: https.request,
  }
  beforeAll(() => {
    globalThis.fetch = (async (url: unknown) => {
      const target = url instanceof Request ? url.url : String(url)
      // Human's loader reads its models with file:// URLs through its own shim (no network).
      if (target.startsWith('file:')) return originals.fetch(url as string)
      attempts.push(`fetch ${target}`)
      throw new Error(`network refused: ${target}`)
    }) as typeof fetch
    net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
      attempts.push(`connect ${JSON.stringify(args[0])}`)
      throw new Error('network refused')
    } as typeof net.Socket.prototype.connect
    const refuse = (name: string) =>
      ((...args: unknown[]) => {
        attempts.push(`${name} ${JSON.stringify(args[0])}`)
        throw new Error('network refused')
      }) as typeof http.request
    http.request = refuse('http.request')
    https.request = refuse('https.request')
  })
  afterAll(() => {
    globalThis.fetch = originals.fetch
    net.Socket.prototype.connect = originals.connect
    http.request = originals.httpRequest
    https.request = originals.httpsRequest
  })

  it('loads every model and analyses a passport and a licence, attempting no connection', async () => {
    await loadAnalyzers()
    const cases = labelledCases(Date.now())
    const passport = await (cases.find((each) => each.id === 'genuine passport')?.build() ?? Promise.reject())
    const licence = await (cases.find((each) => each.id === 'genuine US driving licence')?.build() ??
      Promise.reject())
    const jpeg = (bytes: Buffer) => ({ mediaType: 'image/jpeg', bytes: new Uint8Array(bytes) })
    const ofPassport = await analyzeSubmission({
      documentType: 'passport',
      issuingCountry: 'GB',
      files: { document_front: jpeg(passport.submission.front), selfie: jpeg(passport.submission.selfie) },
    })
    const submission = licence.submission
    const ofLicence = await analyzeSubmission({
      documentType: 'driving_licence',
      issuingCountry: 'US',
      files: {
        document_front: jpeg(submission.front),
        document_back: jpeg(submission.back as Buffer),
        selfie: jpeg(submission.selfie),
        proof_of_address: {
          mediaType: 'application/pdf',
          bytes: new Uint8Array(submission.proofOfAddress as Buffer),
        },
      },
    })
    expect(ofPassport.failed).toBeUndefined()
    expect(ofPassport.documentData).toMatchObject({ source: 'mrz', surname: 'HARRINGTON' })
    expect(ofPassport.faces?.selfie?.faces.length).toBe(1)
    expect(ofLicence.failed).toBeUndefined()
    expect(ofLicence.documentData).toMatchObject({ source: 'pdf417', documentNumber: 'D4827163' })
    expect(ofLicence.address).toBeDefined()
    expect(attempts).toEqual([])
  }, 180_000)
})
