// The floor: a bare Bun.serve answering a constant, so the other figures have a ceiling to sit under.
// Usage: bun bun-hello.ts <port>
Bun.serve({ port: Number(process.argv[2]), hostname: '127.0.0.1', fetch: () => new Response('hello') })
console.log('ready')
