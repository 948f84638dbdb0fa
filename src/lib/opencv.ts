import { createRequire } from 'node:module'

type OpenCv = typeof import('@techstark/opencv-js')

let loading: Promise<{ cv: OpenCv }> | undefined

/**
 * opencv-js, loaded once per process (or analysis thread). The Emscripten module is a thenable that
 * resolves to itself: awaiting it, or returning it from an async function, spins forever, so it only
 * ever travels wrapped in an object.
 */
export const loadOpenCv = (): Promise<{ cv: OpenCv }> => {
  loading ??= new Promise((resolve, reject) => {
    try {
      const cv = createRequire(import.meta.url)('@techstark/opencv-js') as OpenCv & {
        onRuntimeInitialized?: () => void
      }
      if (cv.Mat) resolve({ cv })
      else cv.onRuntimeInitialized = () => resolve({ cv })
    } catch (error) {
      reject(error)
    }
  })
  return loading
}
