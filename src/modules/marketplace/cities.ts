import { foldForSearch, withoutArticle } from './search-text.ts'

/**
 * Cities people write many ways: with or without the article and harakat, in Arabic or in Latin
 * letters. Each known city has its Arabic and English names and the spellings that mean it; any
 * other city is matched by its folded form.
 */
const knownCities: ReadonlyArray<{ name: string; nameEn: string; spellings: readonly string[] }> = [
  { name: 'الرياض', nameEn: 'Riyadh', spellings: ['riyadh', 'riyad', 'ar riyadh', 'al riyadh', 'riadh'] },
  { name: 'جدة', nameEn: 'Jeddah', spellings: ['jeddah', 'jedda', 'jiddah', 'jidda'] },
  { name: 'مكة المكرمة', nameEn: 'Makkah', spellings: ['مكه', 'makkah', 'mecca', 'makka', 'makkah al mukarramah'] },
  { name: 'المدينة المنورة', nameEn: 'Madinah', spellings: ['مدينه', 'madinah', 'medina', 'madina', 'al madinah'] },
  { name: 'الدمام', nameEn: 'Dammam', spellings: ['dammam', 'ad dammam', 'al dammam'] },
  { name: 'الخبر', nameEn: 'Khobar', spellings: ['khobar', 'al khobar', 'alkhobar'] },
  { name: 'الظهران', nameEn: 'Dhahran', spellings: ['dhahran', 'dahran'] },
  { name: 'الطائف', nameEn: 'Taif', spellings: ['طايف', 'taif', 'at taif', 'al taif'] },
  { name: 'تبوك', nameEn: 'Tabuk', spellings: ['tabuk', 'tabouk'] },
  { name: 'أبها', nameEn: 'Abha', spellings: ['abha'] },
  { name: 'خميس مشيط', nameEn: 'Khamis Mushait', spellings: ['khamis mushait', 'khamis mushayt'] },
  { name: 'بريدة', nameEn: 'Buraydah', spellings: ['buraydah', 'buraidah', 'buraida'] },
  { name: 'حائل', nameEn: 'Hail', spellings: ['حايل', 'hail', "ha'il"] },
  { name: 'الأحساء', nameEn: 'Al Ahsa', spellings: ['احسا', 'al ahsa', 'ahsa', 'al hasa', 'hofuf', 'الهفوف'] },
  { name: 'جازان', nameEn: 'Jazan', spellings: ['جيزان', 'jazan', 'jizan'] },
  { name: 'نجران', nameEn: 'Najran', spellings: ['najran'] },
  { name: 'ينبع', nameEn: 'Yanbu', spellings: ['yanbu', 'yanbu al bahr'] },
  { name: 'الجبيل', nameEn: 'Jubail', spellings: ['jubail', 'al jubail'] },
  { name: 'القطيف', nameEn: 'Qatif', spellings: ['qatif', 'al qatif'] },
  { name: 'الباحة', nameEn: 'Al Baha', spellings: ['baha', 'al baha'] },
  { name: 'عرعر', nameEn: 'Arar', spellings: ['arar'] },
  { name: 'سكاكا', nameEn: 'Sakaka', spellings: ['sakaka'] },
]

/** Folded, each word without its article, punctuation as spaces: "الرّياض", "رياض" and "Ar-Riyadh" all give "رياض" or "riyadh". */
const foldCity = (city: string) =>
  foldForSearch(city)
    .split(/[^\p{L}\p{N}']+/u)
    .filter(Boolean)
    .map(withoutArticle)
    .join(' ')

const byKey = new Map<string, (typeof knownCities)[number]>()
for (const city of knownCities)
  for (const spelling of [city.name, city.nameEn, ...city.spellings]) byKey.set(foldCity(spelling), city)

/** The key two spellings of one city share: a known city's folded Arabic name, else the city's own folded form. */
export function cityKey(city: string): string {
  const folded = foldCity(city)
  const known = byKey.get(folded)
  return known ? foldCity(known.name) : folded
}

/** A city's names for a list: the known Arabic and English names, or the name as written. */
export function cityNames(key: string, asWritten: string): { name: string; nameEn: string | null } {
  const known = byKey.get(key)
  return known ? { name: known.name, nameEn: known.nameEn } : { name: asWritten, nameEn: null }
}
