import { type Html, html } from '../../web/page.ts'
import { en } from '../../web/strings.ts'
import type { StatusView } from '../capture/index.ts'
import {
  DOCUMENT_TYPES,
  type FlowFacts,
  isComplete,
  type Step,
  stepPosition,
  stepsFor,
  type UploadStep,
} from '../capture/index.ts'
import type { Client } from '../clients/index.ts'
import type { Reason } from '../verification/index.ts'

/** The hosted pages. Every text comes from the string catalogue; every value is escaped by `html`. */

const fill = (template: string, values: Record<string, string | number>) =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''))

export const stepUrl = (step: Step) => `/verify/flow/${step}`

const frame = (content: Html, progress?: { index: number; total: number }) =>
  html`<p class="brand">${en.productName}</p>${
    progress
      ? html`<p class="progress">${fill(en.stepOf, { n: progress.index, total: progress.total })}</p>`
      : ''
  }<div class="card">${content}</div>`

/** The error region is always there (empty when there is no error) so the script can fill it. */
const errorRegion = (error?: string) =>
  html`<div id="error" class="error" role="alert" tabindex="-1">${error ?? ''}</div>`

const csrfField = (token: string) => html`<input type="hidden" name="csrf" value="${token}">`

/** The page behind a session link; its script posts the claim form at once. */
export const openingPage = () =>
  frame(html`<h1>${en.openingTitle}</h1><p>${en.openingBody}</p>
<form id="claim" method="post"><button type="submit">${en.openingButton}</button></form>`)

export const OPENING_SCRIPT = "document.getElementById('claim').submit()"

/** A page title per step (WCAG 2.4.2), marked when the page reports a problem. */
const STEP_TITLES: Record<Step, string> = {
  consent: en.consentTitle,
  document: en.documentTitle,
  front: en.frontTitle,
  back: en.backTitle,
  selfie: en.selfieTitle,
  address: en.addressTitle,
  ssn: en.ssnTitle,
  review: en.reviewTitle,
}

export const stepTitle = (step: Step, error?: string) =>
  `${error ? `${en.errorTitle}: ` : ''}${STEP_TITLES[step]} – ${en.productName}`

export type StepPage = { facts: FlowFacts; csrf: string; error?: string; client: Client }

export const introPage = (expiresAt: number, firstStep: Step) =>
  frame(
    html`<h1>${en.readyTitle}</h1>
<p>${en.readyIntro}</p><p>${en.readyPrepare}</p><ul><li>${en.readyDocument}</li><li>${en.readySelfie}</li><li>${en.readyLight}</li></ul>
<p>${en.readyTime}</p><p>${en.readyExpires} ${new Date(expiresAt).toISOString().replace('T', ' ').slice(0, 16)} UTC.</p>
<a class="button" href="${stepUrl(firstStep)}">${en.start}</a>`,
  )

export const consentPage = (page: StepPage & { privacyUrl?: string }) =>
  frame(
    html`<h1>${en.consentTitle}</h1>${errorRegion(page.error)}
<p>${fill(en.consentBody, { client: page.client.name })}</p><p>${en.consentRetention}</p>
${page.privacyUrl ? html`<p><a href="${page.privacyUrl}" rel="noopener" target="_blank">${en.consentPrivacy}</a></p>` : ''}
<form method="post" action="${stepUrl('consent')}">${csrfField(page.csrf)}
<label class="choice"><input type="checkbox" name="consent" value="yes" required${page.facts.consented ? html` checked` : ''}> ${en.consentCheckbox}</label>
<button type="submit">${en.continue}</button></form>`,
    stepPosition('consent', page.facts),
  )

