/**
 * Every text the hosted pages show, in one catalogue so the flow can be translated. Keys are stable;
 * values are plain text (the page helpers escape them).
 */
export const en = {
  productName: 'Identity verification',
  openingTitle: 'Opening your verification',
  openingBody: 'One moment while we open your secure verification session.',
  openingButton: 'Continue',
  readyTitle: 'Your verification session is ready',
  readyIntro: 'To keep your account safe and meet legal requirements, we need to confirm who you are.',
  readyPrepare: 'Have these ready:',
  readyDocument: 'A valid passport, driving licence, national ID card or residence permit',
  readySelfie: 'A phone or camera to take a photo of your document and a selfie',
  readyLight: 'Good light and a plain background',
  readyTime: 'It takes about 5 minutes. We usually decide within 5 to 30 minutes after you submit.',
  readyExpires: 'This session expires at',
  goneTitleUsed: 'This link has already been used',
  goneBodyUsed:
    'For your security, each verification link works in one browser only. Go back to the app and start verification again to get a new link.',
  goneTitleExpired: 'This link has expired',
  goneBodyExpired:
    'Verification links are valid for a limited time. Go back to the app and start verification again to get a new link.',
  goneTitleSubmitted: 'Your documents were already submitted',
  goneBodySubmitted: 'We are checking them. You can close this page; the app will show the result.',
  invalidTitle: 'This link is not valid',
  invalidBody: 'Check that you opened the whole link, or go back to the app and start verification again.',
  noneTitle: 'No verification in progress here',
  noneBody: 'Open the verification link from the app on this device to continue.',
} as const

export type Strings = typeof en
