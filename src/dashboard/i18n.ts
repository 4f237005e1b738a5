import { translatorFor, type Language } from '../ui/language.ts'

export type { Language }

const texts = {
  title: { ar: 'لوحة مجلس', en: 'Majlis back office' },
  signIn: { ar: 'تسجيل الدخول', en: 'Sign in' },
  signOut: { ar: 'خروج', en: 'Sign out' },
  email: { ar: 'البريد الإلكتروني', en: 'Email' },
  password: { ar: 'كلمة المرور', en: 'Password' },
  staffOnly: { ar: 'هذه اللوحة لفريق العمل فقط', en: 'This back office is for staff only' },
  language: { ar: 'English', en: 'العربية' },
  kpis: { ar: 'المؤشرات', en: 'KPIs' },
  requests: { ar: 'طلبات الخدمة', en: 'Service requests' },
  catalog: { ar: 'مقدمو الخدمة والتصنيفات', en: 'Providers & categories' },
  verification: { ar: 'التوثيق', en: 'Verification' },
  promo: { ar: 'الإعلانات', en: 'Promotions' },
  tickets: { ar: 'تذاكر الدعم', en: 'Support tickets' },
  from: { ar: 'من', en: 'From' },
  to: { ar: 'إلى', en: 'To' },
  show: { ar: 'عرض', en: 'Show' },
  users: { ar: 'مستخدمون جدد', en: 'New users' },
  providers: { ar: 'مقدمو خدمة جدد', en: 'New providers' },
  requestsTotal: { ar: 'طلبات', en: 'Requests' },
  completedRequests: { ar: 'طلبات مكتملة', en: 'Completed requests' },
  revenue: { ar: 'الإيرادات (ر.س)', en: 'Revenue (SAR)' },
  paidInvoices: { ar: 'فواتير مدفوعة', en: 'Paid invoices' },
  averageRating: { ar: 'متوسط التقييم', en: 'Average rating' },
  streams: { ar: 'بثوث', en: 'Streams' },
  liveSessions: { ar: 'حصص مباشرة', en: 'Live sessions' },
  dailyRevenue: { ar: 'الإيرادات اليومية', en: 'Daily revenue' },
  breakdown: { ar: 'الطلبات حسب النوع والحالة', en: 'Requests by type and status' },
  exportCsv: { ar: 'تنزيل الفواتير المدفوعة (CSV)', en: 'Download paid invoices (CSV)' },
  search: { ar: 'بحث', en: 'Search' },
  status: { ar: 'الحالة', en: 'Status' },
  type: { ar: 'النوع', en: 'Type' },
  count: { ar: 'العدد', en: 'Count' },
  titleColumn: { ar: 'العنوان', en: 'Title' },
  city: { ar: 'المدينة', en: 'City' },
  name: { ar: 'الاسم', en: 'Name' },
  active: { ar: 'مفعّل', en: 'Active' },
  inactive: { ar: 'موقوف', en: 'Inactive' },
  activate: { ar: 'تفعيل', en: 'Activate' },
  deactivate: { ar: 'إيقاف', en: 'Deactivate' },
  moveTo: { ar: 'نقل إلى', en: 'Move to' },
  apply: { ar: 'تنفيذ', en: 'Apply' },
  categories: { ar: 'التصنيفات', en: 'Categories' },
  services: { ar: 'الخدمات', en: 'Services' },
  hide: { ar: 'إخفاء', en: 'Hide' },
  documents: { ar: 'المستندات', en: 'Documents' },
  preview: { ar: 'معاينة', en: 'Preview' },
  approve: { ar: 'قبول', en: 'Approve' },
  reject: { ar: 'رفض', en: 'Reject' },
  finalize: { ar: 'إنهاء المراجعة', en: 'Finalize' },
  approved: { ar: 'مقبول', en: 'Approved' },
  rejected: { ar: 'مرفوض', en: 'Rejected' },
  unreviewed: { ar: 'بانتظار المراجعة', en: 'Not reviewed' },
  amountSar: { ar: 'المبلغ (ر.س)', en: 'Amount (SAR)' },
  quote: { ar: 'تسعير', en: 'Quote' },
  reason: { ar: 'السبب', en: 'Reason' },
  dates: { ar: 'الفترة', en: 'Dates' },
  priority: { ar: 'الأولوية', en: 'Priority' },
  subject: { ar: 'الموضوع', en: 'Subject' },
  nothing: { ar: 'لا شيء هنا', en: 'Nothing here' },
  loadMore: { ar: 'المزيد', en: 'More' },
  done: { ar: 'تم', en: 'Done' },
} satisfies Record<string, Record<Language, string>>

export type TextKey = keyof typeof texts

export const translator = translatorFor(texts)

/** The Arabic words for the API's status, type, priority and badge values (English shows them as they are, spaced). */
const arabicValues: Record<string, string> = {
  // service requests and offers
  normal: 'عادي',
  competitive: 'تنافسي',
  urgent: 'عاجل',
  sent: 'مرسل',
  accepted: 'مقبول',
  rejected: 'مرفوض',
  in_progress: 'قيد التنفيذ',
  completed: 'مكتمل',
  cancelled: 'ملغى',
  expired: 'منتهي',
  // tickets
  open: 'مفتوحة',
  pending: 'معلّقة',
  closed: 'مغلقة',
  low: 'منخفضة',
  high: 'عالية',
  // verification and promotions
  blue: 'الشارة الزرقاء',
  green: 'الشارة الخضراء',
  pending_payment: 'بانتظار الدفع',
  verified: 'موثّق',
  active: 'نشط',
  banner: 'لافتة',
  featured: 'مميز',
  push: 'إشعار',
}

export const valueTranslator = (language: Language) => (value: string) =>
  language === 'ar' ? (arabicValues[value] ?? value) : value.replaceAll('_', ' ')