export const documentPage = (
  page: StepPage & { countries: { code: string; name: string }[]; suggestedCountry: string | null },
) => {
  const chosenCountry = page.facts.issuingCountry ?? page.suggestedCountry
  return frame(
    html`<h1>${en.documentTitle}</h1>${errorRegion(page.error)}
<form method="post" action="${stepUrl('document')}">${csrfField(page.csrf)}
<fieldset><legend>${en.documentTypeLegend}</legend>${DOCUMENT_TYPES.map(
      (type) =>
        html`<label class="choice"><input type="radio" name="documentType" value="${type}" required${
          page.facts.documentType === type ? html` checked` : ''
        }> ${en[`documentType_${type}`]}</label>`,
    )}</fieldset>
<label for="issuingCountry">${en.documentCountry}</label>
<select id="issuingCountry" name="issuingCountry" required autocomplete="country"><option value="">${en.documentCountryChoose}</option>${page.countries.map(
      (country) =>
        html`<option value="${country.code}"${country.code === chosenCountry ? html` selected` : ''}>${country.name}</option>`,
    )}</select>
<button type="submit">${en.continue}</button></form>`,
    stepPosition('document', page.facts),
  )
}

const UPLOAD_TEXT: Record<UploadStep, { title: string; hint: string }> = {
  front: { title: en.frontTitle, hint: en.frontHint },
  back: { title: en.backTitle, hint: en.backHint },
  selfie: { title: en.selfieTitle, hint: en.selfieHint },
  address: { title: en.addressTitle, hint: en.addressHint },
}

/**
 * The active challenge, run by the script after a camera selfie: one instruction at a time, in large
 * text, announced as it changes. The server sends the poses with the stored selfie; the texts of every
 * pose travel with the page.
 */
const challengePanel = html`<section data-challenge hidden aria-labelledby="challenge-title">
<h2 id="challenge-title" tabindex="-1">${en.challengeTitle}</h2>
<p class="progress" id="challenge-progress"></p>
<p class="instruction" id="challenge-instruction" aria-live="assertive" aria-atomic="true"></p></section>
<a class="button secondary" data-challenge-skip hidden href="#">${en.challengeSkip}</a>
<p data-challenge-text="${JSON.stringify({
  stepOf: en.challengeStepOf,
  left: en.challengeStep_left,
  right: en.challengeStep_right,
  up: en.challengeStep_up,
  down: en.challengeStep_down,
  sending: en.challengeSending,
  failed: en.challengeFailed,
})}" hidden></p>`

export const uploadPage = (page: StepPage & { step: UploadStep; next: Step }) => {
  const text = UPLOAD_TEXT[page.step]
  const title =
    page.step === 'front' && page.facts.documentType === 'passport' ? en.frontTitle_passport : text.title
  const address = page.step === 'address'
  const selfie = page.step === 'selfie'
  const done = isComplete(page.step, page.facts)
  const camera = selfie
    ? html`<div data-camera-area><p id="camera-message" role="status" class="hint"></p>
<p class="hint" data-camera-only hidden>${en.selfieLiveCheck}</p>
<button type="button" class="secondary" data-start-camera hidden>${en.selfieUseCamera}</button>
<div data-camera hidden><video class="mirror" playsinline muted aria-label="${en.selfieTitle}"></video>
<button type="button" data-shoot>${en.selfieTakePhoto}</button></div>
${challengePanel}
<p data-camera-text="${JSON.stringify({ denied: en.cameraDenied, unsupported: en.cameraUnsupported, error: en.cameraError })}" hidden></p></div>`
    : ''
  return frame(
    html`<h1>${title}</h1>${errorRegion(page.error)}<p>${text.hint}</p>
${done ? html`<p class="done">${en.uploadedAlready}</p>` : ''}${camera}
<form method="post" action="/verify/upload/${page.step}" enctype="multipart/form-data" data-upload data-events="/verify/events" data-feedback="/verify/feedback/${page.step}"
 data-text="${JSON.stringify({ uploading: en.uploading, checking: en.checkingPhoto, failed: en.uploadFailed, required: en.fileRequired, tooLarge: en.fileTooLarge })}">${csrfField(page.csrf)}
<label for="file">${selfie ? en.selfieOrUpload : address ? en.fileLabelAddress : en.fileLabel}</label>
<input id="file" name="file" type="file" required accept="${address ? 'image/*,application/pdf' : 'image/*'}"${
      address ? '' : html` capture="${selfie ? 'user' : 'environment'}"`
    } aria-describedby="file-hint">
<p id="file-hint" class="hint">${address ? en.fileHintAddress : en.fileHint}</p>
<progress max="100" value="0" hidden aria-label="${en.uploadProgress}"></progress>
<button type="submit">${en.uploadButton}</button></form>
${done ? html`<a class="button secondary" href="${stepUrl(page.next)}">${en.continue}</a>` : ''}`,
    stepPosition(page.step, page.facts),
  )
}

