// Starts the aedes MQTT broker (MQTT 3.1/3.1.1) on 127.0.0.1:PORT with its
// default in-memory persistence and anonymous access, for
// tests/broker_matrix.rs.
//
//   node broker.mjs PORT MODULES_DIR
//
// MODULES_DIR is the folder where tests/brokers/install.sh ran `npm ci`
// (it holds node_modules/aedes). Prints "listening PORT" once the socket
// accepts connections, then one line per client event on stdout, which the
// test shows when a scenario fails. Exits when its stdin closes, so that a
// test process that dies cannot leave it running.

import net from 'node:net'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const [port, modules] = process.argv.slice(2)
if (!port || !modules) {
  console.error('usage: node broker.mjs PORT MODULES_DIR')
  process.exit(2)
}

const entry = path.join(modules, 'node_modules', 'aedes', 'aedes.js')
const { Aedes } = await import(pathToFileURL(entry).href)
const broker = await Aedes.createBroker()

broker.on('client', (c) => console.log(`client ${c.id} connected`))
broker.on('clientDisconnect', (c) => console.log(`client ${c.id} disconnected`))
broker.on('clientError', (c, e) => console.log(`client ${c.id} error: ${e.message}`))
broker.on('connectionError', (c, e) => console.log(`connection error: ${e.message}`))
broker.on('subscribe', (subs, c) =>
  console.log(`client ${c.id} subscribed ${JSON.stringify(subs)}`))
broker.on('publish', (p, c) => {
  if (c) console.log(`client ${c.id} published ${p.topic} q${p.qos} r${p.retain ? 1 : 0}`)
})

const server = net.createServer(broker.handle)
server.on('error', (e) => {
  console.error(`cannot listen on ${port}: ${e.message}`)
  process.exit(1)
})
server.listen(Number(port), '127.0.0.1', () => console.log(`listening ${port}`))

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => process.exit(0))
}
process.stdin.on('end', () => process.exit(0))
process.stdin.on('close', () => process.exit(0))
process.stdin.resume()
