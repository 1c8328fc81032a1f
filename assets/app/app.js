'use strict';

// lab sample app: a tiny web server to put in a container.
//
//   GET /               a page naming the app and the host that served it
//   GET /fibonacci/:n   the n-th Fibonacci number (0 <= n <= 90), as plain text
//   GET /posts          the posts stored in MongoDB at DB_HOST (HTML, or JSON
//                       with ?format=json or "Accept: application/json")
//   GET /healthz        "ok" while the process is up
//
// Environment:
//   PORT      port to listen on (default 3000), on all interfaces
//   DB_HOST   MongoDB address as host:port/dbname, e.g. mongodb:27017/posts

const http = require('node:http');
const os = require('node:os');

const { version } = require('./package.json');

const APP_NAME = 'lab sample app';
const DEFAULT_PORT = 3000;
const MAX_FIBONACCI = 90;
const MAX_POSTS = 100;

/**
 * Turns DB_HOST into a MongoDB connection string. "mongodb:27017/posts"
 * becomes "mongodb://mongodb:27017/posts"; a full mongodb:// or
 * mongodb+srv:// URL is used as it is. Without a database name the
 * database "posts" is used.
 */
function mongoURL(dbHost) {
  let url = String(dbHost).trim();
  if (!/^mongodb(\+srv)?:\/\//.test(url)) {
    url = `mongodb://${url}`;
  }
  const rest = url.replace(/^mongodb(\+srv)?:\/\//, '');
  const slash = rest.indexOf('/');
  if (slash === -1) {
    url += '/posts';
  } else if (slash === rest.length - 1) {
    url += 'posts';
  }
  return url;
}

/**
 * Opens a MongoDB client for DB_HOST. The client connects on first use, so
 * creating one never fails because the database is down; operations give up
 * after a few seconds when no server answers.
 */
function connectMongo(dbHost, { timeoutMS = 3000 } = {}) {
  let mongodb;
  try {
    mongodb = require('mongodb');
  } catch (err) {
    throw new Error(`the mongodb driver is not installed (run "npm install" or "npm ci"): ${err.message}`);
  }
  return new mongodb.MongoClient(mongoURL(dbHost), {
    appName: 'lab-sample-app',
    serverSelectionTimeoutMS: timeoutMS,
    connectTimeoutMS: timeoutMS,
  });
}

/**
 * A posts source backed by the "posts" collection of DB_HOST's database.
 * list() resolves to [{ id, title, body }] in insertion order.
 */
function mongoPosts(dbHost, options) {
  let client;
  let closing;
  return {
    async list() {
      if (closing) {
        throw new Error('the app is shutting down');
      }
      if (!client) {
        client = connectMongo(dbHost, options);
      }
      const current = client;
      let docs;
      try {
        docs = await current
          .db()
          .collection('posts')
          .find({}, { projection: { title: 1, body: 1 } })
          .sort({ _id: 1 })
          .limit(MAX_POSTS)
          .toArray();
      } catch (err) {
        // A client whose first connection failed stays closed; start afresh
        // next time so the page recovers once the database is up.
        if (client === current && !closing) {
          client = undefined;
          current.close().catch(() => {});
        }
        throw err;
      }
      return docs.map((d) => ({
        id: String(d._id),
        title: d.title == null ? '' : String(d.title),
        body: d.body == null ? '' : String(d.body),
      }));
    },
    close() {
      if (!closing) {
        closing = client ? client.close() : Promise.resolve();
      }
      return closing;
    },
  };
}

/** The n-th Fibonacci number, exact for any n, as a BigInt. */
function fibonacci(n) {
  let a = 0n;
  let b = 1n;
  for (let i = 0; i < n; i++) {
    [a, b] = [b, a + b];
  }
  return a;
}

/** Escapes text for use in HTML element content and attribute values. */
function escapeHTML(value) {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function page(title, bodyHTML) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHTML(title)}</title>
  <style>
    body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
    code { background: #f2f2f2; padding: 0 .25rem; }
    .host { font-size: 1.25rem; }
    li { margin-bottom: .75rem; }
  </style>
</head>
<body>
${bodyHTML}
</body>
</html>
`;
}

function send(res, status, contentType, body, headers = {}) {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(body);
}

function sendText(res, status, text) {
  send(res, status, 'text/plain; charset=utf-8', text);
}

function sendHTML(res, status, title, bodyHTML) {
  send(res, status, 'text/html; charset=utf-8', page(title, bodyHTML));
}

function sendJSON(res, status, value) {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

function wantsJSON(req, url) {
  const format = url.searchParams.get('format');
  if (format) {
    return format.toLowerCase() === 'json';
  }
  const accept = String(req.headers.accept || '').toLowerCase();
  return accept.includes('application/json') && !accept.includes('text/html');
}

function homePage(host) {
  return `<h1>${escapeHTML(APP_NAME)}</h1>
<p class="host">Served by <strong id="hostname">${escapeHTML(host)}</strong></p>
<p>Reload the page behind a load balancer and the name above changes with the container or pod that answered.</p>
<ul>
  <li><a href="/fibonacci/10">/fibonacci/10</a> — the 10th Fibonacci number</li>
  <li><a href="/posts">/posts</a> — posts stored in MongoDB</li>
  <li><a href="/healthz">/healthz</a> — health check</li>
</ul>
<p><small>version ${escapeHTML(version)} · Node.js ${escapeHTML(process.version)}</small></p>`;
}

function postsPage(posts) {
  if (posts.length === 0) {
    return `<h1>Posts</h1>
<p>The database has no posts yet. Add some with <code>npm run seed</code>.</p>`;
  }
  const items = posts
    .map((p) => `  <li><h2>${escapeHTML(p.title ?? '')}</h2><p>${escapeHTML(p.body ?? '')}</p></li>`)
    .join('\n');
  return `<h1>Posts</h1>
<ul id="posts">
${items}
</ul>`;
}

const NO_DATABASE = 'no database is configured: set DB_HOST to host:port/dbname, for example DB_HOST=mongodb:27017/posts';

function noDatabasePage() {
  return `<h1>No database configured</h1>
<p>This page lists posts stored in MongoDB, but the app was started without a database address.</p>
<p>Set the environment variable <code>DB_HOST</code> to <code>host:port/dbname</code> and restart the app, for example:</p>
<pre><code>DB_HOST=mongodb:27017/posts npm start</code></pre>
<p>In Docker Compose or Kubernetes, set <code>DB_HOST</code> in the app's environment.</p>`;
}

function databaseErrorPage(dbHost, message) {
  return `<h1>Database unavailable</h1>
<p>The app could not read posts from MongoDB at <code>${escapeHTML(dbHost)}</code>:</p>
<pre>${escapeHTML(message)}</pre>
<p>Is the database running, and can this container reach it by that name and port?</p>`;
}

async function handlePosts(req, res, url, source, dbHost, log) {
  const json = wantsJSON(req, url);
  if (!source) {
    if (json) {
      sendJSON(res, 503, { error: NO_DATABASE });
    } else {
      sendHTML(res, 503, 'No database configured', noDatabasePage());
    }
    return;
  }
  let posts;
  try {
    posts = await source.list();
  } catch (err) {
    const message = (err && err.message) || String(err);
    log(`posts: reading from ${dbHost || 'the database'}: ${message}`);
    if (json) {
      sendJSON(res, 503, { error: `database unavailable: ${message}` });
    } else {
      sendHTML(res, 503, 'Database unavailable', databaseErrorPage(dbHost || 'the database', message));
    }
    return;
  }
  if (json) {
    sendJSON(res, 200, posts);
  } else {
    sendHTML(res, 200, 'Posts', postsPage(posts));
  }
}

function handleFibonacci(res, arg) {
  if (!/^\d+$/.test(arg) || Number(arg) > MAX_FIBONACCI) {
    sendText(res, 400, `n must be a whole number from 0 to ${MAX_FIBONACCI}, got "${arg}"\n`);
    return;
  }
  sendText(res, 200, fibonacci(Number(arg)).toString());
}

/**
 * Creates the app's HTTP server without listening.
 *
 * options.posts     async () => [{ title, body }]: where /posts reads from;
 *                   by default MongoDB at options.dbHost
 * options.dbHost    MongoDB address (default: the DB_HOST environment variable);
 *                   empty means no database
 * options.hostname  the name shown on the home page (default: os.hostname())
 * options.log       function that takes one line of log (default: console.log)
 * options.mongo     { timeoutMS }: how long MongoDB operations wait for a
 *                   server (default 3000)
 *
 * Closing the server also closes its MongoDB client.
 */
function createServer(options = {}) {
  const log = options.log || ((line) => console.log(line));
  const host = options.hostname || os.hostname();
  const dbHost = options.dbHost !== undefined ? options.dbHost : process.env.DB_HOST;

  let source;
  if (typeof options.posts === 'function') {
    source = { list: options.posts, close: () => Promise.resolve() };
  } else if (dbHost) {
    source = mongoPosts(dbHost, options.mongo);
  }

  const server = http.createServer((req, res) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log(`${new Date().toISOString()} ${req.method} ${req.url} ${res.statusCode} ${ms.toFixed(1)}ms`);
    });

    route(req, res).catch((err) => {
      log(`error: ${req.method} ${req.url}: ${(err && err.stack) || err}`);
      if (!res.headersSent) {
        sendText(res, 500, 'internal server error\n');
      } else {
        res.destroy();
      }
    });
  });

  async function route(req, res) {
    let url;
    try {
      url = new URL(req.url, 'http://localhost');
    } catch {
      sendText(res, 400, 'bad request\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: 'GET, HEAD' });
      return;
    }

    let path = url.pathname;
    if (path.length > 1 && path.endsWith('/')) {
      path = path.slice(0, -1);
    }

    if (path === '/') {
      sendHTML(res, 200, APP_NAME, homePage(host));
      return;
    }
    if (path === '/healthz') {
      sendText(res, 200, 'ok\n');
      return;
    }
    if (path === '/posts') {
      await handlePosts(req, res, url, source, dbHost, log);
      return;
    }
    const fib = /^\/fibonacci(?:\/([^/]*))?$/.exec(path);
    if (fib) {
      let arg = fib[1] || '';
      try {
        arg = decodeURIComponent(arg);
      } catch {
        // keep the raw text; validation rejects it
      }
      handleFibonacci(res, arg);
      return;
    }
    sendText(res, 404, `not found: ${url.pathname}\n`);
  }

  // closeDatabase closes the MongoDB client (if any); it runs when the server
  // closes and may be awaited by whoever closed the server.
  server.closeDatabase = () =>
    (source ? source.close() : Promise.resolve()).catch((err) =>
      log(`closing database client: ${err.message}`),
    );
  server.on('close', () => {
    server.closeDatabase();
  });
  return server;
}

