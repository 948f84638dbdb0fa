import { DAY_MS } from '../../lib/clock.ts'
import { html } from '../../web/page.ts'
import { EVENT_RETENTION_MS } from '../webhooks/index.ts'
import { nav, type Viewer } from './pages.ts'

export type UserRowView = {
  id: string
  region: string
  clientId: string
  email: string
  name: string
  verificationState: string
  status: string
}

export type UserSessionView = {
  id: string
  kind: string
  status: string
  outcome: string | null
  createdAt: string
  submittedAt: string | null
  reasons: string[]
}

export type UserWebhookEventView = {
  id: string
  type: string
  createdAt: string
  deliveries: {
    id: string
    endpointId: string
    endpointUrl: string | null
    status: string
    attempts: number
    lastStatus: number | null
    lastError: string | null
    deliveredAt: string | null
    nextRetryAt: string | null
  }[]
}

const deliveryState = (delivery: UserWebhookEventView['deliveries'][number]) =>
  delivery.status === 'success'
    ? `delivered ${delivery.deliveredAt ?? ''}`
    : delivery.status === 'pending'
      ? `pending${delivery.nextRetryAt ? `, next attempt ${delivery.nextRetryAt}` : ''}`
      : 'failed (no more attempts)'

const webhooksSection = (
  events: UserWebhookEventView[],
) => html`<section aria-labelledby="webhooks"><h2 id="webhooks">Webhook deliveries</h2>
${
  events.length === 0
    ? html`<p>No webhook event about this user (the log keeps events for ${EVENT_RETENTION_MS / DAY_MS} days).</p>`
    : html`<table><caption class="visually-hidden">Webhook events about this user and their deliveries</caption><thead><tr><th scope="col">Event</th><th scope="col">At</th><th scope="col">Endpoint</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last response</th></tr></thead><tbody>
${events.flatMap((event) =>
  event.deliveries.length === 0
    ? [
        html`<tr><td>${event.type} <small><code>${event.id}</code></small></td><td>${event.createdAt}</td><td colspan="4">No endpoint was subscribed.</td></tr>`,
      ]
    : event.deliveries.map(
        (delivery) =>
          html`<tr class="${delivery.status === 'failed' ? 'mismatch' : delivery.status === 'success' ? 'match' : ''}"><td>${event.type} <small><code>${event.id}</code></small></td><td>${event.createdAt}</td><td>${delivery.endpointUrl ?? html`<code>${delivery.endpointId}</code> (deleted)`}</td><td>${deliveryState(delivery)}</td><td>${delivery.attempts}</td><td>${delivery.lastStatus ?? (delivery.lastError ? 'no answer' : '—')}${delivery.lastError ? html` <small>${delivery.lastError}</small>` : ''}</td></tr>`,
      ),
)}
</tbody></table>`
}
</section>`

export const usersPage = (viewer: Viewer, input: { query: string; results: UserRowView[] | null }) => html`
${nav(viewer)}
<h1>Users</h1>
<form method="get" action="/console/users" class="filters" role="search" aria-label="Find a user">
  <div><label for="q">Email, user id, part of the name, or document number</label><input type="text" id="q" name="q" value="${input.query}" maxlength="200"></div>
  <div><button type="submit">Search</button></div>
</form>
${
  input.results === null
    ? ''
    : input.results.length === 0
      ? html`<p>No user matches.</p>`
      : html`<table><caption class="visually-hidden">Users found</caption><thead><tr><th scope="col">User</th><th scope="col">Name</th><th scope="col">Email</th><th scope="col">State</th><th scope="col">Account</th><th scope="col">Client / region</th></tr></thead><tbody>
${input.results.map((row) => html`<tr><td><a href="/console/users/${row.id}">${row.id}</a></td><td>${row.name}</td><td>${row.email}</td><td>${row.verificationState}</td><td>${row.status}</td><td>${row.clientId} / ${row.region}</td></tr>`)}
</tbody></table>`
}`

export const userPage = (
  viewer: Viewer,
  input: {
    account: Record<string, unknown> & { id: string; status: string }
    history: { from: string; to: string; cause: string; at: string }[]
    sessions: UserSessionView[]
    webhookEvents: UserWebhookEventView[]
    canSuspend: boolean
    notice?: string
  },
) => html`
${nav(viewer)}
<h1>User ${input.account.id}</h1>
${input.notice ? html`<p class="done" role="status">${input.notice}</p>` : ''}
${
  input.canSuspend
    ? html`<form method="post" action="/console/users/${input.account.id}/suspension">
  <input type="hidden" name="csrf" value="${viewer.csrf}">
  <input type="hidden" name="suspended" value="${input.account.status === 'suspended' ? 'false' : 'true'}">
  <button type="submit" class="secondary">${input.account.status === 'suspended' ? 'Unsuspend' : 'Suspend'}</button>
</form>`
    : ''
}
<div class="grid">
<section aria-labelledby="account"><h2 id="account">Account</h2><table><tbody>
${Object.entries(input.account)
  .filter(([, value]) => value !== null && value !== undefined && typeof value !== 'object')
  .map(([key, value]) => html`<tr><th scope="row">${key}</th><td>${String(value)}</td></tr>`)}
</tbody></table></section>
<section aria-labelledby="sessions"><h2 id="sessions">Verification sessions</h2>
<table><thead><tr><th scope="col">Session</th><th scope="col">Created</th><th scope="col">Status</th><th scope="col">Outcome</th><th scope="col">Reasons</th></tr></thead><tbody>
${input.sessions.map((session) => html`<tr><td>${session.submittedAt ? html`<a href="/console/cases/${session.id}">${session.id}</a>` : session.id}</td><td>${session.createdAt}</td><td>${session.status}</td><td>${session.outcome ?? ''}</td><td>${session.reasons.join(', ')}</td></tr>`)}
</tbody></table>
<h2>Transitions</h2>
<table><thead><tr><th scope="col">At</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Cause</th></tr></thead><tbody>
${input.history.map((step) => html`<tr><td>${step.at}</td><td>${step.from}</td><td>${step.to}</td><td>${step.cause}</td></tr>`)}
</tbody></table>
</section>
</div>
${webhooksSection(input.webhookEvents)}`
