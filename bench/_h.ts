import { readFileSync } from 'node:fs'
import { normalizeUpload } from '../src/modules/documents/images.ts'

const heic = readFileSync('/tmp/big.heic')
let ticks = 0
const timer = setInterval(() => ticks++, 10)
for (let i = 0; i < 3; i++) {
  const t = performance.now()
  ticks = 0
  const r = await normalizeUpload(heic, 'photo')
  console.log(
    '12MP heic ms',
    (performance.now() - t).toFixed(0),
    'event-loop ticks',
    ticks,
    r.width,
    r.height,
  )
}
clearInterval(timer)