/**
 * Starts the server on PORT and stops it cleanly on SIGTERM or SIGINT:
 * no new connections, idle ones closed, the MongoDB client closed, exit 0.
 */
function main() {
  const port = process.env.PORT ? Number(process.env.PORT) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid PORT ${JSON.stringify(process.env.PORT)}: want a number from 0 to 65535`);
    process.exit(2);
  }
  const server = createServer();

  server.on('error', (err) => {
    console.error(`cannot listen on port ${port}: ${err.message}`);
    process.exit(1);
  });
  server.listen(port, () => {
    const db = process.env.DB_HOST ? `posts from mongodb://${process.env.DB_HOST}` : 'no database (DB_HOST not set)';
    console.log(`${APP_NAME} listening on port ${server.address().port}, host ${os.hostname()}, ${db}`);
  });

  let stopping = false;
  const stop = (signal) => {
    if (stopping) {
      return;
    }
    stopping = true;
    console.log(`${signal} received, shutting down`);
    // Give in-flight requests a moment; never hang a container's stop.
    setTimeout(() => process.exit(0), 5000).unref();
    server.close(() => {
      server.closeDatabase().finally(() => process.exit(0));
    });
    if (typeof server.closeIdleConnections === 'function') {
      server.closeIdleConnections();
    }
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

module.exports = { createServer, fibonacci, escapeHTML, mongoURL, connectMongo };

if (require.main === module) {
  main();
}
