import type { languages } from '../db/schema/auth.ts'

/**
 * Every error code the API answers with, and its message in Arabic. English messages are written
 * where the error is raised (they can name the thing that failed); an Arabic-speaking client gets
 * this catalogue's sentence for the code instead. The code itself never changes.
 * DomainError, ApiError and WsError take only these codes, so a new code cannot ship without its Arabic
 * text (nor, through src/http/error-status.ts, without its HTTP status).
 */
export const arabicMessages = {
  // shared by all routes
  UNAUTHENTICATED: 'سجّل الدخول أولًا: أرسل Authorization: Bearer مع رمز الدخول',
  INVALID_TOKEN: 'رمز الدخول غير صالح أو انتهت صلاحيته',
  FORBIDDEN: 'لا تملك صلاحية القيام بهذا',
  NOT_FOUND: 'لم يُعثر على المطلوب',
  VALIDATION_FAILED: 'البيانات المرسلة غير صالحة',
  MALFORMED_BODY: 'تعذّرت قراءة محتوى الطلب؛ تحقّق من صيغته ومن Content-Type',
  PAYLOAD_TOO_LARGE: 'حجم الطلب أكبر من المسموح',
  URI_TOO_LONG: 'عنوان الطلب أطول من المسموح',
  RATE_LIMITED: 'طلبات كثيرة في وقت قصير؛ حاول بعد قليل',
  INTERNAL_ERROR: 'حدث خطأ من جهتنا',
  DATABASE_BUSY: 'قاعدة البيانات مشغولة؛ لم يُحفظ شيء، حاول بعد قليل',
  STORAGE_FULL: 'امتلأ قرص الخادم؛ لم يُحفظ شيء، حاول لاحقًا',
  SHUTTING_DOWN: 'هذا الخادم يتوقف الآن؛ أرسل الطلب إلى خادم آخر',
  CONFLICT: 'لا يمكن تنفيذ هذا في الحالة الحالية',
  UNSUPPORTED_FILE_TYPE: 'نوع الملف غير مدعوم',
  // accounts
  PROFILE_INCOMPLETE: 'أكمل ملفك الشخصي أولًا',
  PROFILE_ALREADY_COMPLETE: 'ملفك الشخصي مكتمل بالفعل',
  EMAIL_OR_PHONE_REQUIRED: 'أدخل البريد الإلكتروني أو رقم الجوال',
  EMAIL_TAKEN: 'يوجد حساب بهذا البريد الإلكتروني',
  PHONE_TAKEN: 'يوجد حساب برقم الجوال هذا',
  INVALID_CREDENTIALS: 'البريد أو الجوال أو كلمة المرور غير صحيحة',
  INVALID_REFRESH_TOKEN: 'رمز التجديد غير صالح',
  REFRESH_TOKEN_EXPIRED: 'انتهت صلاحية رمز التجديد؛ سجّل الدخول من جديد',
  REFRESH_TOKEN_REUSED: 'استُخدم رمز التجديد من قبل؛ أُنهيت كل الجلسات المرتبطة به',
  OTP_INVALID: 'رمز التحقق غير صحيح أو منتهي الصلاحية',
  NOT_PENDING: 'هذا الحساب لم يتقدّم ليكون موظف دعم أو تمت الموافقة عليه',
  CANNOT_FOLLOW_SELF: 'لا يمكنك متابعة نفسك',
  INSUFFICIENT_COINS: 'رصيد العملات غير كافٍ',
  // support, tickets, courses, streams
  CALL_ENDED: 'انتهت هذه المكالمة',
  INVALID_AGENT: 'يجب أن يكون المُسنَد إليه موظف دعم',
  INVALID_STATE: 'لا يمكن تنفيذ هذا في الحالة الحالية',
  TICKET_CLOSED: 'التذكرة مغلقة؛ أعد فتحها للكتابة',
  NOT_A_STUDENT: 'لست مسجلًا في هذه الدورة',
  OWN_COURSE: 'لا يمكنك التسجيل في دورتك',
  ALREADY_LIVE: 'لديك بث مباشر قائم بالفعل',
  NOT_LIVE: 'البث ليس مباشرًا',
  NOT_IN_SESSION: 'انضم إلى الحصة أولًا',
  REMOVED_FROM_SESSION: 'أخرجك المعلّم من هذه الحصة',
  CHAT_MUTED: 'كتم المعلّم محادثتك',
  POLL_CLOSED: 'أُغلق هذا الاستطلاع',
  OWN_QUESTION: 'لا يمكنك التصويت على سؤالك',
  STREAM_ENDED: 'انتهى البث',
  SLOW_MODE: 'الوضع البطيء مفعّل؛ انتظر قليلًا قبل رسالتك التالية',
  INVALID_CO_HOST: 'لا يمكن دعوة هذا المستخدم مضيفًا مشاركًا',
  INVALID_RECIPIENT: 'لا يمكن إرسال الهدية إلى هذا المستخدم',
  INVALID_TARGET: 'لا يمكن تطبيق هذا الإجراء على هذا المستخدم',
  // marketplace
  ALREADY_PROVIDER: 'لديك ملف مقدّم خدمة بالفعل',
  NOT_A_PROVIDER: 'سجّل مقدّمَ خدمة أولًا',
  INVALID_SUBCATEGORY: 'التصنيف الفرعي غير موجود أو غير مفعّل',
  INVALID_PROVIDER: 'مقدّم الخدمة غير موجود أو غير مفعّل',
  INVALID_PRICE_RANGE: 'السعر الأدنى يجب ألا يتجاوز السعر الأعلى',
  INVALID_TRANSITION: 'لا يمكن نقل الطلب إلى هذه الحالة من حالته الحالية',
  ALREADY_TAKEN: 'سبقك مقدّم خدمة آخر إلى هذا الطلب',
  NOT_ELIGIBLE: 'هذا الطلب ليس ضمن تخصصك أو مدينتك',
  OWN_REQUEST: 'لا يمكنك الرد على طلبك',
  ALREADY_OFFERED: 'قدّمت عرضًا على هذا الطلب من قبل',
  ALREADY_REVIEWED: 'قيّمت هذا الطلب من قبل',
  NOT_ASSIGNED: 'لا يوجد مقدّم خدمة مُسنَد لهذا الطلب بعد',
  // billing, verification, promotion
  INVALID_SIGNATURE: 'توقيع الإشعار غير صالح',
  STALE_WEBHOOK: 'توقيت الإشعار خارج النافذة المسموحة',
  AMOUNT_MISMATCH: 'المبلغ أو العملة في الإشعار لا يطابقان الفاتورة',
  UNKNOWN_PAYMENT_PROVIDER: 'مزوّد الدفع غير متاح',
  ALREADY_SUBSCRIBED: 'لديك اشتراك قائم بالفعل',
  PLAN_LIMIT_REACHED: 'بلغت الحد المسموح في باقتك؛ رقِّ باقتك أو اشترِ إضافة',
  DOCUMENTS_REQUIRED: 'أرفق المستندات وانتظر مراجعتها قبل إنهاء الطلب',
  ALREADY_REQUESTED: 'لديك طلب قائم بالفعل',
  INVALID_DATES: 'تاريخ النهاية يجب أن يكون بعد تاريخ البداية وفي المستقبل',
  SKU_TAKEN: 'يوجد عنصر بهذا الرمز',
  // WebSocket
  ALREADY_AUTHENTICATED: 'الاتصال مُصادَق عليه بالفعل',
  UNKNOWN_TYPE: 'نوع رسالة غير معروف',
  MALFORMED_MESSAGE: 'تعذّرت قراءة الرسالة',
  INVALID_CHANNEL: 'قناة غير صالحة',
  NOT_JOINED: 'انضم إلى القناة أولًا',
  NOT_CONNECTED: 'المستخدم غير متصل',
  UPGRADE_REQUIRED: 'هذا المسار يقبل اتصالات WebSocket فقط',
  UPGRADE_FAILED: 'تعذّر فتح اتصال WebSocket',
  // media
  INVALID_ROOM: 'غرفة وسائط غير صالحة',
  NOT_IN_ROOM: 'انضم إلى الغرفة أولًا',
  ROOM_CLOSED: 'أُغلقت الغرفة',
  CANNOT_CONSUME: 'لا يمكن استقبال هذا المسار',
  INVALID_MEDIA_PARAMETERS: 'معاملات الوسائط غير صالحة',
  MEDIA_UNAVAILABLE: 'خادم الوسائط غير متاح الآن؛ حاول بعد قليل',
  // recording, HLS, ingest
  RECORDING_IN_PROGRESS: 'يجري تسجيل هذه الغرفة بالفعل',
  NOT_RECORDING: 'لا يجري تسجيل هذه الغرفة الآن',
  RECORDING_UNAVAILABLE: 'التسجيل والبث عبر HLS غير متاحين على هذا الخادم الآن',
  HLS_ALREADY_RUNNING: 'بث HLS يعمل بالفعل لهذا البث',
  HLS_NOT_RUNNING: 'لا يعمل بث HLS لهذا البث',
  INVALID_SDP: 'عرض SDP غير صالح أو لا يحوي وسائط مدعومة',
  INGEST_ACTIVE: 'يوجد إرسال قائم لهذا البث بالفعل',
  INSTANCE_FULL: 'هذا الخادم ممتلئ؛ اتصل بخادم آخر',
} as const

export type ErrorCode = keyof typeof arabicMessages
export type Language = (typeof languages)[number]

/**
 * The language an Accept-Language header asks for among ours (ar, en), by its q-values; the
 * fallback when it names neither or is absent.
 */
export function preferredLanguage(header: string | null | undefined, fallback: Language): Language {
  if (!header) return fallback
  let best: { language: Language; q: number } | null = null
  for (const part of header.split(',').slice(0, 20)) {
    const [tag = '', ...params] = part.trim().split(';')
    const primary = tag.trim().toLowerCase().split('-')[0]
    if (primary !== 'ar' && primary !== 'en') continue
    const qParam = params.map((param) => param.trim()).find((param) => param.startsWith('q='))
    const q = qParam ? Number(qParam.slice(2)) : 1
    if (Number.isFinite(q) && q > 0 && (!best || q > best.q)) best = { language: primary, q }
  }
  return best?.language ?? fallback
}

/** The message to show for an error: the catalogue's Arabic, or the English written where it was raised. */
export function localizedMessage(code: string, english: string, language: Language): string {
  return language === 'ar' && code in arabicMessages ? arabicMessages[code as ErrorCode] : english
}
