// The shop's app: it connects to its database at $DB_HOST, port 27017, and
// runs for as long as it can reach it. It stops at once when no host has
// that name, and after ten seconds of failed attempts otherwise.
const net = require("net");

const host = process.env.DB_HOST;
const port = 27017;
let attempts = 0;

function connect() {
  const socket = net.connect(port, host, () => {
    console.log(`connected to the database at ${host}:${port}`);
    socket.end();
    setInterval(() => {}, 1 << 30);
  });
  socket.on("error", (err) => {
    attempts++;
    if (err.code === "ENOTFOUND" || err.code === "EAI_AGAIN" || attempts >= 40) {
      console.error(`cannot reach the database at ${host}:${port}: ${err.code}`);
      process.exit(1);
    }
    setTimeout(connect, 250);
  });
}

console.log(`looking for the database at ${host}:${port}`);
connect();
