// The peer baseline: a minimal Socket.IO server on Node doing what the old Express + Socket.IO
// ticket chat did at its core — join a room, broadcast each message to it. No auth, no storage.
// Usage: node socketio-server.mjs <port>
import { createServer } from 'node:http'
import { Server } from 'socket.io'

const httpServer = createServer()
const io = new Server(httpServer, { transports: ['websocket'], serveClient: false })
io.on('connection', (socket) => {
  socket.on('join', (room, ack) => {
    socket.join(room)
    ack?.({ ok: true })
  })
  socket.on('send', ({ room, content }) => io.to(room).emit('message', { content }))
})
httpServer.listen(Number(process.argv[2]), '127.0.0.1', () => console.log('ready'))
