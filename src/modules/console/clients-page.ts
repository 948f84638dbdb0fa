import { DAY_MS } from '../../lib/clock.ts'
import { type Html, html } from '../../web/page.ts'
import { ATTEMPT_LOG_RETENTION_MS, EVENT_RETENTION_MS } from '../webhooks/index.ts'
import { nav, type Viewer } from './pages.ts'

/** A client as the admin pages show it: never its secret, only the hint of it. */
export type ClientView = {
  id: string
  name: string
  mode: string
  regions: string[]
  clientKey: string
  secretHint: string
  status: string
  redirectUris: string[]
  allowedOrigins: string[]
  frameAncestors: string[]
  requireProofOfAddress: boolean
  returnUrl: string | null
  createdAt: string
  secretRotatedAt: string
}

export type EndpointView = {
  id: string
  name: string
  url: string
  eventTypes: string[]
  status: string
  disabledReason: string | null
  keyLast4: string
  failingSince: string | null
}

/** One delivery attempt, for the endpoint's log (the request and answer bodies stay out of the page). */
export type AttemptView = {
  at: string
  region: string
  endpointId: string
  eventType: string
  attempt: number
  outcome: string
  responseStatus: number | null
  durationMs: number
  error: string | null
}

export type EventView = {
  id: string
  region: string
  type: string
  objectId: string | null
  at: string
  status: string
  deliveries: { endpointId: string; status: string; attempts: number }[]
}

export type ClientForm = {
  name?: string
  mode?: string
  regions?: string[]
  redirectUris?: string
  allowedOrigins?: string
}

const alerts = (input: { notice?: string | undefined; error?: string | undefined }) => html`
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
${input.notice ? html`<p class="done" role="status">${input.notice}</p>` : ''}`

const csrfField = (viewer: Viewer) => html`<input type="hidden" name="csrf" value="${viewer.csrf}">`

/** Region checkboxes; those the client already serves stay checked (a region is never taken away). */
const regionChoices = (regions: readonly string[], checked: readonly string[], fixed: readonly string[]) =>
  html`<fieldset><legend>Regions</legend>${regions.map((region) =>
    fixed.includes(region)
      ? html`<label><input type="checkbox" checked disabled> ${region} (its users' data lives there)</label><input type="hidden" name="regions" value="${region}">`
      : html`<label><input type="checkbox" name="regions" value="${region}"${checked.includes(region) ? html` checked` : ''}> ${region}</label>`,
  )}</fieldset>`

const lines = (values: readonly string[]) => values.join('\n')

export const clientsPage = (
  viewer: Viewer,
  input: {
    clients: ClientView[]
    regions: string[]
    form: ClientForm
    notice?: string
    error?: string
  },
) => html`
${nav(viewer)}
<h1>Clients</h1>
${alerts(input)}
<table>
  <caption class="visually-hidden">API clients (tenants)</caption>
  <thead><tr><th scope="col">Client</th><th scope="col">Id</th><th scope="col">Mode</th><th scope="col">Regions</th><th scope="col">Status</th><th scope="col">Client key</th><th scope="col">Secret</th><th scope="col">Created</th></tr></thead>
  <tbody>
  ${
    input.clients.length === 0
      ? html`<tr><td colspan="8">No client yet.</td></tr>`
      : input.clients.map(
          (client) => html`<tr>
    <td><a href="/console/clients/${client.id}">${client.name}</a></td>
    <td>${client.id}</td>
    <td>${client.mode}</td>
    <td>${client.regions.join(', ')}</td>
    <td>${client.status}</td>
    <td><code>${client.clientKey}</code></td>
    <td><code>${client.secretHint}</code></td>
    <td>${client.createdAt}</td>
  </tr>`,
        )
  }
  </tbody>
</table>
<section aria-labelledby="new-client" class="card">
<h2 id="new-client">New client</h2>
<form method="post" action="/console/clients">
  ${csrfField(viewer)}
  <label for="name">Name</label>
  <input type="text" id="name" name="name" required maxlength="100" value="${input.form.name ?? ''}">
  <label for="mode">Mode</label>
  <select id="mode" name="mode">
    <option value="sandbox"${input.form.mode === 'live' ? '' : html` selected`}>sandbox: test users and codes, never real checks</option>
    <option value="live"${input.form.mode === 'live' ? html` selected` : ''}>live</option>
  </select>
  ${regionChoices(input.regions, input.form.regions ?? ['intl'], [])}
  <label for="redirectUris">OAuth redirect URIs, one per line</label>
  <textarea id="redirectUris" name="redirectUris" rows="3">${input.form.redirectUris ?? ''}</textarea>
  <label for="allowedOrigins">Browser origins allowed to call the API, one per line</label>
  <textarea id="allowedOrigins" name="allowedOrigins" rows="3">${input.form.allowedOrigins ?? ''}</textarea>
  <button type="submit">Create client</button>
