import { randomBytes } from 'node:crypto'
import type { FastifyReply } from 'fastify'

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
  constructor(readonly value: string) {}
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
button:focus-visible,.button:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
`

export type PageOptions = { title: string; body: Html; lang?: string; script?: string }

/**
 * Sends a complete page with a strict content security policy: nothing loads from anywhere else, and
 * the only inline style and script are the ones carrying this response's nonce.
 */
export const sendPage = (reply: FastifyReply, status: number, options: PageOptions): FastifyReply => {
  const nonce = randomBytes(16).toString('base64')
  const script = options.script ? `<script nonce="${nonce}">${options.script}</script>` : ''
  const document = `<!doctype html>
<html lang="${escapeHtml(options.lang ?? 'en')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(options.title)}</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body><main>${options.body.value}</main>${script}</body>
</html>`
  return reply
    .code(status)
    .header(
      'content-security-policy',
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'self' data: blob:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    )
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(document)
}
