import type { Logger } from '../../logger.ts'
import type { CatalogService } from './catalog.ts'

type Named = readonly [ar: string, en: string]

/** A development catalogue in Arabic and English, as a services marketplace in Saudi Arabia would start. */
export const developmentCatalogue: ReadonlyArray<{ name: Named; subcategories: readonly Named[] }> = [
  {
    name: ['سباكة', 'Plumbing'],
    subcategories: [
      ['إصلاح التسريبات', 'Leak repair'],
      ['تركيب الأدوات الصحية', 'Fixture installation'],
      ['تسليك المجاري', 'Drain unclogging'],
      ['سخانات المياه', 'Water heaters'],
    ],
  },
  {
    name: ['كهرباء', 'Electrical'],
    subcategories: [
      ['تمديدات كهربائية', 'Wiring'],
      ['تركيب الإنارة', 'Lighting installation'],
      ['إصلاح الأعطال', 'Fault repair'],
      ['الطاقة الشمسية', 'Solar panels'],
    ],
  },
  {
    name: ['تكييف وتبريد', 'Air conditioning'],
    subcategories: [
      ['صيانة المكيفات', 'AC maintenance'],
      ['تركيب المكيفات', 'AC installation'],
      ['تعبئة الفريون', 'Refrigerant refill'],
    ],
  },
  {
    name: ['تنظيف', 'Cleaning'],
    subcategories: [
      ['تنظيف المنازل', 'Home cleaning'],
      ['تنظيف الكنب والسجاد', 'Sofa and carpet cleaning'],
      ['تنظيف الخزانات', 'Water tank cleaning'],
      ['مكافحة الحشرات', 'Pest control'],
    ],
  },
  {
    name: ['دروس خصوصية', 'Tutoring'],
    subcategories: [
      ['رياضيات', 'Mathematics'],
      ['لغة إنجليزية', 'English'],
      ['فيزياء وكيمياء', 'Physics and chemistry'],
      ['تحفيظ القرآن', 'Quran memorisation'],
      ['تحضير القدرات والتحصيلي', 'Qudurat and Tahsili preparation'],
    ],
  },
  {
    name: ['تصميم', 'Design'],
    subcategories: [
      ['تصميم شعارات', 'Logo design'],
      ['تصميم داخلي', 'Interior design'],
      ['تصميم مواقع', 'Web design'],
      ['موشن جرافيك', 'Motion graphics'],
    ],
  },
  {
    name: ['نقل وتغليف', 'Moving'],
    subcategories: [
      ['نقل العفش', 'Furniture moving'],
      ['فك وتركيب الأثاث', 'Furniture assembly'],
      ['تغليف', 'Packing'],
    ],
  },
  {
    name: ['سيارات', 'Cars'],
    subcategories: [
      ['ميكانيكا متنقلة', 'Mobile mechanic'],
      ['غسيل السيارات', 'Car wash'],
      ['تبديل البطاريات والإطارات', 'Batteries and tyres'],
    ],
  },
  {
    name: ['تقنية', 'Technology'],
    subcategories: [
      ['صيانة الجوالات', 'Phone repair'],
      ['صيانة الحاسب', 'Computer repair'],
      ['كاميرات المراقبة', 'Security cameras'],
      ['شبكات', 'Networking'],
    ],
  },
  {
    name: ['مناسبات', 'Events'],
    subcategories: [
      ['تصوير', 'Photography'],
      ['تنسيق حفلات', 'Event planning'],
      ['ضيافة', 'Catering'],
    ],
  },
]

/**
 * Adds what is missing of the development catalogue, matching by Arabic name, so running it
 * again changes nothing. Returns how many categories and subcategories it created.
 */
export async function seedCatalogue(catalog: CatalogService) {
  const created = { categories: 0, subcategories: 0 }
  const existing = await catalog.tree(true)
  for (const entry of developmentCatalogue) {
    let category = existing.find((candidate) => candidate.name === entry.name[0])
    if (!category) {
      category = await catalog.createCategory({ name: entry.name[0], nameEn: entry.name[1] })
      created.categories += 1
    }
    for (const [name, nameEn] of entry.subcategories) {
      if (category.subcategories.some((sub) => sub.name === name)) continue
      await catalog.createSubcategory(category.id, { name, nameEn })
      created.subcategories += 1
    }
  }
  return created
}

/**
 * A fresh database gets the starter catalogue, so clients can post requests at once; a catalogue
 * with any category (active or not) is the operator's and is never touched. SEED_CATALOGUE=false
 * turns this off.
 */
export async function seedCatalogueIfEmpty(catalog: CatalogService, logger: Logger): Promise<void> {
  if ((await catalog.tree(true)).length > 0) return
  const created = await seedCatalogue(catalog)
  logger.info('seeded the starter catalogue', created)
}
