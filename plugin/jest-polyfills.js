// jsdom has no MessageChannel, and React 19's server renderer (loaded through @grafana/ui) needs one.
// Node's own MessageChannel (worker_threads) keeps open handles that stop Jest from exiting, so this
// one delivers messages on a zero-delay timer instead: enough for React's scheduler, nothing left open.
class TimerMessagePort {
  constructor() {
    this.onmessage = null;
    this.peer = null;
  }

  postMessage(data) {
    const peer = this.peer;
    setTimeout(() => peer && peer.onmessage && peer.onmessage({ data }), 0);
  }

  addEventListener(type, listener) {
    if (type === 'message') {
      this.onmessage = listener;
    }
  }

  removeEventListener(type, listener) {
    if (type === 'message' && this.onmessage === listener) {
      this.onmessage = null;
    }
  }

  start() {}

  close() {
    this.peer = null;
  }
}

class TimerMessageChannel {
  constructor() {
    this.port1 = new TimerMessagePort();
    this.port2 = new TimerMessagePort();
    this.port1.peer = this.port2;
    this.port2.peer = this.port1;
  }
}

if (typeof globalThis.MessageChannel === 'undefined') {
  globalThis.MessageChannel = TimerMessageChannel;
}
