import type { ModuleContext } from '../shared-services.ts'
import { documentTypes, imageTypes } from '../../http/media-types.ts'
import { PrivateFiles } from '../../http/private-files.ts'
import { verificationRoutes } from './routes.ts'
import { VerificationService } from './service.ts'

/** Provider verification: requests, private documents, staff review, and the verified mark once paid. */
export function verificationModule({ db, clock, config, invoices, notifications, scheduler, plugins }: ModuleContext) {
  const files = new PrivateFiles(
    config.uploads.dir,
    'verification',
    { ...documentTypes, ...imageTypes },
    config.uploads.maxBytes,
  )
  const verification = new VerificationService(db, clock, files, invoices, notifications, scheduler)
  return verificationRoutes({ config, verification, ...plugins })
}
