/**
 * The destination of the benchmark's viewers, in its own process so receiving their packets
 * does not steal time from the RTP source. It reads and discards; what the SFU sent is counted
 * from the consumers' own statistics. Usage: bun udp-sink.ts <port>
 */
export {}

const port = Number(process.argv[2])
await Bun.udpSocket({ hostname: '127.0.0.1', port, socket: { data() {} } })
console.log('ready')
