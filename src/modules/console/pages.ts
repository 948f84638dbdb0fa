import { type Html, html } from '../../web/page.ts'
import type { AuditEntry } from '../audit/index.ts'
import type { SessionDocument } from '../capture/index.ts'
import type { PdfPageCount } from '../documents/index.ts'
import type { StaffMember, StaffRole } from '../staff/index.ts'

/**
 * The console's pages, rendered on the server with the project's page helper (nonce CSP, nothing from
 * elsewhere). Every value is escaped by `html`; images come from the console's own authorized routes
 * or, for the checks' face crops, from the check evidence as data: URLs.
 */

export type Viewer = { staff: StaffMember; csrf: string }

export const canDecide = (role: StaffRole) => role === 'admin' || role === 'reviewer'
export const canReadAudit = (role: StaffRole) => role === 'admin' || role === 'auditor'

/** The console's navigation: the pages this member's role opens, and sign-out. */
export const nav = ({ staff, csrf }: Viewer) => html`<nav class="console" aria-label="Console">
  <strong>Verity console</strong>
  <a href="/console">Review queue</a>
  <a href="/console/dashboard">Dashboard</a>
  <a href="/console/users">Users</a>
  ${canReadAudit(staff.role) ? html`<a href="/console/audit">Audit log</a>` : ''}
  ${staff.role === 'admin' ? html`<a href="/console/clients">Clients</a><a href="/console/staff">Staff</a>` : ''}
  <span>${staff.email} (${staff.role})</span>
  <form method="post" action="/console/logout"><input type="hidden" name="csrf" value="${csrf}"><button type="submit" class="secondary">Sign out</button></form>
</nav>`

const alert = (kind: 'error' | 'done', text: string | undefined) =>
  text ? html`<p class="${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</p>` : ''

export const loginPage = (input: { csrf: string; email?: string; error?: string }) => html`
<p class="brand">Verity console</p>
<div class="card">
  <h1>Sign in</h1>
  ${alert('error', input.error)}
  <form method="post" action="/console/login">
    <input type="hidden" name="csrf" value="${input.csrf}">
    <label for="email">Email</label>
    <input type="email" id="email" name="email" autocomplete="username" required value="${input.email ?? ''}">
    <label for="password">Password</label>
    <input type="password" id="password" name="password" autocomplete="current-password" required>
    <label for="code">6-digit code from your authenticator app</label>
    <input type="text" id="code" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" required>
    <button type="submit">Sign in</button>
  </form>
</div>`

export const messageBody = (viewer: Viewer | null, title: string, body: string) => html`
${viewer ? nav(viewer) : html`<p class="brand">Verity console</p>`}
<div class="card"><h1>${title}</h1><p>${body}</p><p><a href="/console">Back to the review queue</a></p></div>`

export type QueueRow = {
  sessionId: string
  region: string
  clientId: string
  userId: string
  submittedAt: string | null
  waitingSeconds: number
  reasons: string[]
  /** The reviewer the case is assigned to now, if any. */
  assignee: string | null
  /** A four-eyes decision was proposed and waits for a second person. */
  awaitingConfirmation: boolean
}

export type QueueFilters = {
  client?: string
  region?: string
  reason?: string
  olderThanMinutes?: number
  assignee?: 'mine' | 'unassigned'
}

