/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The little script of the hosted pages (served compiled at /verify/assets/flow.js). Every page works
 * without it; it adds: photos downscaled before upload, upload progress, errors shown in place, live
 * selfie capture with the camera, one submission per click, and a status page that follows the
 * decision without a reload.
 */

const MAX_EDGE = 2560
const STATUS_POLL_MS = 2000

const $ = <T extends Element>(root: ParentNode, selector: string) => root.querySelector<T>(selector)

const showError = (message: string) => {
  const region = $<HTMLElement>(document, '#error')
  if (!region) return
  region.textContent = message
  region.focus()
}

/** Re-encodes a photo the browser can decode at most MAX_EDGE wide or high; anything else goes as it is. */
const downscale = async (file: Blob): Promise<Blob> => {
  if (!file.type.startsWith('image/') || file.type === 'image/heic' || file.type === 'image/heif') return file
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' })
    const scale = Math.min(1, MAX_EDGE / Math.max(bitmap.width, bitmap.height))
    if (scale === 1 && file.type === 'image/jpeg') return file
    const canvas = document.createElement('canvas')
    canvas.width = Math.round(bitmap.width * scale)
    canvas.height = Math.round(bitmap.height * scale)
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
    bitmap.close()
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9))
    return blob ?? file
  } catch {
    // Not decodable here (a damaged file, or not an image at all): the server gives the clear answer.
    return file
  }
}

type UploadText = { uploading: string; checking: string; failed: string; required: string; tooLarge: string }

type Feedback = { status: 'none' | 'pending' | 'ok' | 'retake'; message?: string }

const FEEDBACK_WAIT_MS = 6_000

/** Puts the step page's current CSRF token into the form (after an accepted upload, to upload again). */
const refreshToken = async (form: HTMLFormElement) => {
  try {
    const page = await (await fetch(window.location.href, { headers: { accept: 'text/html' } })).text()
    const token = new DOMParser()
      .parseFromString(page, 'text/html')
      .querySelector<HTMLInputElement>('input[name=csrf]')?.value
    const field = $<HTMLInputElement>(form, 'input[name=csrf]')
    if (token && field) field.value = token
  } catch {
    // Offline for a moment: the next upload is refused as stale and says to reload.
  }
}

/**
 * Waits for the server's quick look at the photo just stored (readable, in frame, one face): a retake
 * message when it asks for one, else undefined. A slow or failed answer lets the user go on: the
 * submission's own checks will look again.
 */
const retakeReason = async (url: string | undefined): Promise<string | undefined> => {
  if (!url) return undefined
  const until = Date.now() + FEEDBACK_WAIT_MS
  while (Date.now() < until) {
    try {
      const response = await fetch(url, { headers: { accept: 'application/json' } })
      if (!response.ok) return undefined
      const feedback = (await response.json()) as Feedback
      if (feedback.status === 'retake') return feedback.message
      if (feedback.status !== 'pending') return undefined
    } catch {
      return undefined
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
  return undefined
}

/** A selfie's active challenge, as the server sends it with the stored selfie. */
type Challenge = { id: string; steps: string[]; answerBy: number; csrf: string; url: string }
type UploadAnswer = { next?: string; message?: string; challenge?: Challenge }

type UploadHandlers = {
  /** Takes the successful answer instead of going on to the next step. */
  accepted?: (answer: UploadAnswer & { next: string }) => void
  /** Called when the upload was refused or failed (after the message is shown). */
  refused?: () => void
}

/** Uploads one file; on success goes to the next step (or hands the answer to `accepted`). */
const upload = (form: HTMLFormElement, file: Blob, name: string, handlers: UploadHandlers = {}) => {
  const text = JSON.parse(form.dataset.text ?? '{}') as UploadText
  const button = $<HTMLButtonElement>(form, 'button[type=submit]')
  const progress = $<HTMLProgressElement>(form, 'progress')
  const csrf = $<HTMLInputElement>(form, 'input[name=csrf]')?.value ?? ''
  const body = new FormData()
  body.append('csrf', csrf) // before the file: the server checks it before reading the upload
  body.append('file', file, name)
  const request = new XMLHttpRequest()
  request.open('POST', form.action)
  request.setRequestHeader('accept', 'application/json')
  request.upload.onprogress = (event) => {
    if (progress && event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100)
  }
  const finish = () => {
    if (button) {
      button.disabled = false
      button.textContent = button.dataset.label ?? button.textContent
    }
    if (progress) progress.hidden = true
  }
  request.onload = () => {
    // Success is `{next}`; a refusal is the API's error body, `{message, errorCode}`.
    let answer: UploadAnswer = {}
    try {
      answer = JSON.parse(request.responseText)
    } catch {
      answer = { message: text.failed }
    }
    if (request.status < 300 && answer.next) {
      const next = answer.next
      if (button) button.textContent = text.checking
      void retakeReason(form.dataset.feedback).then(async (retake) => {
        if (retake) {
          // The photo was stored, so this form's one-time token is spent: take the step's new one.
          await refreshToken(form)
          finish()
          showError(retake)
          handlers.refused?.()
        } else if (handlers.accepted) {
          finish()
          handlers.accepted({ ...answer, next })
        } else window.location.assign(next)
      })
      return
    }
    finish()
    showError(answer.message ?? text.failed)
    handlers.refused?.()
  }
  request.onerror = () => {
    finish()
    showError(text.failed)
    handlers.refused?.()
  }
  if (button) {
    button.dataset.label = button.textContent ?? ''
    button.disabled = true
    button.textContent = text.uploading
  }
  if (progress) {
    progress.value = 0
    progress.hidden = false
  }
  request.send(body)
}

const MAX_UPLOAD_BYTES = 15 * 1024 * 1024

const enhanceUpload = (form: HTMLFormElement) => {
  const input = $<HTMLInputElement>(form, 'input[type=file]')
  const text = JSON.parse(form.dataset.text ?? '{}') as UploadText
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const file = input?.files?.[0]
    if (!file) return showError(text.required)
    const prepared = await downscale(file)
    if (prepared.size > MAX_UPLOAD_BYTES) return showError(text.tooLarge)
    upload(form, prepared, prepared === file ? file.name : 'photo.jpg')
  })
}

