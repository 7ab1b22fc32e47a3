// npm run web [-- --port N]: builds the playground (web/) and serves it on 127.0.0.1.
import { buildPlayground } from './web-build.js';
import { serve } from './serve.js';

const argv = process.argv.slice(2);
const portFlag = argv.indexOf('--port');
const port = portFlag >= 0 ? Number(argv[portFlag + 1]) : 8080;
if (!(Number.isInteger(port) && port >= 0 && port < 65536) || argv.length !== (portFlag >= 0 ? 2 : 0)) {
  console.error('web: usage: npm run web -- [--port N] (N an integer from 0 to 65535; 0 picks a free port)');
  process.exit(2);
}
const site = await buildPlayground();
const server = await serve(site, port).catch((e: NodeJS.ErrnoException) => {
  if (e.code !== 'EADDRINUSE') throw e;
  console.error(`web: port ${port} is in use. Fix: npm run web -- --port ${port + 1} (or --port 0 for any free port).`);
  process.exit(1);
});
console.log(`wasmgrad playground: ${server.url}  (Ctrl-C to stop)`);
