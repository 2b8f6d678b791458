// A stand-in for huggingface.co on localhost that answers as the real Hub does (as
// @huggingface/hub 2.17.5 and huggingface_hub read it) for what joulebench and its libraries
// call: model metadata, file resolve (small files directly, large ones by a 302 to a second
// "CDN" server, Xet file-info answers for Xet-backed files), dataset tree listings and the
// parquet-export listing, with the Hub's X-Error-Code headers and its 401/403/404 rules.
// Files come from a folder in Hub layout, so the online code path runs without network.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';

interface FakeHubOptions {
  /** The one access token the stand-in accepts (`Authorization: Bearer <token>`). */
  token?: string;
  /** Repos that answer only with that token: "org/name" for models, "datasets/org/name" for datasets. */
  gated?: readonly string[];
  /** How large files are stored: 'xet' (the Hub's default for new uploads) or 'lfs' (older repos). */
  storage?: 'xet' | 'lfs';
}

export interface HubRequest {
  server: 'hub' | 'cdn';
  method: string;
  /** The path as sent, percent-encoding kept. */
  path: string;
  authorization: string | undefined;
  accept: string | undefined;
}

export interface FakeHub {
  url: string;
  cdnUrl: string;
  /** Every request either server saw, in order. */
  requests: HubRequest[];
  /** The paths the Hub itself (not the CDN) was asked for, as sent. */
  paths(): string[];
  /** While set, the CDN answers 503 for large files whose repo path matches (a download that fails). */
  failing: RegExp | undefined;
  close(): Promise<void>;
}

/** The revision the Hub keeps its parquet conversion of every dataset on. */
const PARQUET_BRANCH = 'refs/convert/parquet';
/** Files the Hub stores in LFS/Xet (served from the CDN), as its default .gitattributes does. */
const LARGE_FILE = /\.(onnx|onnx_data|parquet|bin|safetensors)$/;
const XET_FILEINFO = 'application/vnd.xet-fileinfo+json';

const sha = (algorithm: 'sha1' | 'sha256', data: string | Buffer) => createHash(algorithm).update(data).digest('hex');

/** A repo of the stand-in: where its files are and which revisions name them. */
interface Repo {
  /** "org/name" for models, "datasets/org/name" for datasets: the repo's URL prefix. */
  key: string;
  /** Folder holding the files of an accepted revision. */
  filesDir: string;
  exists: boolean;
  acceptsRevision(revision: string): boolean;
  /** The commit a revision resolves to (X-Repo-Commit). */
  commit(revision: string): string;
}

function modelRepo(root: string, name: string): Repo {
  const dir = join(root, 'models', name);
  const head = sha('sha1', `model:${name}`);
  return {
    key: name,
    filesDir: dir,
    exists: existsSync(dir),
    // Every commit of a stand-in repo holds the same files: main and any full commit hash.
    acceptsRevision: (rev) => rev === 'main' || /^[0-9a-f]{40}$/.test(rev),
    commit: (rev) => (rev === 'main' ? head : rev),
  };
}

function datasetRepo(root: string, name: string): Repo {
  const dir = join(root, 'datasets', name);
  const head = sha('sha1', `dataset:${name}:${PARQUET_BRANCH}`);
  return {
    key: `datasets/${name}`,
    filesDir: join(dir, PARQUET_BRANCH),
    exists: existsSync(dir),
    acceptsRevision: (rev) => rev === PARQUET_BRANCH,
    commit: () => head,
  };
}

/** The Hub's error answer: status, X-Error-Code / X-Error-Message headers, JSON body. */
function hubError(res: ServerResponse, status: number, code: string | undefined, message: string): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-error-message': message,
    ...(code ? { 'x-error-code': code } : {}),
  });
  res.end(JSON.stringify({ error: message }));
}

/** Bytes of a file, honouring `Range: bytes=a-b` with a 206 as the Hub and S3 do. */
function sendBytes(req: IncomingMessage, res: ServerResponse, body: Buffer, headers: Record<string, string>): void {
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  const head = req.method === 'HEAD';
  if (range) {
    const start = Number(range[1]);
    const end = range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
    res.writeHead(206, {
      ...headers,
      'accept-ranges': 'bytes',
      'content-range': `bytes ${start}-${end}/${body.length}`,
      'content-length': String(end - start + 1),
    });
    res.end(head ? undefined : body.subarray(start, end + 1));
    return;
  }
  res.writeHead(200, { ...headers, 'accept-ranges': 'bytes', 'content-length': String(body.length) });
  res.end(head ? undefined : body);
}

function listening(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('no port'));
      else resolve(`http://127.0.0.1:${address.port}`);
    });
  });
}