export const ssnPage = (page: StepPage) =>
  frame(
    html`<h1>${en.ssnTitle}</h1>${errorRegion(page.error)}<p>${en.ssnHint}</p>
<form method="post" action="${stepUrl('ssn')}">${csrfField(page.csrf)}
<label for="ssn">${en.ssnLabel}</label>
<input id="ssn" name="ssn" type="text" inputmode="numeric" autocomplete="off" required maxlength="11" placeholder="123-45-6789">
<button type="submit">${en.continue}</button></form>`,
    stepPosition('ssn', page.facts),
  )

const REVIEW_ROWS: { step: Step; label: string }[] = [
  { step: 'document', label: en.reviewDocument },
  { step: 'front', label: en.reviewFront },
  { step: 'back', label: en.reviewBack },
  { step: 'selfie', label: en.reviewSelfie },
  { step: 'address', label: en.reviewAddress },
  { step: 'ssn', label: en.reviewSsn },
]

export const reviewPage = (page: StepPage & { countryName: string | null }) => {
  const steps = stepsFor(page.facts)
  const rows = REVIEW_ROWS.filter((row) => steps.includes(row.step)).map((row) => {
    const value =
      row.step === 'document' && page.facts.documentType
        ? `${en[`documentType_${page.facts.documentType}`]}, ${page.countryName ?? ''}`
        : en.reviewProvided
    return html`<dt>${row.label}</dt><dd>${value}</dd><dd><a href="${stepUrl(row.step)}">${en.change}<span class="visually-hidden"> ${row.label}</span></a></dd>`
  })
  return frame(
    html`<h1>${en.reviewTitle}</h1>${errorRegion(page.error)}<p>${en.reviewBody}</p><dl>${rows}</dl>
<form method="post" action="${stepUrl('review')}" data-submit-once data-busy="${en.submitting}">${csrfField(page.csrf)}
<button type="submit">${en.submitButton}</button></form>`,
    stepPosition('review', page.facts),
  )
}

const STATUS_TEXT: Record<StatusView['phase'], { title: string; body: string }> = {
  checking: { title: en.statusChecking, body: en.statusCheckingBody },
  approved: { title: en.statusApproved, body: en.statusApprovedBody },
  rejected: { title: en.statusRejected, body: en.statusRejectedBody },
  resubmit: { title: en.statusResubmit, body: en.statusResubmitBody },
  review: { title: en.statusReview, body: en.statusReviewBody },
}

const reasonItems = (reasons: Reason[]) => reasons.map((reason) => html`<li>${reason.message}</li>`)

export const statusTitle = (status: StatusView) => `${STATUS_TEXT[status.phase].title} – ${en.productName}`

/** The texts of every phase travel with the page, so the script can show the decision without a reload. */
export const statusPage = (status: StatusView, client: Client) => {
  const text = STATUS_TEXT[status.phase]
  const returnLink = client.returnUrl
    ? html`<a class="button" href="${client.returnUrl}" data-return>${en.returnToApp}</a>`
    : html`<p data-return>${en.closePage}</p>`
  return frame(
    html`<div data-status="/verify/status.json" data-phase="${status.phase}" data-texts="${JSON.stringify(STATUS_TEXT)}">
<h1 id="status-title" tabindex="-1">${text.title}</h1>
<p id="status-body" role="status">${text.body}</p>
<ul id="status-reasons">${reasonItems(status.reasons)}</ul>
<div id="status-return"${status.phase === 'checking' ? html` hidden` : ''}>${returnLink}</div></div>`,
  )
}

export const messagePage = (title: string, body: string) => frame(html`<h1>${title}</h1><p>${body}</p>`)
