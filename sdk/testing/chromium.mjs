// The flags both apps' browser tests start Debian's Chromium with: headless, as root, and with
// none of Chromium's background connections, which a machine without a network only refuses.
// Plain JavaScript, so that the Expo app's Node test runner can import it as well.
export const chromiumArgs = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]);
