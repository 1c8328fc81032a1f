// Run by lab with `node -e` inside a container of the sample app:
//   node -e SCRIPT URI COLLECTION
// Prints {"<database>": [["<_id>", <ms since 1970 of an ObjectId, else 0>], ...]}
// for every database whose COLLECTION holds documents, in _id order.
// Exit codes: 3 no mongodb driver, 2 no server answered, 1 anything else.
'use strict';
let mongodb;
for (const dir of [process.cwd(), '/proc/1/cwd']) {
  try {
    mongodb = require(require.resolve('mongodb', { paths: [dir] }));
    break;
  } catch (err) {
    // try the next place
  }
}
if (!mongodb) {
  console.error('the mongodb driver is not installed where the app runs');
  process.exit(3);
}
const [uri, coll] = process.argv.slice(1);
const client = new mongodb.MongoClient(uri, {
  appName: 'lab-check',
  directConnection: true,
  serverSelectionTimeoutMS: 3000,
  connectTimeoutMS: 3000,
});
async function main() {
  const out = {};
  const { databases } = await client.db('admin').admin().listDatabases({ nameOnly: true });
  for (const { name } of databases) {
    const docs = await client.db(name).collection(coll).find({}, { projection: { _id: 1 } }).sort({ _id: 1 }).toArray();
    if (docs.length > 0) {
      out[name] = docs.map((d) => [
        String(d._id),
        d._id && typeof d._id.getTimestamp === 'function' ? d._id.getTimestamp().getTime() : 0,
      ]);
    }
  }
  return out;
}
main().then(
  (out) => {
    process.stdout.write(JSON.stringify(out));
    return client.close();
  },
  (err) => {
    console.error(err.message);
    process.exit(err && err.name === 'MongoServerSelectionError' ? 2 : 1);
  },
);
