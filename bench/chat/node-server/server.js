// Reference chat server: socket.io 4.8 on Node with LiBoo's join_room / send_normal_chat
// events (single process, in-memory adapter), for bench/chat/run.sh. Usage: node server.js PORT
'use strict';
const http = require('http');
const { Server } = require('socket.io');

const port = Number(process.argv[2] || 3000);
const httpServer = http.createServer((req, res) => { res.writeHead(404); res.end(); });
const io = new Server(httpServer, {
  path: '/chat/socket.io',
  transports: ['websocket'],
  serveClient: false,
  perMessageDeflate: false,
});

const ADJ = ['happy', 'brave', 'calm', 'eager', 'gentle', 'jolly', 'kind', 'lively'];
const NOUN = ['tiger', 'otter', 'panda', 'falcon', 'koala', 'lynx', 'heron', 'bison'];
const pick = (a) => a[Math.floor(Math.random() * a.length)];
const brightColor = () => `hsl(${Math.floor(Math.random() * 360)}, 100%, 65%)`;

io.on('connection', (socket) => {
  const persona = {
    nickname: `${pick(ADJ)} ${pick(NOUN)}`,
    color: brightColor(),
    entryTime: new Date().toISOString(),
  };
  socket.on('join_room', (data) => {
    if (!data || typeof data.roomId !== 'string') return;
    socket.join(data.roomId);
  });
  socket.on('send_normal_chat', (data) => {
    if (!data || typeof data.roomId !== 'string' || typeof data.msg !== 'string') return;
    const base = {
      roomId: data.roomId,
      nickname: persona.nickname,
      color: persona.color,
      entryTime: persona.entryTime,
      msgTime: new Date().toISOString(),
      msg: data.msg,
      msgType: 'normal',
      socketId: socket.id,
    };
    socket.to(data.roomId).emit('receive_normal_chat', { ...base, owner: 'user' });
    socket.emit('receive_normal_chat', { ...base, owner: 'me' });
  });
});

httpServer.listen(port, '127.0.0.1', () => console.log(`node chat server on ${port}`));
