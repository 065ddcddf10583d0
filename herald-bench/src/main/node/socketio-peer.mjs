// The Socket.IO 4.8 peer of Herald's benchmark: the contract's conventions on the reference server.
// Env: PORT, HOST (127.0.0.1), JWT_SECRET (HS256), API_KEY. Started by dev.herald.bench.BenchMain.
import { createServer } from "node:http";
import { createHmac, timingSafeEqual } from "node:crypto";
import { Server } from "socket.io";

const { PORT = "3000", HOST = "127.0.0.1", JWT_SECRET, API_KEY } = process.env;
if (!JWT_SECRET || !API_KEY) throw new Error("JWT_SECRET and API_KEY are required");

// A user token: HS256 JWT with sub, optional tid and exp. Returns the claims or null.
function verify(token) {
  if (typeof token !== "string") return null;
  const [h, p, s] = token.split(".");
  if (!h || !p || !s) return null;
  try {
    if (JSON.parse(Buffer.from(h, "base64url")).alg !== "HS256") return null;
    const want = createHmac("sha256", JWT_SECRET).update(`${h}.${p}`).digest();
    const got = Buffer.from(s, "base64url");
    if (got.length !== want.length || !timingSafeEqual(got, want)) return null;
    const claims = JSON.parse(Buffer.from(p, "base64url"));
    if (typeof claims.sub !== "string" || (claims.exp && claims.exp * 1000 < Date.now())) return null;
    return claims;
  } catch {
    return null;
  }
}

// POST /api/events: {room|rooms, event, data} or an array of them; API key as a bearer token.
function api(req, res) {
  const reply = (status, body) => {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };
  if (req.method !== "POST" || req.url !== "/api/events") return reply(404, { error: "not found" });
  if (req.headers.authorization !== `Bearer ${API_KEY}`) return reply(401, { error: "unauthorized" });
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks));
    } catch {
      return reply(400, { error: "malformed JSON" });
    }
    const events = Array.isArray(body) ? body : [body];
    for (const e of events) {
      const rooms = e.rooms ?? (e.room ? [e.room] : []);
      if (!e.event || rooms.length === 0) return reply(400, { error: "room and event are required" });
    }
    for (const e of events) io.to(e.rooms ?? e.room).emit(e.event, e.data);
    reply(202, { accepted: events.length });
  });
}

const http = createServer(api);
const io = new Server(http, { cors: { origin: "*" } });

io.use((socket, next) => {
  const claims = verify(socket.handshake.auth?.token);
  if (!claims) return next(new Error("unauthorized"));
  socket.data.sub = claims.sub;
  socket.data.tid = claims.tid ?? "default";
  next();
});
io.on("connection", (socket) => {
  socket.join([`user:${socket.data.sub}`, `tenant:${socket.data.tid}`]);
});

http.listen(Number(PORT), HOST, () => console.log(`socket.io peer listening on http://${HOST}:${PORT}`));
