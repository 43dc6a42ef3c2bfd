// The SharedWorker that holds a browser's chat sockets for all of its tabs. Each tab
// talks to it through a MessagePort; a port that says goodbye, or stops pinging, is
// detached from its rooms so that closed tabs do not keep a viewer in the count.

/// <reference lib="webworker" />
import { RoomHub, connectToLiboo, type Listener } from './hub';
import type { PortRequest } from './client';

declare const self: SharedWorkerGlobalScope;

const hub = new RoomHub(connectToLiboo(self.location.origin));
/**
 * A tab that neither says goodbye nor holds a Web Lock (older browsers) is taken for gone
 * after this long without a ping. Long, because background tabs' timers are throttled to
 * about once a minute.
 */
const REAP_MS = 5 * 60_000;

interface Tab {
  listener: Listener;
  seen: number;
  /** Whether the tab's life is known through a Web Lock. */
  locked: boolean;
}
const tabs = new Map<MessagePort, Tab>();

self.onconnect = (e: MessageEvent) => {
  const port = e.ports[0];
  const tab: Tab = { listener: (m) => port.postMessage(m), seen: Date.now(), locked: false };
  const gone = () => {
    hub.detachAll(tab.listener);
    tabs.delete(port);
    port.close();
  };
  tabs.set(port, tab);
  port.onmessage = (ev: MessageEvent<PortRequest>) => {
    const req = ev.data;
    tab.seen = Date.now();
    switch (req.t) {
      case 'attach':
        hub.attach(req.roomId, req.userId, tab.listener, req.talkId);
        break;
      case 'detach':
        hub.detach(req.key, tab.listener);
        break;
      case 'emit':
        hub.emit(req.key, tab.listener, req.event, req.payload);
        break;
      case 'bye':
        gone();
        break;
      case 'hello':
        // Granted only once the tab, which holds this lock while it lives, is gone.
        if (self.navigator.locks) {
          tab.locked = true;
          self.navigator.locks.request(req.lock, async () => gone()).catch(() => {});
        }
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
    if (!tab.locked && now - tab.seen > REAP_MS) {
      hub.detachAll(tab.listener);
      tabs.delete(port);
      port.close();
    }
  }
}, 30_000);
