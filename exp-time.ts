import { passportCase } from './test/accuracy/cases.ts'
import { ANALYZERS, loadAnalyzers } from './src/modules/checks/analysis/analysis.ts'
await loadAnalyzers()
const jpeg = (b: Buffer) => ({ mediaType: 'image/jpeg', bytes: new Uint8Array(b) })
for (let n = 0; n < 4; n++) {
  const c = passportCase(`genuine passport ${n}`, 'approved', 'sample2#0', { data: { documentNumber: String(700000000 + n) } })
  const { submission, answer } = await c.build()
  const input = { documentType: 'passport', issuingCountry: 'GB', files: { document_front: jpeg(submission.front), selfie: jpeg(submission.selfie) }, challenge: { steps: answer!.steps, frames: answer!.frames.map(jpeg) } } as any
  const times: string[] = []
  for (const [name, a] of Object.entries(ANALYZERS)) { const t = performance.now(); const part: any = await (a as any).analyze(input); times.push(`${name} ${Math.round(performance.now() - t)}${name === 'faces' ? ' ' + part.document.source : ''}`) }
  console.log(times.join(' | '))
}
process.exit(0)