</form>
</section>`

/** The one page that shows a secret key: right after it was made, never again. */
export const secretPage = (
  viewer: Viewer,
  input: { client: ClientView; secretKey: string; rotated: boolean },
) => html`
${nav(viewer)}
<h1>${input.rotated ? 'New secret key' : 'Client created'}: ${input.client.name}</h1>
<div class="card">
  <p class="done" role="status">${input.rotated ? 'The secret key was replaced; the old one no longer works.' : 'The client was created.'} Copy the secret key now: it is shown only once and is not stored in a form anyone can read back.</p>
  <table><tbody>
    <tr><th scope="row">Client id</th><td>${input.client.id}</td></tr>
    <tr><th scope="row">Client key (x-client-key)</th><td><code>${input.client.clientKey}</code></td></tr>
    <tr><th scope="row">Secret key (x-secret-key)</th><td><code id="secret-key">${input.secretKey}</code></td></tr>
  </tbody></table>
  <p><a href="/console/clients/${input.client.id}">Go to the client's settings</a></p>
</div>`

const endpointRows = (viewer: Viewer, client: ClientView, endpoints: EndpointView[]) =>
  endpoints.length === 0
    ? html`<p>This client has no webhook endpoint (it adds them through the API).</p>`
    : html`<table>
  <caption class="visually-hidden">Webhook endpoints</caption>
  <thead><tr><th scope="col">Endpoint</th><th scope="col">URL</th><th scope="col">Events</th><th scope="col">Status</th><th scope="col">Key</th><th scope="col">Actions</th></tr></thead>
  <tbody>${endpoints.map(
    (endpoint) => html`<tr>
    <td>${endpoint.name}<br><small>${endpoint.id}</small></td>
    <td><code>${endpoint.url}</code></td>
    <td>${endpoint.eventTypes.join(', ')}</td>
    <td>${endpoint.status}${endpoint.disabledReason ? html`: ${endpoint.disabledReason}` : ''}${endpoint.failingSince ? html`<br><small>failing since ${endpoint.failingSince}</small>` : ''}</td>
    <td>…${endpoint.keyLast4}</td>
    <td>
      ${
        endpoint.status === 'disabled'
          ? ''
          : html`<form method="post" action="/console/clients/${client.id}/webhooks/${endpoint.id}/test">${csrfField(viewer)}${
              client.regions.length > 1
                ? html`<label for="test-region-${endpoint.id}">Region</label><select id="test-region-${endpoint.id}" name="region">${client.regions.map((region) => html`<option value="${region}">${region}</option>`)}</select>`
                : html`<input type="hidden" name="region" value="${client.regions[0] ?? ''}">`
            }<button type="submit" class="secondary">Send test event<span class="visually-hidden"> to ${endpoint.name}</span></button></form>`
      }
      ${
        endpoint.status === 'active'
          ? ''
          : html`<form method="post" action="/console/clients/${client.id}/webhooks/${endpoint.id}/activate">${csrfField(viewer)}<button type="submit" class="secondary">Activate<span class="visually-hidden"> ${endpoint.name}</span></button></form>`
      }
    </td>
  </tr>`,
  )}</tbody>
</table>`

const attemptRows = (attempts: AttemptView[], endpoints: EndpointView[]) => {
  const nameOf = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint.name]))
  return attempts.length === 0
    ? html`<p>No delivery attempt in the retention window (${ATTEMPT_LOG_RETENTION_MS / DAY_MS} days).</p>`
    : html`<table>
  <caption class="visually-hidden">Delivery attempts, newest first</caption>
  <thead><tr><th scope="col">At</th><th scope="col">Endpoint</th><th scope="col">Region</th><th scope="col">Event</th><th scope="col">Attempt</th><th scope="col">Outcome</th><th scope="col">HTTP</th><th scope="col">Time</th><th scope="col">Error</th></tr></thead>
  <tbody>${attempts.map(
    (attempt) => html`<tr>
    <td>${attempt.at}</td><td>${nameOf.get(attempt.endpointId) ?? attempt.endpointId}</td><td>${attempt.region}</td><td>${attempt.eventType}</td>
    <td>${attempt.attempt}</td><td>${attempt.outcome}</td><td>${attempt.responseStatus ?? '—'}</td><td>${attempt.durationMs} ms</td><td>${attempt.error ?? ''}</td>
  </tr>`,
  )}</tbody>
