/**
 * Folds text for search, the same way for what is stored and what is asked: lower case, no marks
 * (Latin accents and Arabic harakat, including the hamza and madda that NFD splits off alef, waw
 * and yeh), no tatweel, and the Arabic letters people write interchangeably made one
 * (ٱ → ا, ى → ي, ة → ه). So "أحمد", "احمد" and "أَحْمَد" find each other.
 */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\p{Mn}\u0640]/gu, '')
    .replace(/\u0671/g, '\u0627')
    .replace(/\u0649/g, '\u064a')
    .replace(/\u0629/g, '\u0647')
    .toLowerCase()
    .normalize('NFC')
}

// The definite article and the prepositions written onto it: "السباك", "للسباكه", "والتكييف".
const ARTICLE = /^(?:ال|لل|وال|بال|كال|فال)(?=\p{L}{2})/u

/** A folded word without the article written onto it: "السباك" → "سباك". */
export const withoutArticle = (word: string) => word.replace(ARTICLE, '')

/**
 * What is stored for search: the folded text, plus each word that starts with the article once
 * more without it, so that "سباك" finds "السباك" (FTS5 matches words by prefix, never inside).
 */
export function searchableText(text: string): string {
  const folded = foldForSearch(text)
  const bare = folded.split(/\s+/).flatMap((word) => (ARTICLE.test(word) ? [withoutArticle(word)] : []))
  return bare.length === 0 ? folded : `${folded} ${bare.join(' ')}`
}

/**
 * The words of a query, folded and without the article (what is stored has every word without it
 * too, so "السباك" finds "سباك" as well as "السباك"); at most a few, so a query cannot grow without bound.
 */
export function searchTerms(query: string): string[] {
  return foldForSearch(query)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map(withoutArticle)
    .slice(0, 8)
}

/** An FTS5 MATCH expression: every term as a quoted prefix (quotes keep FTS5 syntax out of user text). */
export const ftsQuery = (terms: string[]) => terms.map((term) => `"${term}"*`).join(' ')
