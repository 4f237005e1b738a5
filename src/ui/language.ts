export type Language = 'ar' | 'en'

/** The page's language: `?lang=`, else the one chosen before (kept under `storageKey`), else Arabic. */
export const initialLanguage = (storageKey: string): Language =>
  (new URLSearchParams(location.search).get('lang') ?? localStorage.getItem(storageKey)) === 'en' ? 'en' : 'ar'

/** Remembers the choice and sets the document's language, direction (right to left for Arabic) and title. */
export function applyLanguage(language: Language, storageKey: string, title: string): void {
  localStorage.setItem(storageKey, language)
  document.documentElement.lang = language
  document.documentElement.dir = language === 'ar' ? 'rtl' : 'ltr'
  document.title = title
}

/** A page's word list in both languages, read in one: `translatorFor(texts)(language)(key)`. */
export const translatorFor =
  <Key extends string>(texts: Record<Key, Record<Language, string>>) =>
  (language: Language) =>
  (key: Key) =>
    texts[key][language]
