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