/** Reports a camera problem on the session (support and reviewers see it); best effort. */
const report = (form: HTMLFormElement, type: string) => {
  const csrf = $<HTMLInputElement>(form, 'input[name=csrf]')?.value ?? ''
  const body = new URLSearchParams({ csrf, type })
  void fetch(form.dataset.events ?? '/verify/events', { method: 'POST', body }).catch(() => undefined)
}

const POSE_MS = 1200
const FRAME_EDGE = 720
const FRAME_QUALITY = 0.8

const sleep = (ms: number) => new Promise((resolve) => window.setTimeout(resolve, ms))

/** The video's current picture as a JPEG, at most `edge` px wide or high (as the camera sees it, not mirrored). */
const grab = (video: HTMLVideoElement, edge: number, quality: number) =>
  new Promise<Blob | null>((resolve) => {
    const canvas = document.createElement('canvas')
    const scale = Math.min(1, edge / Math.max(video.videoWidth, video.videoHeight))
    canvas.width = Math.round(video.videoWidth * scale)
    canvas.height = Math.round(video.videoHeight * scale)
    canvas.getContext('2d')?.drawImage(video, 0, 0, canvas.width, canvas.height)
    canvas.toBlob(resolve, 'image/jpeg', quality)
  })

const fill = (template: string, values: Record<string, string | number>) =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''))

/**
 * Runs the selfie's active challenge: each pose's instruction in turn, a frame grabbed after a short
 * moment, then every frame in one upload. A failure says so and offers to go on without it (a person
 * then reviews the selfie) or to take the selfie again (a new challenge).
 */
const runChallenge = async (
  area: HTMLElement,
  video: HTMLVideoElement,
  challenge: Challenge,
  next: string,
  retake: () => void,
) => {
  const panel = $<HTMLElement>(area, '[data-challenge]')
  const progress = $<HTMLElement>(area, '#challenge-progress')
  const instruction = $<HTMLElement>(area, '#challenge-instruction')
  const skip = $<HTMLAnchorElement>(area, '[data-challenge-skip]')
  const texts = JSON.parse(
    $<HTMLElement>(area, '[data-challenge-text]')?.dataset.challengeText ?? '{}',
  ) as Record<string, string>
  if (!panel || !instruction) return window.location.assign(next)
  panel.hidden = false
  // The button that had the focus is gone: the panel's heading takes it, the instructions are announced.
  $<HTMLElement>(panel, 'h2')?.focus()
  if (skip) skip.hidden = true
  const error = $<HTMLElement>(document, '#error')
  if (error) error.textContent = ''
  const say = (message: string) => {
    instruction.textContent = message
  }
  const frames: Blob[] = []
  for (const [index, step] of challenge.steps.entries()) {
    if (progress)
      progress.textContent = fill(texts.stepOf ?? '', { n: index + 1, total: challenge.steps.length })
    say(texts[step] ?? step)
    await sleep(POSE_MS)
    const frame = await grab(video, FRAME_EDGE, FRAME_QUALITY)
    if (frame) frames.push(frame)
  }
  if (progress) progress.textContent = ''
  say(texts.sending ?? '')
  const body = new FormData()
  body.append('csrf', challenge.csrf) // the fields first: the server checks them before reading a frame
  body.append('challenge', challenge.id)
  for (const [index, frame] of frames.entries()) body.append('frame', frame, `frame-${index + 1}.jpg`)
  let answer: UploadAnswer = {}
  try {
    const response = await fetch(challenge.url, {
      method: 'POST',
      body,
      headers: { accept: 'application/json' },
    })
    answer = (await response.json()) as UploadAnswer
    if (response.ok && answer.next) return window.location.assign(answer.next)
  } catch {
    answer = {}
  }
  panel.hidden = true
  showError(answer.message ?? texts.failed ?? '')
  if (skip) {
    skip.href = next
    skip.hidden = false
  }
  retake()
}

