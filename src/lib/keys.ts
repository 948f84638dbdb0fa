import { deriveKey } from './crypto.ts'

/** Every key the server uses, each derived from the server secret for one purpose only. */
export type Keys = {
  /** HMAC of 6-digit verification codes. */
  verificationCodes: Buffer
  /** AES-GCM of US Social Security numbers. */
  ssn: Buffer
  /** AES-GCM of job payloads that carry secrets (message bodies with codes). */
  jobPayloads: Buffer
  /** HMAC that makes verification links: derived from the session id, never stored. */
  sessionUrls: Buffer
  /** Wraps the per-object keys of stored documents (envelope encryption). */
  documents: Buffer
  /** HMAC of the one-time CSRF tokens of the hosted pages. */
  csrf: Buffer
  /** AES-GCM of webhook signing keys (recoverable: the server signs with them). */
  webhookKeys: Buffer
  /** HMAC of the emails and source addresses that login failures are counted under. */
  loginFailures: Buffer
  /** AES-GCM of the identity data a submission was checked against, and the HMAC digest of it. */
  identitySnapshots: Buffer
  /** AES-GCM of what a check saw (extracted fields, names, scores): the evidence a reviewer reads. */
  checkEvidence: Buffer
  /**
   * HMAC of the identities the checks saw (document number + issuing country, SSN), to find the same
   * identity on another user of the client without keeping the numbers.
   */
  identityFingerprints: Buffer
  /** HMAC of the audit log's hash chain: without it an altered entry cannot be given a matching hash. */
  auditChain: Buffer
  /** AES-GCM of the staff members' TOTP secrets (recoverable: each sign-in computes codes from them). */
  staffTotp: Buffer
  /** HMAC (HS256) of OAuth authorization sessions and the hosted sign-in's consent tickets. */
  oauthSessions: Buffer
}

export const deriveKeys = (serverSecret: Buffer): Keys => ({
  verificationCodes: deriveKey(serverSecret, 'verification-codes'),
  ssn: deriveKey(serverSecret, 'ssn'),
  jobPayloads: deriveKey(serverSecret, 'job-payloads'),
  sessionUrls: deriveKey(serverSecret, 'session-urls'),
  documents: deriveKey(serverSecret, 'documents'),
  csrf: deriveKey(serverSecret, 'csrf'),
  webhookKeys: deriveKey(serverSecret, 'webhook-keys'),
  loginFailures: deriveKey(serverSecret, 'login-failures'),
  identitySnapshots: deriveKey(serverSecret, 'identity-snapshots'),
  checkEvidence: deriveKey(serverSecret, 'check-evidence'),
  identityFingerprints: deriveKey(serverSecret, 'identity-fingerprints'),
  auditChain: deriveKey(serverSecret, 'audit-chain'),
  staffTotp: deriveKey(serverSecret, 'staff-totp'),
  oauthSessions: deriveKey(serverSecret, 'oauth-sessions'),
})
