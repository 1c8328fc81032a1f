'use strict';

// Adds a few sample posts to the "posts" collection of the MongoDB database
// at DB_HOST, but only when the collection is empty, so running it again
// changes nothing. Prints how many posts the collection holds.
//
//   DB_HOST=localhost:27017/posts npm run seed

const { connectMongo } = require('./app');

const SAMPLE_POSTS = [
  {
    title: 'Hello from MongoDB',
    body: 'This post lives in the database, not in the app. Restart the app and it is still here.',
  },
  {
    title: 'Containers are processes',
    body: 'A container is an ordinary process with its own view of files, network and process ids.',
  },
  {
    title: 'Images are layers',
    body: 'Each Dockerfile instruction adds a layer. Copy package files and install dependencies before copying the source, and rebuilds stay fast.',
  },
  {
    title: 'Volumes keep data',
    body: 'Remove the database container, start a new one on the same volume, and these posts are still here.',
  },
  {
    title: 'Pods come and go',
    body: 'Kubernetes replaces a deleted pod with a new one. Reload the home page to see which pod answered.',
  },
];

async function seed(dbHost, { log = console.log } = {}) {
  const client = connectMongo(dbHost, { timeoutMS: 10000 });
  try {
    const posts = client.db().collection('posts');
    const existing = await posts.countDocuments();
    if (existing === 0) {
      const result = await posts.insertMany(SAMPLE_POSTS.map((p) => ({ ...p })));
      log(`inserted ${result.insertedCount} sample posts`);
    } else {
      log(`the posts collection already has posts; nothing inserted`);
    }
    const total = await posts.countDocuments();
    log(`${total} posts in ${client.db().databaseName}.posts`);
    return total;
  } finally {
    await client.close();
  }
}

module.exports = { seed, SAMPLE_POSTS };

if (require.main === module) {
  const dbHost = process.env.DB_HOST;
  if (!dbHost) {
    console.error('DB_HOST is not set: set it to host:port/dbname, for example DB_HOST=localhost:27017/posts npm run seed');
    process.exit(2);
  }
  seed(dbHost).then(
    () => process.exit(0),
    (err) => {
      console.error(`seeding mongodb://${dbHost}: ${err.message}`);
      process.exit(1);
    },
  );
}