const enhanceCamera = (area: HTMLElement, form: HTMLFormElement) => {
  const message = $<HTMLElement>(area, '#camera-message')
  const texts = JSON.parse($<HTMLElement>(area, '[data-camera-text]')?.dataset.cameraText ?? '{}') as Record<
    string,
    string
  >
  const start = $<HTMLButtonElement>(area, '[data-start-camera]')
  const live = $<HTMLElement>(area, '[data-camera]')
  const video = $<HTMLVideoElement>(area, 'video')
  const shoot = $<HTMLButtonElement>(area, '[data-shoot]')
  const problem = (kind: 'denied' | 'unsupported' | 'error') => {
    if (message) message.textContent = texts[kind] ?? ''
    if (live) live.hidden = true
    report(form, `camera_${kind}`)
  }
  if (!navigator.mediaDevices?.getUserMedia) return problem('unsupported')
  if (!start || !live || !video || !shoot) return
  start.hidden = false
  for (const note of area.querySelectorAll<HTMLElement>('[data-camera-only]')) note.hidden = false
  start.addEventListener('click', async () => {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: 'user' },
        audio: false,
      })
      video.srcObject = stream
      await video.play()
      live.hidden = false
      start.hidden = true
      shoot.hidden = false
      shoot.disabled = false
      shoot.focus()
      const stop = () => {
        for (const track of stream.getTracks()) track.stop()
      }
      shoot.onclick = async () => {
        shoot.disabled = true
        const blob = await grab(video, MAX_EDGE, 0.9)
        if (!blob) {
          shoot.disabled = false
          return
        }
        // The camera stays on: the challenge the server sends with the stored selfie follows at once.
        upload(form, blob, 'selfie.jpg', {
          accepted: async (answer) => {
            if (!answer.challenge) {
              stop()
              return window.location.assign(answer.next)
            }
            shoot.hidden = true
            await runChallenge(area, video, answer.challenge, answer.next, () => {
              stop()
              live.hidden = true
              start.hidden = false
            })
          },
          refused: () => {
            shoot.disabled = false
          },
        })
      }
    } catch (error) {
      const name = error instanceof DOMException ? error.name : ''
      problem(name === 'NotAllowedError' || name === 'SecurityError' ? 'denied' : 'error')
    }
  })
}

/** One submission per click: a double click must not post the form twice. */
const submitOnce = (form: HTMLFormElement) => {
  form.addEventListener('submit', (event) => {
    if (form.dataset.sent) return event.preventDefault()
    form.dataset.sent = 'yes'
    const button = $<HTMLButtonElement>(form, 'button[type=submit]')
    if (button && form.dataset.busy) button.textContent = form.dataset.busy
  })
}

type StatusAnswer = { phase: string; reasons: { message: string }[]; done: boolean }

const followStatus = (panel: HTMLElement) => {
  const texts = JSON.parse(panel.dataset.texts ?? '{}') as Record<string, { title: string; body: string }>
  const render = (answer: StatusAnswer) => {
    if (answer.phase === panel.dataset.phase) return
    panel.dataset.phase = answer.phase
    const text = texts[answer.phase]
    const title = $<HTMLElement>(panel, '#status-title')
    const body = $<HTMLElement>(panel, '#status-body')
    const reasons = $<HTMLElement>(panel, '#status-reasons')
    if (title && text) title.textContent = text.title
    if (body && text) body.textContent = text.body
    if (reasons) {
      reasons.replaceChildren(
        ...answer.reasons.map((reason) => {
          const item = document.createElement('li')
          item.textContent = reason.message
          return item
        }),
      )
    }
    const back = $<HTMLElement>(panel, '#status-return')
    if (back) back.hidden = answer.phase === 'checking'
    title?.focus()
  }
  const poll = async () => {
    try {
      const response = await fetch(panel.dataset.status ?? '', { headers: { accept: 'application/json' } })
      if (response.ok) {
        const answer = (await response.json()) as StatusAnswer
        render(answer)
        if (answer.done) return
      }
    } catch {
      // Offline for a moment: try again at the next tick.
    }
    window.setTimeout(poll, STATUS_POLL_MS)
  }
  if (panel.dataset.phase === 'checking' || panel.dataset.phase === 'review')
    window.setTimeout(poll, STATUS_POLL_MS)
}

for (const form of document.querySelectorAll<HTMLFormElement>('form[data-upload]')) enhanceUpload(form)
for (const form of document.querySelectorAll<HTMLFormElement>('form[data-submit-once]')) submitOnce(form)
const cameraArea = $<HTMLElement>(document, '[data-camera-area]')
const uploadForm = $<HTMLFormElement>(document, 'form[data-upload]')
if (cameraArea && uploadForm) enhanceCamera(cameraArea, uploadForm)
const statusPanel = $<HTMLElement>(document, '[data-status]')
if (statusPanel) followStatus(statusPanel)
if ($<HTMLElement>(document, '#error')?.textContent) $<HTMLElement>(document, '#error')?.focus()
