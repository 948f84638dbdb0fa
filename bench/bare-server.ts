// The baseline: a bare Fastify route returning a constant JSON body, in its own process like the server.
import Fastify from 'fastify'

const app = Fastify({ logger: false })
app.get('/bare', async () => ({ id: '9b2c1f44-3d1e-4f5a-8d57-2e1c9a7b6f10', verificationState: 'VERIFIED' }))
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })
process.on('SIGTERM', () => app.close().then(() => process.exit(0)))
