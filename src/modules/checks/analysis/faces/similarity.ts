/**
 * Cosine similarity of two face embeddings, in [-1, 1]. Raw cosine rather than `human.match.similarity`,
 * which squashes a scaled Euclidean distance into [0, 1] and rounds it to 0.01: the thresholds are chosen
 * on this scale (docs/decisions.md).
 */
export const cosineSimilarity = (a: readonly number[], b: readonly number[]): number => {
  if (a.length !== b.length || a.length === 0) throw new Error('Embeddings of different or no length')
  let dot = 0
  let normA = 0
  let normB = 0
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number
    const y = b[i] as number
    dot += x * y
    normA += x * x
    normB += y * y
  }
  if (normA === 0 || normB === 0) return 0
  return dot / Math.sqrt(normA * normB)
}
