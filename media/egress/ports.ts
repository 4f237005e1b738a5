/**
 * A free even/odd pair of local UDP ports (RTP, RTCP) for an ffmpeg input. Both are bound to
 * find them and released just before ffmpeg binds them; a clash in that instant makes ffmpeg
 * exit, which the egress treats as a crash and retries on new ports.
 */
export async function freeUdpPortPair(hostname = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const probe = await Bun.udpSocket({ hostname })
    const port = probe.port % 2 === 0 ? probe.port : probe.port + 1
    probe.close()
    if (port + 1 > 65535) continue
    const pair = await Promise.all(
      [Bun.udpSocket({ hostname, port }), Bun.udpSocket({ hostname, port: port + 1 })].map((socket) =>
        socket.catch(() => null),
      ),
    )
    for (const socket of pair) socket?.close()
    if (pair.every(Boolean)) return port
  }
  throw new Error('no free UDP port pair on this host')
}
