// What other modules and the CLI may use of the marketplace.
export { CatalogService } from './catalog.ts'
export { providerVerification } from './providers.ts'
export { seedCatalogue } from './seed-catalog.ts'