</table>`
}

const eventRows = (viewer: Viewer, client: ClientView, events: EventView[], endpoints: EndpointView[]) => {
  const nameOf = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint.name]))
  return events.length === 0
    ? html`<p>No event in the retention window (${EVENT_RETENTION_MS / DAY_MS} days).</p>`
    : html`<table>
  <caption class="visually-hidden">Webhook events, newest first</caption>
  <thead><tr><th scope="col">At</th><th scope="col">Region</th><th scope="col">Event</th><th scope="col">About</th><th scope="col">Status</th><th scope="col">Deliveries</th><th scope="col">Replay</th></tr></thead>
  <tbody>${events.map(
    (event) => html`<tr>
    <td>${event.at}</td><td>${event.region}</td><td>${event.type}<br><small>${event.id}</small></td><td>${event.objectId ?? ''}</td><td>${event.status}</td>
    <td>${event.deliveries.map((delivery) => html`${nameOf.get(delivery.endpointId) ?? delivery.endpointId}: ${delivery.status} (${delivery.attempts} ${delivery.attempts === 1 ? 'attempt' : 'attempts'})<br>`)}</td>
    <td>${
      event.status === 'delivered' || event.status === 'failed'
        ? html`<form method="post" action="/console/clients/${client.id}/events/${event.id}/replay">${csrfField(viewer)}<input type="hidden" name="region" value="${event.region}"><button type="submit" class="secondary">Replay<span class="visually-hidden"> ${event.id}</span></button></form>`
        : ''
    }</td>
  </tr>`,
  )}</tbody>
</table>`
}

export const clientPage = (
  viewer: Viewer,
  input: {
    client: ClientView
    regions: string[]
    endpoints: EndpointView[]
    attempts: AttemptView[]
    events: EventView[]
    notice?: string
    error?: string
  },
): Html => {
  const { client } = input
  const active = client.status === 'active'
  return html`
${nav(viewer)}
<h1>Client ${client.name}</h1>
${alerts(input)}
<div class="grid">
<section aria-labelledby="summary"><h2 id="summary">Summary</h2>
<table><tbody>
  <tr><th scope="row">Id</th><td>${client.id}</td></tr>
  <tr><th scope="row">Mode</th><td>${client.mode}</td></tr>
  <tr><th scope="row">Status</th><td>${client.status}</td></tr>
  <tr><th scope="row">Client key</th><td><code>${client.clientKey}</code></td></tr>
  <tr><th scope="row">Secret key</th><td><code>${client.secretHint}</code> (rotated ${client.secretRotatedAt})</td></tr>
  <tr><th scope="row">Created</th><td>${client.createdAt}</td></tr>
</tbody></table>
${
  active
    ? html`<form method="post" action="/console/clients/${client.id}/secret" class="card">${csrfField(viewer)}
  <p>Rotating the secret key stops the current one at once: every server of this client that uses it fails until it has the new one.</p>
  <label for="confirm-rotate">Type the client's name to confirm</label>
  <input type="text" id="confirm-rotate" name="confirm" required autocomplete="off" maxlength="100">
  <button type="submit" class="secondary">Rotate the secret key</button></form>
<form method="post" action="/console/clients/${client.id}/disable" class="card">${csrfField(viewer)}
  <p>Disabling the client refuses its key (498) for every request, its users' included, until it is enabled again.</p>
  <label for="confirm-disable">Type the client's name to confirm</label>
  <input type="text" id="confirm-disable" name="confirm" required autocomplete="off" maxlength="100">
  <button type="submit" class="secondary">Disable the client</button></form>`
    : html`<p>Disabled: its key is refused (498).</p>
<form method="post" action="/console/clients/${client.id}/enable">${csrfField(viewer)}<button type="submit" class="secondary">Enable the client</button></form>`
}
</section>
<section aria-labelledby="settings"><h2 id="settings">Settings</h2>
<form method="post" action="/console/clients/${client.id}/settings">
  ${csrfField(viewer)}
  ${regionChoices(input.regions, client.regions, client.regions)}
  <label for="redirectUris">OAuth redirect URIs, one per line</label>
  <textarea id="redirectUris" name="redirectUris" rows="3">${lines(client.redirectUris)}</textarea>
  <label for="allowedOrigins">Browser origins allowed to call the API, one per line</label>
  <textarea id="allowedOrigins" name="allowedOrigins" rows="3">${lines(client.allowedOrigins)}</textarea>
  <label for="frameAncestors">Origins allowed to embed the hosted pages, one per line</label>
  <textarea id="frameAncestors" name="frameAncestors" rows="2">${lines(client.frameAncestors)}</textarea>
  <label for="requireProofOfAddress">Proof of address</label>
  <select id="requireProofOfAddress" name="requireProofOfAddress">
    <option value="false"${client.requireProofOfAddress ? '' : html` selected`}>Only where the region asks for it</option>
    <option value="true"${client.requireProofOfAddress ? html` selected` : ''}>Asked of every user</option>
  </select>
  <label for="returnUrl">Return URL offered on the last hosted page (empty: none)</label>
  <input type="text" id="returnUrl" name="returnUrl" maxlength="2048" value="${client.returnUrl ?? ''}">
  <button type="submit">Save settings</button>
</form>
</section>
</div>
<section aria-labelledby="webhooks"><h2 id="webhooks">Webhook endpoints</h2>
${endpointRows(viewer, client, input.endpoints)}
<h3>Delivery log</h3>
${attemptRows(input.attempts, input.endpoints)}
<h3>Events</h3>
${eventRows(viewer, client, input.events, input.endpoints)}
</section>`
}
