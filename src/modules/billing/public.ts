// What other modules may use of billing: invoices for whatever they sell, and the plan's features.
export { FeatureService } from './features.ts'
export { InvoiceService } from './invoices.ts'
