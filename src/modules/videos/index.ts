import type { Core } from '../../core.ts'
import { videoRoutes } from './routes.ts'
import { VideoService } from './service.ts'

/** Videos on demand: metadata, uploads under UPLOAD_DIR/videos (served by /uploads with Range), views and likes. */
export function videosModule({ db, clock, config, plugins }: Core) {
  return videoRoutes({ videos: new VideoService(db, clock, config.uploads.dir), config, ...plugins })
}
