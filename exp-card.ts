import { documentFaces, byProminence } from './src/modules/checks/analysis/faces/faces-analyzer.ts'
import { detectFaces } from './src/modules/checks/analysis/faces/human.ts'
import { decodeForFaces } from './src/modules/checks/analysis/faces/image.ts'
import { cosineSimilarity } from './src/modules/checks/analysis/faces/similarity.ts'
import { documentPhoto, IDENTITIES, selfie } from './test/fixtures/faces.ts'
import sharp from 'sharp'
for (const identity of IDENTITIES) {
  const s = [...(await detectFaces(await decodeForFaces(await selfie(identity)))).face].sort(byProminence)[0]
  const doc = await documentPhoto(identity)
  const p = [...(await detectFaces(await decodeForFaces(doc))).face].sort(byProminence)
  const d = await documentFaces({ mediaType: 'image/jpeg', bytes: new Uint8Array(doc) }, 'id_card')
  const sim = (f: any) => (f?.embedding && s?.embedding ? cosineSimilarity(f.embedding, s.embedding).toFixed(3) : '-')
  console.log(identity.id, 'photo', p.map((f) => f.score.toFixed(2)).join('/'), sim(p[0]), d.source, d.faces.map((f) => f.score.toFixed(2) + '@' + f.box.map(Math.round).join(',')).join(' '), sim(d.faces[0]))
  if (identity.id === process.env.DUMP) await sharp(Buffer.from(d.image.data), { raw: { width: d.image.width, height: d.image.height, channels: 3 } }).png().toFile('/work/exp/dump.png')
}
process.exit(0)
