import type { ModuleContext } from '../shared-services.ts'
import { imageTypes, videoTypes } from '../../http/media-types.ts'
import { PrivateFiles } from '../../http/private-files.ts'
import { promoRoutes } from './routes.ts'
import { PromoService } from './service.ts'

/** Promotions: requests with assets, staff quotes, activation once paid, the public list of running ones. */
export function promoModule({ db, clock, config, invoices, notifications, plugins }: ModuleContext) {
  const files = new PrivateFiles(config.uploads.dir, 'promo', { ...imageTypes, ...videoTypes }, config.uploads.maxBytes)
  return promoRoutes({ config, promo: new PromoService(db, clock, files, invoices, notifications), ...plugins })
}
