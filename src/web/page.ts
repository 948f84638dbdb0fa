import { randomBytes } from 'node:crypto'
import type { FastifyReply } from 'fastify'
import { HtmlPage, ref } from '../http/schemas.ts'

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Escapes text for HTML content and attribute values. */
export const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (char) => ESCAPES[char] as string)

/** A template literal tag that escapes every interpolated value unless it is already `Html`. */
export class Html {
  readonly value: string

  constructor(value: string) {
    this.value = value
  }
  toString(): string {
    return this.value
  }
}

export const html = (strings: TemplateStringsArray, ...values: unknown[]): Html =>
  new Html(
    strings.reduce((out, part, index) => {
      if (index === 0) return part
      const value = values[index - 1]
      const rendered = Array.isArray(value)
        ? value.map((item) => (item instanceof Html ? item.value : escapeHtml(String(item)))).join('')
        : value instanceof Html
          ? value.value
          : escapeHtml(String(value ?? ''))
      return out + rendered + part
    }, ''),
  )

const STYLE = `
:root{color-scheme:light;--ink:#14213d;--muted:#4a5568;--accent:#1d4ed8;--bg:#f7f8fb;--card:#fff;--line:#d8dde6}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
main{max-width:34rem;margin:0 auto;padding:1.5rem 1rem 3rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:1.25rem}
h1{font-size:1.4rem;line-height:1.3;margin:.25rem 0 1rem}p,li{color:var(--muted)}
.brand{font-size:.85rem;letter-spacing:.04em;text-transform:uppercase;color:var(--muted)}
button,.button{display:block;width:100%;padding:.9rem 1rem;border:0;border-radius:10px;background:var(--accent);color:#fff;font-size:1rem;font-weight:600;text-align:center;text-decoration:none}
button:focus-visible,.button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #b45309;outline-offset:2px}
button[disabled]{background:#6b7280}
.secondary{background:#fff;color:var(--accent);border:2px solid var(--accent);margin-top:.75rem}
a{color:var(--accent)}
.progress{font-size:.9rem;color:var(--muted);margin:0 0 .5rem}
label,legend{display:block;font-weight:600;color:var(--ink);margin:.75rem 0 .35rem}
fieldset{border:0;margin:0 0 1rem;padding:0}
.choice{display:flex;gap:.6rem;align-items:center;padding:.65rem .75rem;border:1px solid var(--line);border-radius:8px;margin:.4rem 0;font-weight:400}
.choice input{width:1.25rem;height:1.25rem;margin:0}
select,input[type=text],input[type=file]{display:block;width:100%;font:inherit;padding:.7rem;border:1px solid #6b7280;border-radius:8px;background:#fff;color:var(--ink);margin-bottom:1rem}
.hint{font-size:.9rem;margin:-.5rem 0 1rem}
.error{border-left:4px solid #b91c1c;background:#fef2f2;color:#7f1d1d;padding:.75rem 1rem;margin:0 0 1rem;border-radius:6px}
.error:empty{display:none}
.done{border-left:4px solid #15803d;background:#f0fdf4;color:#14532d;padding:.75rem 1rem;margin:0 0 1rem;border-radius:6px}
progress{width:100%;height:1rem;margin:0 0 1rem}
video{width:100%;border-radius:8px;background:#111;margin-bottom:.75rem}
.mirror{transform:scaleX(-1)}
h2{font-size:1.15rem;margin:.5rem 0}
.instruction{font-size:1.75rem;line-height:1.25;font-weight:700;color:var(--ink);text-align:center;margin:.5rem 0 1rem;min-height:2.5em}
dl{display:grid;grid-template-columns:auto 1fr auto;gap:.5rem 1rem;margin:0 0 1.25rem}dt{font-weight:600}dd{margin:0;color:var(--muted)}
[hidden]{display:none!important}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
main.wide{max-width:80rem}
.wide button,.wide .button{display:inline-block;width:auto;padding:.55rem 1rem;margin:.25rem .5rem .25rem 0}
.wide .secondary{margin-top:0}
nav.console{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;margin:0 0 1rem}nav.console form{margin-left:auto}
table{border-collapse:collapse;width:100%;margin:0 0 1.25rem;background:var(--card);font-size:.92rem}
th,td{border:1px solid var(--line);padding:.4rem .55rem;text-align:left;vertical-align:top}th{background:#eef1f6}
.overdue{color:#7f1d1d;font-weight:600}.mismatch{background:#fef2f2}.match{background:#f0fdf4}
.filters{display:flex;flex-wrap:wrap;gap:.75rem;align-items:end;margin:0 0 1rem}.filters label{margin:0}
.filters select,.filters input{margin:0;width:auto}
.faces{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}.faces figure{margin:0}
.faces img{width:180px;height:auto;border:1px solid var(--line);border-radius:6px}
.documents img{max-width:100%;height:auto;max-height:28rem;border:1px solid var(--line);border-radius:6px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(22rem,1fr));gap:1rem}
textarea{display:block;width:100%;font:inherit;padding:.6rem;border:1px solid #6b7280;border-radius:8px;margin-bottom:1rem}
input[type=email],input[type=password]{display:block;width:100%;font:inherit;padding:.7rem;border:1px solid #6b7280;border-radius:8px;background:#fff;color:var(--ink);margin-bottom:1rem}
pre{white-space:pre-wrap;word-break:break-word;font-size:.8rem;margin:0}
kbd{border:1px solid var(--line);border-radius:4px;padding:0 .3rem;font-size:.85rem}
`

