// A minimal npm registry for one scope, serving the packed tarballs as if they had been published.
// npm is pointed at it with `--@kmodkit:registry=<url>`, so a dependency between kmodkit packages
// (the CLI's on @kmodkit/elf, …) is fetched exactly as a user's npm would fetch it, and can never be
// satisfied by the workspace or by a same-named package on the public registry. Everything outside
// the scope still comes from the public registry.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { basename, join } from 'node:path';

/**
 * @param {Iterable<{ name: string, version: string, tarball: string, root: string }>} packages
 * @returns {Promise<{ url: string, requests: string[], close: () => Promise<void> }>}
 */
export async function startRegistry(packages) {
  const documents = new Map();
  const tarballs = new Map();
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;

  for (const pkg of packages) {
    const bytes = await readFile(pkg.tarball);
    const manifest = JSON.parse(await readFile(join(pkg.root, 'package.json'), 'utf8'));
    const file = basename(pkg.tarball);
    tarballs.set(`/${pkg.name}/-/${file}`, bytes);
    const version = {
      ...manifest,
      _id: `${pkg.name}@${pkg.version}`,
      dist: {
        tarball: `${url}${pkg.name}/-/${file}`,
        shasum: createHash('sha1').update(bytes).digest('hex'),
        integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
      },
    };
    documents.set(pkg.name, {
      _id: pkg.name,
      name: pkg.name,
      'dist-tags': { latest: pkg.version },
      versions: { [pkg.version]: version },
      time: { [pkg.version]: new Date().toISOString() },
    });
  }

  const requests = [];
  server.on('request', (request, response) => {
    const path = decodeURIComponent(new URL(request.url, url).pathname);
    requests.push(path);
    const tarball = tarballs.get(path);
    const document = documents.get(path.slice(1));
    if (request.method === 'GET' && tarball) {
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(tarball);
    } else if (request.method === 'GET' && document) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
    } else {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
    }
  });

  return {
    url,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
