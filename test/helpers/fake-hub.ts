// A stand-in for huggingface.co on localhost: the few endpoints joulebench and the libraries
// it uses call (model metadata, file resolve with Range support, dataset tree listing), serving
// files from a folder in Hub layout. Lets the online code path run on a machine without network.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface FakeHub {
  url: string;
  /** Every request path the server saw, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * `models/<org>/<name>/...` files are served at /<org>/<name>/resolve/<rev>/<file>;
 * `datasets/<org>/<name>/<rev>/<path>` at /datasets/<org>/<name>/resolve/<rev>/<path>, and
 * listed by /api/datasets/<org>/<name>/tree/<rev>/<dir>.
 */
export async function startFakeHub(root: string): Promise<FakeHub> {
  const requests: string[] = [];
  const sendFile = (req: IncomingMessage, res: ServerResponse, path: string) => {
    if (!existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404).end('Entry not found');
      return;
    }
    const body = readFileSync(path);
    const etag = `"${body.length}-${statSync(path).mtimeMs}"`;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
      res.writeHead(206, {
        'content-range': `bytes ${start}-${end}/${body.length}`,
        etag,
        'content-length': end - start + 1,
      });
      res.end(body.subarray(start, end + 1));
      return;
    }
    res.writeHead(200, { etag, 'content-length': body.length }).end(body);
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(url.pathname);
    requests.push(path);
    const model = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(path);
    const tree = /^\/api\/datasets\/([^/]+\/[^/]+)\/tree\/(refs\/convert\/parquet)\/(.+)$/.exec(path);
    const datasetFile = /^\/datasets\/([^/]+\/[^/]+)\/resolve\/(refs\/convert\/parquet)\/(.+)$/.exec(path);
    const modelFile = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    if (model) {
      const dir = join(root, 'models', model[1]!);
      if (existsSync(dir))
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: model[1] }));
      else res.writeHead(404).end('Repository not found');
    } else if (tree) {
      const dir = join(root, 'datasets', tree[1]!, tree[2]!, tree[3]!);
      if (!existsSync(dir)) {
        res.writeHead(404).end('not found');
        return;
      }
      const entries = readdirSync(dir).map((f) => ({
        type: 'file',
        path: `${tree[3]}/${f}`,
        size: statSync(join(dir, f)).size,
        oid: 'x',
      }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(entries));
    } else if (datasetFile) {
      sendFile(req, res, join(root, 'datasets', datasetFile[1]!, datasetFile[2]!, datasetFile[3]!));
    } else if (modelFile) {
      sendFile(req, res, join(root, 'models', modelFile[1]!, modelFile[3]!));
    } else {
      res.writeHead(404).end('unknown endpoint');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
