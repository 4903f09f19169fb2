// The baseline: the classic Node.js `ws` broadcast relay that Framecast
// replaces. Every message from any client goes to every client, as it came,
// and `ws` buffers without bound for clients that read slowly.
//   node relay.mjs PORT
import { WebSocketServer, WebSocket } from 'ws';

const port = Number(process.argv[2] || 8080);
const wss = new WebSocketServer({ host: '127.0.0.1', port });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    for (const client of wss.clients) {
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    }
  });
});
wss.on('listening', () => console.log(`baseline relay on 127.0.0.1:${port}`));