export type PageOptions = {
  title: string
  body: Html
  lang?: string
  /** Inline script (it gets this response's nonce). */
  script?: string
  /** Script files from this server (they get the nonce too). */
  scriptFiles?: string[]
  /** Origins allowed to frame the page (a client's webview/iframe); none by default. */
  frameAncestors?: readonly string[]
  /** A laptop-wide layout (the console's tables) instead of the phone-first column. */
  wide?: boolean
  /**
   * Where the page's forms may lead besides this server: browsers apply form-action to the redirect a
   * post answers with too (the OAuth consent form's 303 to the client's redirect URI).
   */
  formActions?: readonly string[]
}

/**
 * Sends a complete page with a strict content security policy: nothing loads from anywhere else, and
 * the only inline style and script are the ones carrying this response's nonce.
 */
export const sendPage = (reply: FastifyReply, status: number, options: PageOptions): FastifyReply => {
  const nonce = randomBytes(16).toString('base64')
  const script =
    (options.script ? `<script nonce="${nonce}">${options.script}</script>` : '') +
    (options.scriptFiles ?? [])
      .map((src) => `<script nonce="${nonce}" src="${escapeHtml(src)}" defer></script>`)
      .join('')
  const frameAncestors = options.frameAncestors?.length ? options.frameAncestors.join(' ') : "'none'"
  const formAction = ["'self'", ...(options.formActions ?? [])].join(' ')
  // With origins allowed to frame the page, the CSP decides alone (X-Frame-Options cannot list origins).
  if (options.frameAncestors?.length) reply.removeHeader('x-frame-options')
  const document = `<!doctype html>
<html lang="${escapeHtml(options.lang ?? 'en')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(options.title)}</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body><main${options.wide ? ' class="wide"' : ''}>${options.body.value}</main>${script}</body>
</html>`
  return reply
    .code(status)
    .header(
      'content-security-policy',
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self'; form-action ${formAction}; frame-ancestors ${frameAncestors}; base-uri 'none'`,
    )
    .header('permissions-policy', 'camera=(self), microphone=(), geolocation=(), payment=()')
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(document)
}

/** An HTML page as a response in the OpenAPI document. */
export const htmlResponse = (description: string) => ({
  description,
  content: { 'text/html': { schema: ref(HtmlPage) } },
})
