// The SharedWorker that holds a browser's chat sockets for all of its tabs. Each tab
// talks to it through a MessagePort; a port that says goodbye, or stops pinging, is
// detached from its rooms so that closed tabs do not keep a viewer in the count.

/// <reference lib="webworker" />
import { RoomHub, connectToLiboo, type Listener } from './hub';
import type { PortRequest } from './client';

declare const self: SharedWorkerGlobalScope;

const hub = new RoomHub(connectToLiboo(self.location.origin));
/** A tab pings every PING_MS; one silent for REAP_MS is gone (closed without goodbye). */
const REAP_MS = 30_000;

interface Tab {
  listener: Listener;
  seen: number;
}
const tabs = new Map<MessagePort, Tab>();

self.onconnect = (e: MessageEvent) => {
  const port = e.ports[0];
  const tab: Tab = { listener: (m) => port.postMessage(m), seen: Date.now() };
  tabs.set(port, tab);
  port.onmessage = (ev: MessageEvent<PortRequest>) => {
    const req = ev.data;
    tab.seen = Date.now();
    switch (req.t) {
      case 'attach':
        hub.attach(req.roomId, req.userId, tab.listener);
        break;
      case 'detach':
        hub.detach(req.roomId, tab.listener);
        break;
      case 'emit':
        hub.emit(req.roomId, tab.listener, req.event, req.payload);
        break;
      case 'bye':
        hub.detachAll(tab.listener);
        tabs.delete(port);
        port.close();
        break;
      case 'ping':
        break;
    }
  };
  port.start();
};

setInterval(() => {
  const now = Date.now();
  for (const [port, tab] of tabs) {
    if (now - tab.seen > REAP_MS) {
      hub.detachAll(tab.listener);
      tabs.delete(port);
      port.close();
    }
  }
}, REAP_MS / 3);
