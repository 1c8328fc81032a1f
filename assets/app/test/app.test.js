'use strict';

// Runs the server in-process on an ephemeral loopback port; no database needed.
//   npm test

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert');
const http = require('node:http');

const { createServer, fibonacci, escapeHTML, mongoURL } = require('../app');

function get(base, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(new URL(path, base), { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
}

function request(base, method, path) {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, base), { method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

// start listens on 127.0.0.1 with a free port and returns the base URL.
async function start(options) {
  const lines = [];
  const server = createServer({ log: (line) => lines.push(line), ...options });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { server, lines, base: `http://127.0.0.1:${port}` };
}

function stop(server) {
  return new Promise((resolve) => {
    server.close(() => resolve());
    if (typeof server.closeAllConnections === 'function') {
      server.closeAllConnections();
    }
  });
}

describe('sample app without a database', () => {
  let app;
  let savedDBHost;

  before(async () => {
    savedDBHost = process.env.DB_HOST;
    delete process.env.DB_HOST;
    app = await start({ hostname: 'test-host-1' });
  });

  after(async () => {
    await stop(app.server);
    if (savedDBHost !== undefined) {
      process.env.DB_HOST = savedDBHost;
    }
  });

  it('GET / names the app and the host that served it', async () => {
    const res = await get(app.base, '/');
    assert.strictEqual(res.status, 200);
    assert.match(res.headers['content-type'], /^text\/html/);
    assert.match(res.body, /lab sample app/);
    assert.match(res.body, /test-host-1/);
  });

  it('GET / shows os.hostname() by default', async () => {
    const other = await start({});
    try {
      const res = await get(other.base, '/');
      assert.strictEqual(res.status, 200);
      assert.ok(res.body.includes(escapeHTML(require('node:os').hostname())), 'hostname missing from page');
    } finally {
      await stop(other.server);
    }
  });

  for (const [n, want] of [
    ['0', '0'],
    ['1', '1'],
    ['2', '1'],
    ['10', '55'],
    ['50', '12586269025'],
    ['90', '2880067194370816120'],
  ]) {
    it(`GET /fibonacci/${n} is ${want}`, async () => {
      const res = await get(app.base, `/fibonacci/${n}`);
      assert.strictEqual(res.status, 200);
      assert.match(res.headers['content-type'], /^text\/plain/);
      assert.strictEqual(res.body, want);
    });
  }

  it('GET /fibonacci/90 is exact (beyond Number.MAX_SAFE_INTEGER)', async () => {
    const res = await get(app.base, '/fibonacci/90');
    assert.ok(BigInt(res.body) > BigInt(Number.MAX_SAFE_INTEGER));
    assert.strictEqual(BigInt(res.body), fibonacci(89) + fibonacci(88));
  });

  for (const bad of ['91', '-1', '1.5', 'abc', '1e3', '%20', '10abc', '1000000000000']) {
    it(`GET /fibonacci/${bad} is 400 with a message`, async () => {
      const res = await get(app.base, `/fibonacci/${bad}`);
      assert.strictEqual(res.status, 400);
      assert.match(res.body, /n must be a whole number from 0 to 90/);
    });
  }

  it('GET /fibonacci/ without n is 400', async () => {
    assert.strictEqual((await get(app.base, '/fibonacci/')).status, 400);
    assert.strictEqual((await get(app.base, '/fibonacci')).status, 400);
  });

  it('GET /healthz is ok', async () => {
    const res = await get(app.base, '/healthz');
    assert.strictEqual(res.status, 200);
    assert.strictEqual(res.body.trim(), 'ok');
  });

  it('unknown paths are 404', async () => {
    for (const path of ['/nope', '/fibonacci/10/more', '/posts/1', '/favicon.ico']) {
      const res = await get(app.base, path);
      assert.strictEqual(res.status, 404, path);
    }
  });

  it('methods other than GET and HEAD are 405', async () => {
    const res = await request(app.base, 'POST', '/');
    assert.strictEqual(res.status, 405);
    assert.strictEqual(res.headers.allow, 'GET, HEAD');
  });

  it('HEAD / answers without a body', async () => {
    const res = await request(app.base, 'HEAD', '/');
    assert.strictEqual(res.status, 200);
    assert.strictEqual(res.body, '');
  });

  it('GET /posts without DB_HOST is a 503 page that says how to set it', async () => {
    const res = await get(app.base, '/posts');
    assert.strictEqual(res.status, 503);
    assert.match(res.headers['content-type'], /^text\/html/);
    assert.match(res.body, /No database configured/);
    assert.match(res.body, /DB_HOST/);
    assert.match(res.body, /mongodb:27017\/posts/);
  });

  it('GET /posts?format=json without DB_HOST is a 503 JSON error', async () => {
    const res = await get(app.base, '/posts?format=json');
    assert.strictEqual(res.status, 503);
    assert.match(res.headers['content-type'], /^application\/json/);
    assert.match(JSON.parse(res.body).error, /DB_HOST/);
  });

  it('logs one line per request', async () => {
    const before = app.lines.length;
    await get(app.base, '/healthz?probe=1');
    // The line is written when the response finishes; give the event loop a turn.
    await new Promise((resolve) => setImmediate(resolve));
    const added = app.lines.slice(before);
    assert.strictEqual(added.length, 1, added.join('\n'));
    assert.match(added[0], /GET \/healthz\?probe=1 200 /);
  });
});

describe('sample app with a posts source', () => {
  const posts = [
    { id: '1', title: 'First <post>', body: 'Tom & "Jerry" <script>alert(1)</script>' },
    { id: '2', title: 'Second', body: "it's here" },
  ];
  let app;

  before(async () => {
    app = await start({ posts: async () => posts });
  });
  after(() => stop(app.server));

  it('GET /posts lists titles and bodies, HTML-escaped', async () => {
    const res = await get(app.base, '/posts');
    assert.strictEqual(res.status, 200);
    assert.match(res.headers['content-type'], /^text\/html/);
    assert.ok(res.body.includes('First &lt;post&gt;'), res.body);
    assert.ok(res.body.includes('Tom &amp; &quot;Jerry&quot; &lt;script&gt;alert(1)&lt;/script&gt;'), res.body);
    assert.ok(res.body.includes('it&#39;s here'), res.body);
    assert.ok(!res.body.includes('<script>'), 'unescaped script tag');
    assert.strictEqual((res.body.match(/<li>/g) || []).length, 2);
  });

  it('GET /posts?format=json returns the posts as JSON', async () => {
    const res = await get(app.base, '/posts?format=json');
    assert.strictEqual(res.status, 200);
    assert.match(res.headers['content-type'], /^application\/json/);
    assert.deepStrictEqual(JSON.parse(res.body), posts);
  });

  it('GET /posts with Accept: application/json returns JSON', async () => {
    const res = await get(app.base, '/posts', { Accept: 'application/json' });
    assert.strictEqual(res.status, 200);
    assert.deepStrictEqual(JSON.parse(res.body), posts);
  });

  it('an empty collection says how to seed it', async () => {
    const empty = await start({ posts: async () => [] });
    try {
      const res = await get(empty.base, '/posts');
      assert.strictEqual(res.status, 200);
      assert.match(res.body, /npm run seed/);
    } finally {
      await stop(empty.server);
    }
  });

  it('a failing database is a 503 with the error', async () => {
    const failing = await start({
      dbHost: 'db.invalid:27017/posts',
      posts: async () => {
        throw new Error('connect ECONNREFUSED <db>');
      },
    });
    try {
      const res = await get(failing.base, '/posts');
      assert.strictEqual(res.status, 503);
      assert.match(res.body, /Database unavailable/);
      assert.match(res.body, /connect ECONNREFUSED &lt;db&gt;/);
      assert.match(res.body, /db\.invalid:27017\/posts/);

      const json = await get(failing.base, '/posts?format=json');
      assert.strictEqual(json.status, 503);
      assert.match(JSON.parse(json.body).error, /ECONNREFUSED/);
    } finally {
      await stop(failing.server);
    }
  });
});

describe('sample app with an unreachable MongoDB', () => {
  let app;

  before(async () => {
    // Nothing listens on loopback port 1: the driver gives up quickly.
    app = await start({ dbHost: '127.0.0.1:1/posts', mongo: { timeoutMS: 500 } });
  });
  after(() => stop(app.server));

  it('GET /posts is a 503 naming the database', async () => {
    const res = await get(app.base, '/posts');
    assert.strictEqual(res.status, 503);
    assert.match(res.body, /Database unavailable/);
    assert.match(res.body, /127\.0\.0\.1:1\/posts/);
  });
});

describe('helpers', () => {
  it('mongoURL turns DB_HOST into a connection string', () => {
    assert.strictEqual(mongoURL('mongodb:27017/posts'), 'mongodb://mongodb:27017/posts');
    assert.strictEqual(mongoURL('localhost:27017'), 'mongodb://localhost:27017/posts');
    assert.strictEqual(mongoURL('localhost:27017/'), 'mongodb://localhost:27017/posts');
    assert.strictEqual(mongoURL('mongodb://mongo-service:27017/blog'), 'mongodb://mongo-service:27017/blog');
  });

  it('fibonacci is exact', () => {
    assert.strictEqual(fibonacci(0), 0n);
    assert.strictEqual(fibonacci(10), 55n);
    assert.strictEqual(fibonacci(90), 2880067194370816120n);
  });
});