const age = (seconds: number) => {
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`
  return `${Math.floor(seconds / 86_400)} d ${Math.floor((seconds % 86_400) / 3600)} h`
}

const options = (values: readonly string[], selected: string | undefined, any: string) =>
  html`<option value="">${any}</option>${values.map(
    (value) => html`<option value="${value}"${value === selected ? html` selected` : ''}>${value}</option>`,
  )}`

const count = (value: number) => value.toLocaleString('en-US')

export const queuePage = (
  viewer: Viewer,
  input: {
    rows: QueueRow[]
    total: number
    /** Set when the queue holds more cases than the page loaded (the oldest ones). */
    capped: { shown: number; waiting: number } | null
    overdue: number
    slaMinutes: number
    filters: QueueFilters
    clients: string[]
    regions: string[]
    reasons: string[]
  },
) => html`
${nav(viewer)}
<h1>Review queue</h1>
<p>${input.total} ${input.total === 1 ? 'case waits' : 'cases wait'} for a person, ${input.overdue} past the ${input.slaMinutes}-minute target. Oldest first.</p>
${input.capped ? html`<p class="error">Showing the oldest ${count(input.capped.shown)} of ${count(input.capped.waiting)} cases waiting; the filters and counts here apply to those.</p>` : ''}
<form method="get" action="/console" class="filters" aria-label="Filter the queue">
  <div><label for="client">Client</label><select id="client" name="client">${options(input.clients, input.filters.client, 'Any client')}</select></div>
  <div><label for="region">Region</label><select id="region" name="region">${options(input.regions, input.filters.region, 'Any region')}</select></div>
  <div><label for="reason">Reason</label><select id="reason" name="reason">${options(input.reasons, input.filters.reason, 'Any reason')}</select></div>
  <div><label for="assignee">Reviewer</label><select id="assignee" name="assignee"><option value="">Anyone or no one</option><option value="mine"${input.filters.assignee === 'mine' ? html` selected` : ''}>Assigned to me</option><option value="unassigned"${input.filters.assignee === 'unassigned' ? html` selected` : ''}>Unassigned</option></select></div>
  <div><label for="older">Waiting at least (minutes)</label><input type="text" inputmode="numeric" id="older" name="olderThanMinutes" value="${input.filters.olderThanMinutes ?? ''}"></div>
  <div><button type="submit">Filter</button></div>
</form>
<table>
  <caption class="visually-hidden">Cases waiting for review</caption>
  <thead><tr><th scope="col">Case</th><th scope="col">Submitted</th><th scope="col">Waiting</th><th scope="col">Client</th><th scope="col">Region</th><th scope="col">Why it waits</th><th scope="col">Reviewer</th></tr></thead>
  <tbody>
  ${
    input.rows.length === 0
      ? html`<tr><td colspan="7">No case waits.</td></tr>`
      : input.rows.map(
          (row) => html`<tr>
    <td><a href="/console/cases/${row.sessionId}">${row.sessionId}</a></td>
    <td>${row.submittedAt ?? ''}</td>
    <td${row.waitingSeconds > input.slaMinutes * 60 ? html` class="overdue"` : ''}>${age(row.waitingSeconds)}${row.waitingSeconds > input.slaMinutes * 60 ? ' (past target)' : ''}</td>
    <td>${row.clientId}</td>
    <td>${row.region}</td>
    <td>${row.reasons.join(', ') || 'review'}${row.awaitingConfirmation ? html` <strong class="proposed">· decision awaits confirmation</strong>` : ''}</td>
    <td>${row.assignee ?? '—'}</td>
  </tr>`,
        )
  }
  </tbody>
</table>`

/** One field read off the document beside what the user registered. */
export type Comparison = {
  field: string
  registered: string | null
  document: string | null
  same: boolean | null
}

export type CaseCheck = {
  check: string
  version: string
  outcome: string
  reason: string | null
  score: number | null
  evidence: unknown
}

/** Another user of the same client holding the same document or SSN (the duplicate check's evidence). */
export type DuplicateHolder = {
  kind: string
  userId: string
  sessionId: string
  /** As the check recorded it; the case page's section puts the holder's current state here. */
  verificationState: string
  sessionOutcome: string | null
}

export type ProofOfAddressView = {
  outcome: string
  reason: string | null
  statementDate: string | null
  oldestAccepted: string | null
  registeredName: string | null
  /** The registered name's words as the check saw them on the document (null: not looked for). */
  name: { found: boolean; score: number | null; asRead: string | null } | null
}

export type CaseView = {
  sessionId: string
  region: string
  clientId: string
  userId: string
  submittedAt: string | null
  waitingSeconds: number
  reasons: string[]
  status: string
  outcome: string | null
  /** Undecided, or sent to a person by the checks: a reviewer may decide it. */
  awaitingDecision: boolean
  decidedAt: string | null
  account: Record<string, unknown>
  history: { version: number; from: string; to: string; cause: string; at: string }[]
  checks: CaseCheck[]
  reviews: {
    reviewer: string
    action: string
    reasonCode: string | null
    note: string | null
    /** Who confirmed a four-eyes decision `reviewer` proposed. */
    confirmedBy: string | null
    at: string | null
  }[]
  /** Who the case is assigned to now (opening it assigns it to a reviewer who may decide). */
  assignment: { staffEmail: string; until: string; mine: boolean } | null
  faces: {
    portraitCrop: string | null
    selfieCrop: string | null
    similarity: number | null
    match: number | null
  }
  comparison: Comparison[]
  documents: SessionDocument[]
  /** Each PDF's page count as the renderer read it, or why it could not, by document id. */
  pdfPages: Record<string, PdfPageCount>
  /** How many pages of a PDF the page shows at most. */
  maxPdfPages: number
  /** What the proof-of-address check read off the document, when it ran. */
  proofOfAddress: ProofOfAddressView | null
  /** Null when the duplicate check did not run; else the other holders it found, of this client only. */
  duplicates: DuplicateHolder[] | null
  /** A four-eyes decision proposed by one reviewer, not applied until another confirms it. */
  pendingDecision: {
    id: string
    action: string
    reasonCode: string | null
    note: string | null
    proposedBy: string
    at: string | null
  } | null
}

export type ReasonOption = { code: string; message: string; retryable: boolean }

/** Evidence without the crops (shown as images above) and long base64, for the checks table. */
const evidenceText = (evidence: unknown) =>
  JSON.stringify(
    evidence,
    (key, value) =>
      typeof value === 'string' && (key.endsWith('Crop') || key === 'crop' || value.length > 300)
        ? '[image]'
        : value,
    1,
  )

const SLOT_LABELS: Record<string, string> = {
  document_front: 'Document, front',
  document_back: 'Document, back',
  selfie: 'Selfie',
  proof_of_address: 'Proof of address',
  challenge_1: 'Live check, frame 1',
  challenge_2: 'Live check, frame 2',
  challenge_3: 'Live check, frame 3',
}

const PDF_PROBLEMS: Record<string, string> = {
  unreadable: 'it could not be read as a PDF',
  timeout: 'rendering it took too long',
  'no-such-page': 'it has no pages',
  busy: 'too many documents are being drawn right now (reload the page in a moment)',
}

/** A PDF is shown as pictures of its first pages, drawn on the server; never as the file uploaded. */
const pdfFigures = (view: CaseView, document: SessionDocument, label: string) => {
  const counted = view.pdfPages[document.id]
  const file = html`PDF, ${document.byteSize} bytes, SHA-256 <code>${document.sha256.slice(0, 16)}…</code>`
  if (!counted?.ok)
    return html`<figure><figcaption class="error">${label} (${file}): not shown, ${PDF_PROBLEMS[counted?.problem ?? 'unreadable'] ?? 'it could not be rendered'}.</figcaption></figure>`
  const shown = Math.min(counted.pages, view.maxPdfPages)
  return html`${Array.from(
    { length: shown },
    (_, index) =>
      html`<figure><img src="/console/cases/${view.sessionId}/documents/${document.id}/pages/${index + 1}" alt="${label}, page ${index + 1} of ${counted.pages}" loading="lazy"><figcaption>${label}, page ${index + 1} of ${counted.pages}${index === shown - 1 && counted.pages > shown ? ` (the first ${shown} are shown)` : ''} (${file})</figcaption></figure>`,
  )}`
}

const documentFigure = (view: CaseView, document: SessionDocument) => {
  const { sessionId } = view
  const label = SLOT_LABELS[document.slot] ?? document.slot
  if (document.purged)
    return html`<figure><figcaption>${label}: deleted at the end of its retention</figcaption></figure>`
  if (document.mediaType === 'application/pdf') return pdfFigures(view, document, label)
  if (document.mediaType !== 'image/jpeg')
    return html`<figure><figcaption>${label}: ${document.mediaType}, ${document.byteSize} bytes, SHA-256 ${document.sha256}. Not shown: the console shows photos and PDFs drawn as pictures only.</figcaption></figure>`
  return html`<figure><img src="/console/cases/${sessionId}/documents/${document.id}" alt="${label}" loading="lazy"${document.width ? html` width="${document.width}" height="${document.height}"` : ''}><figcaption>${label}, SHA-256 <code>${document.sha256.slice(0, 16)}…</code></figcaption></figure>`
}

const crop = (label: string, jpegBase64: string | null) =>
  jpegBase64
    ? html`<figure><img src="data:image/jpeg;base64,${jpegBase64}" alt="${label}"><figcaption>${label}</figcaption></figure>`
    : html`<figure><figcaption>${label}: not found</figcaption></figure>`

const decisionForm = (view: CaseView, csrf: string, reasons: ReasonOption[]) => html`
<section aria-labelledby="decide">
  <h2 id="decide">Decision</h2>
  <p>Keys: <kbd>a</kbd> approve, <kbd>r</kbd> reject, <kbd>n</kbd> request new photos (outside text fields).</p>
  ${view.outcome === null ? html`<p class="error" role="alert">The automated checks have not finished (screening and duplicates among them): the case can be rejected or sent back for new photos, but approved only once they have.</p>` : ''}
  <form method="post" action="/console/cases/${view.sessionId}/decision" id="decision">
    <input type="hidden" name="csrf" value="${csrf}">
    <label for="reasonCode">Reason (required to reject or to ask for new photos)</label>
    <select id="reasonCode" name="reasonCode">
      <option value="">No reason (approve)</option>
      ${reasons.map((each) => html`<option value="${each.code}">${each.code}${each.retryable ? ' (retryable)' : ''}: ${each.message}</option>`)}
    </select>
    <label for="note">Note (kept with the decision, not sent to the user)</label>
    <textarea id="note" name="note" rows="3" maxlength="2000"></textarea>
    ${view.outcome === null ? '' : html`<button type="submit" name="action" value="approve" id="approve">Approve</button>`}
    <button type="submit" name="action" value="reject" id="reject" class="secondary">Reject</button>
    <button type="submit" name="action" value="resubmit" id="resubmit" class="secondary">Request new photos</button>
  </form>
</section>`

const PROPOSED = { approve: 'approve', reject: 'reject' } as Record<string, string>

/**
 * The proposal waiting for a second person (four-eyes): its proposer is told it waits; another
 * member who may decide gets the Confirm button (which applies it).
 */
const proposalSection = (viewer: Viewer, view: CaseView) => {
  const proposal = view.pendingDecision
  if (!proposal) return ''
  const own = proposal.proposedBy === viewer.staff.email
  return html`<section aria-labelledby="proposal" class="proposal">
  <h2 id="proposal">Decision waiting for a second person</h2>
  <p><strong>${proposal.proposedBy}</strong> proposed to <strong>${PROPOSED[proposal.action] ?? proposal.action}</strong>${proposal.reasonCode ? html` with reason <code>${proposal.reasonCode}</code>` : ''} at ${proposal.at ?? ''}.${proposal.note ? html` Note: ${proposal.note}` : ''}</p>
  ${
    own
      ? html`<p role="status">You proposed this decision: it takes effect once another reviewer or admin confirms it.</p>
  <form method="post" action="/console/cases/${view.sessionId}/withdraw">
    <input type="hidden" name="csrf" value="${viewer.csrf}">
    <input type="hidden" name="pendingId" value="${proposal.id}">
    <button type="submit" id="withdraw" class="secondary">Withdraw</button>
  </form>`
      : canDecide(viewer.staff.role)
        ? html`<form method="post" action="/console/cases/${view.sessionId}/confirm">
    <input type="hidden" name="csrf" value="${viewer.csrf}">
    <input type="hidden" name="pendingId" value="${proposal.id}">
    <button type="submit" id="confirm">Confirm</button>
  </form>`
        : html`<p>A reviewer or admin other than the proposer must confirm it.</p>`
  }
</section>`
}

/** Keyboard shortcuts of the case page: a key presses its decision button (not while typing). */
export const CASE_SCRIPT = `document.addEventListener('keydown', (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return
  const target = event.target
  if (target instanceof HTMLElement && target.closest('input, textarea, select')) return
  const id = { a: 'approve', r: 'reject', n: 'resubmit' }[event.key]
  const button = id && document.getElementById(id)
  if (button) { event.preventDefault(); button.focus() }
})`

const HOLDS = { document: 'the same document', ssn: 'the same SSN' } as Record<string, string>

const duplicatesSection = (view: CaseView) =>
  view.duplicates === null
    ? ''
    : html`<section aria-labelledby="duplicates"><h2 id="duplicates">Duplicates</h2>
  ${
    view.duplicates.length === 0
      ? html`<p>No other user of this client holds this document or SSN.</p>`
      : html`<table><thead><tr><th scope="col">Other user</th><th scope="col">Holds</th><th scope="col">Their state now</th><th scope="col">Their session</th></tr></thead><tbody>
    ${view.duplicates.map(
      (holder) =>
        html`<tr><td><a href="/console/users/${holder.userId}">${holder.userId}</a></td><td>${HOLDS[holder.kind] ?? holder.kind}</td><td>${holder.verificationState}</td><td><a href="/console/cases/${holder.sessionId}">${holder.sessionId}</a>${holder.sessionOutcome ? ` (${holder.sessionOutcome})` : ' (undecided)'}</td></tr>`,
    )}</tbody></table>`
  }
</section>`

const proofOfAddressSection = (found: ProofOfAddressView | null) =>
  found
    ? html`<section aria-labelledby="address"><h2 id="address">Proof of address</h2>
  <table><tbody>
    <tr><th scope="row">Check</th><td>${found.outcome}${found.reason ? html` (<code>${found.reason}</code>)` : ''}</td></tr>
    <tr><th scope="row">Statement date read</th><td>${found.statementDate ?? 'none found'}${found.oldestAccepted ? ` (accepted from ${found.oldestAccepted})` : ''}</td></tr>
    <tr><th scope="row">Registered name</th><td>${found.registeredName ?? ''}</td></tr>
    <tr class="${found.name === null ? '' : found.name.found ? 'match' : 'mismatch'}"><th scope="row">Name on the document</th><td>${found.name === null ? 'not looked for' : html`${found.name.asRead ?? 'not found'} — ${found.name.found ? 'found' : 'NOT found'}${found.name.score === null ? '' : ` (score ${found.name.score.toFixed(3)})`}`}</td></tr>
  </tbody></table>
</section>`
    : ''

const fieldRows = (record: Record<string, unknown>) =>
  Object.entries(record)
    .filter(([, value]) => value !== null && value !== undefined && typeof value !== 'object')
    .map(([key, value]) => html`<tr><th scope="row">${key}</th><td>${String(value)}</td></tr>`)

export const casePage = (
  viewer: Viewer,
  view: CaseView,
  input: { reasons: ReasonOption[]; error?: string; notice?: string },
) => html`
${nav(viewer)}
<h1>Case ${view.sessionId}</h1>
${canReadAudit(viewer.staff.role) ? html`<p><a href="/console/cases/${view.sessionId}/evidence" download>Export this case's evidence (JSON)</a></p>` : ''}
${alert('error', input.error)}${alert('done', input.notice)}
<table>
  <tbody>
    <tr><th scope="row">Status</th><td>${view.status}${view.awaitingDecision ? ` — waiting for a person${view.outcome === 'review' ? ' (the checks could not decide)' : ''}` : ` — ${view.outcome} at ${view.decidedAt ?? ''}`}</td></tr>
    <tr><th scope="row">Submitted</th><td>${view.submittedAt ?? ''} (${age(view.waitingSeconds)} ago)</td></tr>
    <tr><th scope="row">Why it waits</th><td>${view.reasons.join(', ') || 'review'}</td></tr>
    <tr><th scope="row">Client / region</th><td>${view.clientId} / ${view.region}</td></tr>
    <tr><th scope="row">User</th><td>${view.userId}</td></tr>
  </tbody>
</table>
${proposalSection(viewer, view)}
${
  view.awaitingDecision && view.assignment && !view.assignment.mine
    ? html`<p class="error" role="alert">${view.assignment.staffEmail} is reviewing this case until ${view.assignment.until}: it cannot be decided by anyone else meanwhile.</p>`
    : view.awaitingDecision && canDecide(viewer.staff.role)
      ? html`${view.assignment ? html`<p>Assigned to you until ${view.assignment.until}.</p>` : ''}${decisionForm(view, viewer.csrf, input.reasons)}`
      : ''
}
<section aria-labelledby="faces"><h2 id="faces">Faces</h2>
  <div class="faces">
    ${crop('Document portrait', view.faces.portraitCrop)}
    ${crop('Selfie', view.faces.selfieCrop)}
    <p>Similarity: <strong>${view.faces.similarity === null ? 'not measured' : view.faces.similarity.toFixed(3)}</strong>${view.faces.match === null ? '' : ` (match at ≥ ${view.faces.match})`}</p>
  </div>
</section>
<section aria-labelledby="data"><h2 id="data">Document data against registered data</h2>
  ${
    view.comparison.length === 0
      ? html`<p>No data was read off the document.</p>`
      : html`<table><thead><tr><th scope="col">Field</th><th scope="col">Registered</th><th scope="col">On the document</th><th scope="col">Same?</th></tr></thead><tbody>
    ${view.comparison.map(
      (row) =>
        html`<tr class="${row.same === false ? 'mismatch' : row.same ? 'match' : ''}"><th scope="row">${row.field}</th><td>${row.registered ?? ''}</td><td>${row.document ?? ''}</td><td>${row.same === null ? 'unknown' : row.same ? 'yes' : 'NO'}</td></tr>`,
    )}</tbody></table>`
  }
</section>
${duplicatesSection(view)}
${proofOfAddressSection(view.proofOfAddress)}
<section aria-labelledby="images" class="documents"><h2 id="images">Images</h2>
  <div class="grid">${view.documents.map((document) => documentFigure(view, document))}</div>
</section>
<section aria-labelledby="checks"><h2 id="checks">Checks</h2>
  <table><thead><tr><th scope="col">Check</th><th scope="col">Outcome</th><th scope="col">Reason</th><th scope="col">Score</th><th scope="col">Evidence</th></tr></thead><tbody>
  ${view.checks.map(
    (check) =>
      html`<tr class="${check.outcome === 'fail' ? 'mismatch' : check.outcome === 'pass' ? 'match' : ''}"><td>${check.check} <small>v${check.version}</small></td><td>${check.outcome}</td><td>${check.reason ?? ''}</td><td>${check.score === null ? '' : check.score.toFixed(3)}</td><td><details><summary>Evidence</summary><pre>${evidenceText(check.evidence)}</pre></details></td></tr>`,
  )}
  </tbody></table>
</section>
<div class="grid">
<section aria-labelledby="account"><h2 id="account">Registered account</h2><table><tbody>${fieldRows(view.account)}</tbody></table></section>
<section aria-labelledby="history"><h2 id="history">Verification history</h2>
  <table><thead><tr><th scope="col">At</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Cause</th></tr></thead><tbody>
  ${view.history.map((step) => html`<tr><td>${step.at}</td><td>${step.from}</td><td>${step.to}</td><td>${step.cause}</td></tr>`)}
  </tbody></table>
  <h2>Reviews</h2>
  ${
    view.reviews.length === 0
      ? html`<p>None yet.</p>`
      : html`<table><tbody>${view.reviews.map((review) => html`<tr><td>${review.at ?? ''}</td><td>${review.reviewer}${review.confirmedBy ? `, confirmed by ${review.confirmedBy}` : ''}</td><td>${review.action}</td><td>${review.reasonCode ?? ''}</td><td>${review.note ?? ''}</td></tr>`)}</tbody></table>`
  }
</section>
</div>`

export const auditPage = (
  viewer: Viewer,
  input: { entries: (AuditEntry & { region: string })[]; filters: Record<string, string | undefined> },
) => html`
${nav(viewer)}
<h1>Audit log</h1>
<p>Append-only and hash-chained per region: <code>verity audit verify</code> proves it was not altered.</p>
<form method="get" action="/console/audit" class="filters" aria-label="Filter the audit log">
  <div><label for="actor">Actor</label><input type="text" id="actor" name="actor" value="${input.filters.actor ?? ''}"></div>
  <div><label for="action">Action</label><input type="text" id="action" name="action" value="${input.filters.action ?? ''}"></div>
  <div><label for="subject">Subject id</label><input type="text" id="subject" name="subject" value="${input.filters.subject ?? ''}"></div>
  <div><button type="submit">Filter</button></div>
</form>
<table><thead><tr><th scope="col">#</th><th scope="col">At</th><th scope="col">Region</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Subject</th><th scope="col">Details</th></tr></thead><tbody>
${input.entries.map(
  (entry) =>
    html`<tr><td>${entry.sequence}</td><td>${entry.occurredAt}</td><td>${entry.region}</td><td>${entry.actor}</td><td>${entry.action}</td><td>${entry.subject ? `${entry.subject.type} ${entry.subject.id}` : ''}</td><td><pre>${JSON.stringify(entry.details)}</pre></td></tr>`,
)}
</tbody></table>`

export const staffPage = (viewer: Viewer, members: StaffMember[]) => html`
${nav(viewer)}
<h1>Staff</h1>
<p>Accounts are created, disabled and reset with <code>verity staff</code>.</p>
<table><thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Created</th></tr></thead><tbody>
${members.map((member) => html`<tr><td>${member.email}</td><td>${member.role}</td><td>${member.status}</td><td>${new Date(member.createdAt).toISOString()}</td></tr>`)}
</tbody></table>`

export type { Html }
