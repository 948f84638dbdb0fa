import { passportCase } from './test/accuracy/cases.ts'
import { facesAnalyzer } from './src/modules/checks/analysis/faces/faces-analyzer.ts'
import { detectFaces } from './src/modules/checks/analysis/faces/human.ts'
import { decodeForFaces } from './src/modules/checks/analysis/faces/image.ts'
await facesAnalyzer.load()
const jpeg = (b: Buffer) => ({ mediaType: 'image/jpeg', bytes: new Uint8Array(b) })
const c = passportCase(`genuine passport 1`, 'approved', 'sample2#0', { data: { documentNumber: String(700000001) } })
const { submission, answer } = await c.build()
const off = { face: { antispoof: { enabled: false }, liveness: { enabled: false } } } as any
for (let n = 0; n < 3; n++) {
  const time = async (label: string, f: () => Promise<unknown>) => { const t = performance.now(); await f(); return `${label} ${Math.round(performance.now() - t)}` }
  console.log([
    await time('selfie', () => facesAnalyzer.analyze({ documentType: 'passport', issuingCountry: 'GB', files: { selfie: jpeg(submission.selfie) } } as any)),
    await time('document', () => facesAnalyzer.analyze({ documentType: 'passport', issuingCountry: 'GB', files: { document_front: jpeg(submission.front) } } as any)),
    await time('decode doc', () => decodeForFaces(submission.front)),
    await time('detect doc', async () => detectFaces(await decodeForFaces(submission.front), off)),
    await time('detect doc nodesc', async () => detectFaces(await decodeForFaces(submission.front), { face: { antispoof: { enabled: false }, liveness: { enabled: false }, description: { enabled: false } } } as any)),
    await time('detect frame', async () => detectFaces(await decodeForFaces(answer!.frames[0]!), off)),
    await time('selfie detect', async () => detectFaces(await decodeForFaces(submission.selfie), { face: { antispoof: { enabled: true }, liveness: { enabled: true }, description: { enabled: true } } } as any)),
  ].join(' | '))
}
process.exit(0)
