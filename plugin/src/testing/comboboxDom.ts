// What @grafana/ui's Combobox needs from the DOM and jsdom lacks: canvas text measuring (input
// width), IntersectionObserver, and element sizes for its virtual list (no size: no options drawn).
// Import it first in a test that opens a Combobox.
HTMLCanvasElement.prototype.getContext = (() => ({
  measureText: (text: string) => ({ width: text.length * 8 }),
})) as unknown as typeof HTMLCanvasElement.prototype.getContext;

class NoIntersectionObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}
Object.assign(globalThis, { IntersectionObserver: NoIntersectionObserver });

for (const prop of ['clientHeight', 'clientWidth']) {
  Object.defineProperty(HTMLElement.prototype, prop, { configurable: true, get: () => 400 });
}
