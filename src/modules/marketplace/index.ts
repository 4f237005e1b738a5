import { Elysia } from 'elysia'
import type { ModuleContext } from '../shared-services.ts'
import { marketplaceBackofficeRoutes } from './backoffice-routes.ts'
import { CatalogService } from './catalog.ts'
import { fillMissingCityKeys } from './city-keys.ts'
import { catalogRoutes } from './catalog-routes.ts'
import { OfferService } from './offers.ts'
import { OfferingService } from './offerings.ts'
import { PortfolioService } from './portfolio.ts'
import { providerRoutes } from './provider-routes.ts'
import { ProviderService } from './providers.ts'
import { requestEvents, requestRealtime } from './realtime.ts'
import { RequestChat } from './request-chat.ts'
import { requestRoutes } from './request-routes.ts'
import { RequestService } from './requests.ts'
import { ReviewService } from './reviews.ts'
import { seedCatalogueIfEmpty } from './seed-catalog.ts'
import { SocialService } from './social.ts'

/** The services marketplace: catalogue, providers, service requests with offers, claims and chat, reviews. */
export function marketplaceModule({
  db,
  clock,
  config,
  logger,
  hub,
  scheduler,
  notifications,
  users,
  features,
  plugins,
  startTasks,
}: ModuleContext) {
  const events = requestEvents(hub)
  const catalog = new CatalogService(db)
  const providers = new ProviderService(db, clock, catalog, users, config.providerSearch)
  const offerings = new OfferingService(db, clock, catalog)
  const requests = new RequestService(db, clock, catalog, providers, notifications, scheduler, events)
  const chat = new RequestChat(db, clock, requests, events)
  const reviews = new ReviewService(db, clock, requests, providers)
  hub.register(...requestRealtime(hub, chat))
  startTasks.push(() => fillMissingCityKeys(db))
  if (config.seedCatalogue) startTasks.push(() => seedCatalogueIfEmpty(catalog, logger))
  return new Elysia({ name: 'marketplace-module' })
    .use(catalogRoutes(catalog, plugins))
    .use(
      providerRoutes({
        config,
        providers,
        offerings,
        portfolio: new PortfolioService(db, clock, config.uploads.dir, features),
        social: new SocialService(db, clock),
        reviews,
        ...plugins,
      }),
    )
    .use(
      requestRoutes({ requests, offers: new OfferService(db, clock, providers, requests), chat, reviews, ...plugins }),
    )
    .use(marketplaceBackofficeRoutes({ requests, chat, providers, offerings, ...plugins }))
}
