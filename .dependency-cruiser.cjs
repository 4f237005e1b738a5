/**
 * The import rules of docs/architecture.md ("Layers and boundaries"), checked by `npm run check`
 * (part of `npm test`). Layers, lowest first; a file imports only its own layer or lower ones:
 *   media       the embedded SFU, a library of its own: imports nothing of src/ (its ports are its own)
 *   foundation  config, logger, clock, ids, db, the access policy, error codes and DomainError
 *   platform    http, realtime, jobs, cluster, metrics: the framework modules stand on
 *   kernel      src/core.ts
 *   modules     src/modules/<m>/ and the shared services composed over them
 *   app         createApp, the entry point, the CLI and the pages
 */
const foundation = '^src/(config|logger|clock|ids|short-lived-cache|redis|ice-servers)\\.ts$|^src/(db|access|errors)/'
const platform = '^src/(http|realtime|jobs|cluster|metrics)/'
const kernel = '^src/core\\.ts$'
const modules = '^src/modules/'
const app = '^src/(app|index|lifecycle)\\.ts$|^src/(cli|classroom|dashboard|ui)/'

const layer = (name, comment, from, above) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from },
  to: { path: above },
})

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Files that import each other in a circle: move what they share into a leaf file.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'media-imports-nothing-of-src',
      comment: 'The SFU depends on its own ports (media/ports.ts); the application adapts to them.',
      severity: 'error',
      from: { path: '^media/' },
      to: { path: '^(src|tests)/' },
    },
    {
      name: 'browser-sdk-stays-in-the-browser',
      comment: 'media/client is bundled for browsers: it may not import server code.',
      severity: 'error',
      from: { path: '^media/client/' },
      to: { path: '^(media/(?!client/)|src/)' },
    },
    layer(
      'foundation-is-the-bottom',
      'Foundation files import only foundation.',
      foundation,
      `${platform}|${kernel}|${modules}|${app}`,
    ),
    layer(
      'platform-below-kernel',
      'The platform never knows the kernel, the modules or the app.',
      platform,
      `${kernel}|${modules}|${app}`,
    ),
    layer(
      'kernel-below-modules',
      'The kernel is infrastructure: no domain service, no module.',
      kernel,
      `${modules}|${app}`,
    ),
    layer('modules-below-app', 'Modules are installed by the app, never the other way round.', modules, app),
    {
      name: 'media-through-its-index',
      comment: 'src reaches the SFU only through media/index.ts (the browser SDK is bundled by path, not imported).',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^media/', pathNot: '^media/(index\\.ts$|client/)' },
    },
    {
      name: 'modules-meet-through-public',
      comment: "A module uses another module only through that module's public.ts.",
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/public\\.ts$'] },
    },
    {
      name: 'outside-modules-only-index-or-public',
      comment: 'Outside a module, its index.ts (to install it) and public.ts are all there is of it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/modules/[^/]+/' },
      to: { path: '^src/modules/[^/]+/', pathNot: '^src/modules/[^/]+/(index|public)\\.ts$' },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^node_modules' },
  },
}