/**
 * `models/<org>/<name>/<file>` is served at /<org>/<name>/resolve/<rev>/<file> (rev: main or a
 * commit hash); `datasets/<org>/<name>/refs/convert/parquet/<config>/<split>/<n>.parquet` at
 * /datasets/<org>/<name>/resolve/refs%2Fconvert%2Fparquet/<config>/<split>/<n>.parquet, listed by
 * /api/datasets/<org>/<name>/tree/refs%2Fconvert%2Fparquet/<config>/<split> and
 * /api/datasets/<org>/<name>/parquet. A revision is one path segment, decoded once: an
 * unencoded or twice-encoded branch name is an unknown revision, as on the Hub.
 */
export async function startFakeHub(root: string, options: FakeHubOptions = {}): Promise<FakeHub> {
  const requests: HubRequest[] = [];
  const gated = new Set(options.gated ?? []);
  const storage = options.storage ?? 'xet';
  /** CDN object key -> the file it serves (what a signed CDN URL points at). */
  const objects = new Map<string, { file: string; repoPath: string }>();
  let hubUrl = '';
  let cdnUrl = '';
  const state = { failing: undefined as RegExp | undefined };

  const log = (server: HubRequest['server'], req: IncomingMessage, path: string) =>
    requests.push({
      server,
      method: req.method ?? 'GET',
      path,
      authorization: req.headers.authorization,
      accept: req.headers.accept,
    });

  /** The Hub's access rules; false when it has answered with an error. */
  const authorized = (req: IncomingMessage, res: ServerResponse, repo: Repo): boolean => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== undefined && bearer !== options.token) {
      hubError(res, 401, undefined, 'Invalid credentials in Authorization header');
      return false;
    }
    // Without a token, a missing, private or gated repo all answer 401; with one, a missing repo is a 404.
    if (!repo.exists) {
      hubError(res, bearer ? 404 : 401, 'RepoNotFound', 'Repository not found');
      return false;
    }
    if (gated.has(repo.key) && bearer === undefined) {
      hubError(res, 401, 'GatedRepo', `Access to ${repo.key} is restricted. You must be authenticated to access it.`);
      return false;
    }
    return true;
  };

  const checkRevision = (res: ServerResponse, repo: Repo, revision: string): boolean => {
    if (repo.acceptsRevision(revision)) return true;
    hubError(res, 404, 'RevisionNotFound', `Invalid rev id: ${revision}`);
    return false;
  };

  const resolveFile = (req: IncomingMessage, res: ServerResponse, repo: Repo, revision: string, path: string) => {
    if (!authorized(req, res, repo) || !checkRevision(res, repo, revision)) return;
    const file = join(repo.filesDir, path);
    if (path.split('/').includes('..') || !existsSync(file) || !statSync(file).isFile()) {
      hubError(res, 404, 'EntryNotFound', 'Entry not found');
      return;
    }
    const body = readFileSync(file);
    const commit = repo.commit(revision);
    if (!LARGE_FILE.test(path)) {
      // A small file is a plain git blob, served by the Hub itself.
      sendBytes(req, res, body, { etag: `"${sha('sha1', body)}"`, 'x-repo-commit': commit });
      return;
    }
    const contentHash = sha('sha256', body);
    const linked = {
      'x-linked-size': String(body.length),
      'x-linked-etag': `"${contentHash}"`,
      'x-repo-commit': commit,
    };
    if (storage === 'xet' && (req.headers.accept ?? '').includes(XET_FILEINFO)) {
      // A Xet-aware client gets the file's Xet identity instead of a redirect (hub-docs xet/file-id.md).
      const xetHash = sha('sha256', `xet:${contentHash}`);
      const apiRepo = repo.key.startsWith('datasets/') ? repo.key : `models/${repo.key}`;
      const refreshUrl = `${hubUrl}/api/${apiRepo}/xet-read-token/${commit}`;
      const reconstructionUrl = `${cdnUrl}/v1/reconstructions/${xetHash}`;
      res.writeHead(200, {
        ...linked,
        'content-type': XET_FILEINFO,
        'x-xet-hash': xetHash,
        link: `<${refreshUrl}>; rel="xet-auth", <${reconstructionUrl}>; rel="xet-reconstruction-info"`,
      });
      res.end(JSON.stringify({ hash: xetHash, size: body.length, refreshUrl, reconstructionUrl, etag: contentHash }));
      return;
    }
    // Everyone else follows a 302 to a signed CDN URL (the bytes through the LFS-compatible route).
    const key = sha('sha256', `${repo.key}/${commit}/${path}`);
    objects.set(key, { file, repoPath: `${repo.key}/${path}` });
    res.writeHead(302, {
      ...linked,
      ...(storage === 'xet' ? { 'x-xet-hash': sha('sha256', `xet:${contentHash}`) } : {}),
      location: `${cdnUrl}/repos/${key}?X-Amz-Expires=3600&X-Amz-Signature=${key.slice(0, 16)}`,
    });
    res.end();
  };

  const treeListing = (req: IncomingMessage, res: ServerResponse, repo: Repo, revision: string, path: string) => {
    if (!authorized(req, res, repo) || !checkRevision(res, repo, revision)) return;
    const dir = join(repo.filesDir, path);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      hubError(res, 404, 'EntryNotFound', `${path} does not exist on "${revision}"`);
      return;
    }
    const entries = readdirSync(dir).map((name) => {
      const full = join(dir, name);
      const entryPath = path === '' ? name : `${path}/${name}`;
      if (statSync(full).isDirectory())
        return { type: 'directory', oid: sha('sha1', entryPath), size: 0, path: entryPath };
      const body = readFileSync(full);
      const lfs = LARGE_FILE.test(name) ? { oid: sha('sha256', body), size: body.length, pointerSize: 134 } : undefined;
      return { type: 'file', oid: sha('sha1', body), size: body.length, path: entryPath, ...(lfs ? { lfs } : {}) };
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(entries));
  };

  /** /api/datasets/<id>/parquet: { config: { split: [shard URLs] } }, as the dataset viewer documents it. */
  const parquetListing = (req: IncomingMessage, res: ServerResponse, repo: Repo, name: string, rest: string[]) => {
    if (!authorized(req, res, repo)) return;
    const listing: Record<string, Record<string, string[]>> = {};
    const configs = existsSync(repo.filesDir) ? readdirSync(repo.filesDir) : [];
    for (const config of configs) {
      const splits: Record<string, string[]> = {};
      for (const split of readdirSync(join(repo.filesDir, config))) {
        const shards = readdirSync(join(repo.filesDir, config, split)).filter((f) => f.endsWith('.parquet'));
        splits[split] = shards.map((_, i) => `${hubUrl}/api/datasets/${name}/parquet/${config}/${split}/${i}.parquet`);
      }
      listing[config] = splits;
    }
    const [config, split] = rest;
    const answer = config === undefined ? listing : split === undefined ? listing[config] : listing[config]?.[split];
    if (answer === undefined) {
      hubError(res, 404, undefined, `The config or split does not exist in ${name}`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  };

  const hub = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    log('hub', req, url.pathname);
    // Each segment is decoded on its own, so %2F inside a revision stays inside it.
    const segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
    const [s0, s1, s2, s3, s4, s5] = segments;
    const rest = (from: number) => segments.slice(from).join('/');
    if (s0 === 'api' && s1 === 'models' && s4 === 'revision' && segments.length === 6) {
      const repo = modelRepo(root, `${s2}/${s3}`);
      if (!authorized(req, res, repo) || !checkRevision(res, repo, s5!)) return;
      const siblings = readdirSync(repo.filesDir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => ({ rfilename: join(d.parentPath, d.name).slice(repo.filesDir.length + 1) }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: repo.key,
          sha: repo.commit(s5!),
          private: false,
          gated: gated.has(repo.key) ? 'manual' : false,
          siblings,
        }),
      );
    } else if (s0 === 'api' && s1 === 'datasets' && s4 === 'tree' && s5 !== undefined) {
      treeListing(req, res, datasetRepo(root, `${s2}/${s3}`), s5, rest(6));
    } else if (s0 === 'api' && s1 === 'datasets' && s4 === 'parquet') {
      parquetListing(req, res, datasetRepo(root, `${s2}/${s3}`), `${s2}/${s3}`, segments.slice(5));
    } else if (s0 === 'api' && s4 === 'xet-read-token') {
      // Clients must download through the resolve URL (xet: false): the stand-in speaks no Xet protocol.
      hubError(res, 501, undefined, 'The stand-in Hub does not implement the Xet protocol');
    } else if (s0 === 'datasets' && s3 === 'resolve' && s4 !== undefined) {
      resolveFile(req, res, datasetRepo(root, `${s1}/${s2}`), s4, rest(5));
    } else if (s2 === 'resolve' && s3 !== undefined && s0 !== 'api' && s0 !== 'datasets') {
      resolveFile(req, res, modelRepo(root, `${s0}/${s1}`), s3, rest(4));
    } else {
      hubError(res, 404, undefined, 'Sorry, we can’t find the page you are looking for.');
    }
  });

  const cdn = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    log('cdn', req, url.pathname);
    const object = objects.get(/^\/repos\/([0-9a-f]{64})$/.exec(url.pathname)?.[1] ?? '');
    if (!object || !url.searchParams.has('X-Amz-Signature')) {
      res.writeHead(403, { 'content-type': 'application/xml' }).end('<Error><Code>AccessDenied</Code></Error>');
      return;
    }
    if (state.failing?.test(object.repoPath)) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
      return;
    }
    const body = readFileSync(object.file);
    sendBytes(req, res, body, { etag: `"${sha('sha256', body)}"`, 'content-type': 'application/octet-stream' });
  });

  [hubUrl, cdnUrl] = await Promise.all([listening(hub), listening(cdn)]);
  const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    url: hubUrl,
    cdnUrl,
    requests,
    paths: () => requests.filter((r) => r.server === 'hub').map((r) => r.path),
    get failing() {
      return state.failing;
    },
    set failing(pattern: RegExp | undefined) {
      state.failing = pattern;
    },
    close: async () => {
      await Promise.all([close(hub), close(cdn)]);
    },
  };
}
