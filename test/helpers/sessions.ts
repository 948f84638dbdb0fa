import type { FastifyInstance } from 'fastify'

/** A browser: its cookie jar holds at most the verification cookie. */
export type Browser = { cookie?: string }

const cookieOf = (setCookie: string | string[] | undefined): string | undefined => {
  const header = Array.isArray(setCookie) ? setCookie[0] : setCookie
  return header?.split(';', 1)[0]
}

export const linkPath = (sessionUrl: string): string => new URL(sessionUrl).pathname

/** Opens a session link as a browser does: the page, then its auto-submitted claim form. */
export const openLink = async (app: FastifyInstance, sessionUrl: string, browser: Browser = {}) => {
  const path = linkPath(sessionUrl)
  const claim = await app.inject({
    method: 'POST',
    url: path,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(browser.cookie ? { cookie: browser.cookie } : {}),
    },
    payload: '',
  })
  const cookie = cookieOf(claim.headers['set-cookie'])
  if (cookie) browser.cookie = cookie
  return claim
}

export const showFlow = (app: FastifyInstance, browser: Browser) =>
  app.inject({ method: 'GET', url: '/verify', headers: browser.cookie ? { cookie: browser.cookie } : {} })

const cookieHeader = (browser: Browser) => (browser.cookie ? { cookie: browser.cookie } : {})

/** The CSRF token of the form on a page. */
export const csrfOf = (page: string): string => {
  const match = /name="csrf" value="([^"]+)"/.exec(page)
  if (!match?.[1]) throw new Error('no CSRF token on the page')
  return match[1]
}

/** Drives the hosted flow over HTTP as a browser without JavaScript would. */
export const flowClient = (app: FastifyInstance, browser: Browser) => ({
  page: (path: string) => app.inject({ method: 'GET', url: path, headers: cookieHeader(browser) }),
  async token(step: string) {
    const page = await app.inject({
      method: 'GET',
      url: `/verify/flow/${step}`,
      headers: cookieHeader(browser),
    })
    return csrfOf(page.body)
  },
  form: (step: string, fields: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url: `/verify/flow/${step}`,
      headers: { ...cookieHeader(browser), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    }),
  async upload(
    step: string,
    csrf: string | undefined,
    file: Buffer,
    options: { json?: boolean; name?: string } = {},
  ) {
    const form = new FormData()
    if (csrf !== undefined) form.append('csrf', csrf)
    form.append('file', new Blob([new Uint8Array(file)]), options.name ?? 'photo.jpg')
    const request = new Request('http://localhost/', { method: 'POST', body: form })
    return app.inject({
      method: 'POST',
      url: `/verify/upload/${step}`,
      headers: {
        ...cookieHeader(browser),
        'content-type': request.headers.get('content-type') as string,
        ...(options.json ? { accept: 'application/json' } : {}),
      },
      payload: Buffer.from(await request.arrayBuffer()),
    })
  },
})
