// The floor for WebSockets on Bun: raw Bun.serve speaking just enough of the /ws protocol for the
// crowd (join_ticket subscribes to a native topic, send_message is published to it). No auth, no
// validation, no storage: what Majlis adds per connection and per delivery is measured against it.
// Usage: bun bun-ws.mjs <port>
Bun.serve({
  port: Number(process.argv[2]),
  hostname: '127.0.0.1',
  fetch(request, server) {
    const protocol = request.headers.get('sec-websocket-protocol') ? { 'sec-websocket-protocol': 'bearer' } : undefined
    return server.upgrade(request, { headers: protocol }) ? undefined : new Response('websocket only', { status: 426 })
  },
  websocket: {
    message(ws, text) {
      const { id, type, data } = JSON.parse(String(text))
      if (type === 'join_ticket') {
        ws.subscribe(data.ticketId)
        ws.send(JSON.stringify({ id, ok: true, data: {} }))
      } else if (type === 'send_message') {
        ws.publish(data.ticketId, JSON.stringify({ type: 'message_received', data: { content: data.content } }))
      }
    },
  },
})
console.log('ready')
