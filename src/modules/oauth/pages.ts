import { type Html, html } from '../../web/page.ts'
import { SCOPES } from './scopes.ts'

const SIGN_IN_ACTION = '/v1/auth/oauth2/authorize/sign-in'
const CONSENT_ACTION = '/v1/auth/oauth2/authorize/consent'

const frame = (clientName: string, heading: string, content: Html) => html`
<p class="brand">Verity · for ${clientName}</p>
<div class="card">
<h1>${heading}</h1>
${content}
</div>`

const problem = (message: string | undefined) =>
  message ? html`<p class="error" role="alert">${message}</p>` : html``

export type SignInView = {
  clientName: string
  session: string
  csrf: string
  email?: string
  error?: string
}

export const signInPage = (view: SignInView): Html =>
  frame(
    view.clientName,
    'Sign in',
    html`<p>${view.clientName} asks you to sign in with your account.</p>
${problem(view.error)}
<form method="post" action="${SIGN_IN_ACTION}">
<input type="hidden" name="session" value="${view.session}">
<input type="hidden" name="csrf" value="${view.csrf}">
<label for="email">Email</label>
<input type="email" id="email" name="email" autocomplete="username" required value="${view.email ?? ''}">
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`,
  )

export type OtpView = { clientName: string; session: string; csrf: string; pending: string; error?: string }

export const otpPage = (view: OtpView): Html =>
  frame(
    view.clientName,
    'Enter the code we texted you',
    html`<p>We sent a 6-digit code to the phone number of your account.</p>
${problem(view.error)}
<form method="post" action="${SIGN_IN_ACTION}">
<input type="hidden" name="session" value="${view.session}">
<input type="hidden" name="csrf" value="${view.csrf}">
<input type="hidden" name="pending" value="${view.pending}">
<label for="otpCode">Code</label>
<input type="text" id="otpCode" name="otpCode" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
<button type="submit">Continue</button>
</form>`,
  )

export const onboardingIncompletePage = (clientName: string): Html =>
  frame(
    clientName,
    'Finish signing up first',
    html`<p>Your account is not complete yet. Open ${clientName} and finish signing up, then try again.</p>`,
  )

export type ConsentView = {
  clientName: string
  email: string
  scopes: string[]
  ticket: string
  csrf: string
}

export const consentPage = (view: ConsentView): Html =>
  frame(
    view.clientName,
    `Allow ${view.clientName} to use your account?`,
    html`<p>Signed in as ${view.email}. ${view.clientName} asks to:</p>
<ul>${view.scopes.map((scope) => html`<li>${SCOPES[scope] ?? scope} <span class="visually-hidden">(${scope})</span></li>`)}</ul>
<p>${view.clientName} can end this access at any time, for example when you sign out there.</p>
<form method="post" action="${CONSENT_ACTION}">
<input type="hidden" name="ticket" value="${view.ticket}">
<input type="hidden" name="csrf" value="${view.csrf}">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`,
  )

export const messageOnlyPage = (title: string, body: string): Html =>
  html`<p class="brand">Verity</p><div class="card"><h1>${title}</h1><p>${body}</p></div>`
